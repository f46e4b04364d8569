"""Schema administration: migrations run as the owner (DATABASE_OWNER_URL)."""

from __future__ import annotations

from flask_migrate import upgrade as alembic_upgrade


def upgrade(revision: str = "head") -> None:
    alembic_upgrade(revision=revision)
