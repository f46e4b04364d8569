"""Schema administration: migrations run as the owner (DATABASE_OWNER_URL)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade as alembic_upgrade
from sqlalchemy.pool import NullPool


def upgrade(revision: str = "head") -> None:
    alembic_upgrade(revision=revision)


def analyze(tables: tuple[str, ...]) -> None:
    """Fresh planner statistics after a bulk load, so the first queries on the new rows
    get good plans before autovacuum comes by. On PostgreSQL only a table's owner may
    ANALYZE it, and the app role owns none: this connects as the owner."""
    engine = sa.create_engine(current_app.config["DATABASE_OWNER_URL"], poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE " + ", ".join(tables))
            else:
                conn.exec_driver_sql("ANALYZE")
            conn.commit()
    finally:
        engine.dispose()
