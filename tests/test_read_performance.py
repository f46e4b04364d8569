"""Read-side performance guarantees that a test can hold: fresh planner statistics after
a bulk load."""

import pytest
from sqlalchemy import text


def _analyzed_at(app) -> dict:
    from saas.extensions import db

    with app.app_context():
        rows = db.session.execute(text(
            "SELECT relname, last_analyze FROM pg_stat_user_tables"
            " WHERE relname IN ('institutions', 'assessments', 'measurements')")).all()
        db.session.remove()
    return dict(rows)


def test_seed_scale_leaves_fresh_statistics(app):
    """Right after a bulk load the planner knows the new rows: seed-scale runs ANALYZE as
    the owner (the app role may not), before and after scoring."""
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    before = _analyzed_at(app)
    result = app.test_cli_runner().invoke(
        args=["seed-scale", "--institutions", "3", "--months", "1", "--region-code", "339904",
              "--indicators", "20"])
    assert result.exit_code == 0, result.output
    after = _analyzed_at(app)
    assert set(after) == {"institutions", "assessments", "measurements"}
    for table, at in after.items():
        assert at is not None and (before.get(table) is None or at > before[table]), table
