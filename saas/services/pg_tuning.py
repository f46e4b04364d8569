"""PostgreSQL planner settings for the bulk statements (recompute and ranks), and why.

Every setting here was measured (docs/performance.md): keep one only while removing it
makes the full recompute slower than its target.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import text


@contextlib.contextmanager
def planner(conn, **settings: str):
    """PostgreSQL planner settings for the statements inside, restored afterwards.

    Row-level security predicates (``current_setting(...)``) defeat the planner's row
    estimates: it expects a handful of rows where a region has millions, and picks nested
    loops and sorts that are quadratic or spill at that size. These statements are bulk
    by nature, so they are planned with hash joins and hash aggregation."""
    if conn.dialect.name != "postgresql":
        yield
        return

    def put(values: dict) -> None:
        for name, value in values.items():
            conn.execute(text("SELECT set_config(:name, :value, true)"),
                         {"name": name, "value": value})

    before = {name: conn.exec_driver_sql(f"SHOW {name}").scalar() for name in settings}
    put(settings)
    try:
        yield
    finally:
        put(before)


BULK = {"enable_nestloop": "off", "enable_mergejoin": "off", "jit": "off",
        "work_mem": "256MB"}
# The pass aggregates by hashing, never by sorting.
PASS = {**BULK, "enable_sort": "off"}
JIT = {"jit": "on", "jit_above_cost": "0", "jit_optimize_above_cost": "-1",
       "jit_inline_above_cost": "-1"}
"""JIT for the pass, compiled without optimisation or inlining: its scoring expressions
run millions of times, and compiled they take a fifth off the pass (docs/performance.md);
optimised or inlined, compiling costs more than it saves."""
JIT_ROWS = 1_000_000
"""Below this many measurements in the table, compiling takes longer than the pass. (The
planner's own threshold, jit_above_cost, cannot tell: row-level security hides the
table's size from it.)"""


def pass_settings(conn) -> dict:
    """The planner settings of the measurement pass: PASS, with JIT on a large table."""
    if conn.dialect.name != "postgresql":
        return PASS
    rows = conn.execute(text(
        "SELECT reltuples FROM pg_class WHERE oid = 'measurements'::regclass")).scalar()
    return {**PASS, **JIT} if (rows or 0) > JIT_ROWS else PASS
