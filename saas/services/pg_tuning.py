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
