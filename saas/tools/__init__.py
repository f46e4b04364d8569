"""Operator tools, not use cases: the demo's sample history (demo_data) and a province-size
region for the benchmarks (seed_scale). They call the services like any other caller, and
their messages are for the operator at the console, in English."""
