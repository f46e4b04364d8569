"""Migrations: empty → head on both backends, and models agree with migrations."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from conftest import _TMP, _make_app, _pg_admin, _pg_url, missing_part, pg_available
from saas.extensions import db


def _fresh(backend: str, name: str):
    if backend == "sqlite":
        url = f"sqlite:///{_TMP / (name + '.db')}"
        return url, url, lambda: None
    if not pg_available():
        missing_part("PostgreSQL not reachable")
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name}")
    return (_pg_url(name, "pact_app"), _pg_url(name, "postgres"),
            lambda: _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_empty_and_no_pending_diff(backend, tmp_path):
    from saas.dbadmin import upgrade

    name = f"pact_mig_{tmp_path.name[-8:].lower().replace('-', '_')}"
    url, owner_url, drop = _fresh(backend, name)
    try:
        app = _make_app(url, owner_url)
        with app.app_context():
            upgrade()
            engine = sa.create_engine(owner_url)
            with engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
                tables = set(sa.inspect(conn).get_table_names())
            engine.dispose()
            db.engine.dispose()
        assert diff == [], f"models and migrations disagree: {diff}"
        assert {"institutions", "agreements", "assessments", "audit_entries"} <= tables
    finally:
        drop()
