"""Two identical requests at the same moment: one succeeds, the other is a 409, and the
audit trail records the change once. PostgreSQL, with real concurrent transactions."""

import threading

import pytest
from sqlalchemy import func, select

from assessment_helpers import agreement_id, create, put
from conftest import user_by_email
from saas.errors import Conflict
from saas.extensions import db
from saas.models import AuditEntry
from tenants.context import acting_as, for_user


@pytest.fixture
def postgres_only(app):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("concurrent transactions are PostgreSQL's")


def _twice_at_once(app, who: str, call) -> list:
    """Run ``call()`` in two threads, each with its own session, released together;
    returns each outcome: its result or the Conflict it raised."""
    barrier, outcomes = threading.Barrier(2), []

    def run():
        with app.app_context():
            with acting_as(for_user(user_by_email(who))):
                barrier.wait()
                try:
                    outcomes.append(call())
                except Conflict as exc:
                    outcomes.append(exc)
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _audited(app, action: str) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == action)).scalar()


def _one_success(outcomes) -> None:
    assert len(outcomes) == 2
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes


def test_creating_the_same_self_inspection_twice(app, postgres_only):
    from saas.services import assessments

    agreement = agreement_id(app, "A-2026-001")
    outcomes = _twice_at_once(app, "admin@ah1.example",
                              lambda: assessments.create(agreement, "self", "2026-07").id)
    _one_success(outcomes)
    assert _audited(app, "assessment.created") == 1


@pytest.mark.parametrize("action", ["submit", "finalize"])
def test_the_same_transition_twice(app, api_as, postgres_only, action):
    from saas.services import assessments

    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-07")
    put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.3}])
    if action == "finalize":
        assert api.post(f"/assessments/{draft['id']}/submit", json={}).status_code == 200
    outcomes = _twice_at_once(app, "admin@ah1.example",
                              lambda: assessments.transition(draft["id"], action).status)
    _one_success(outcomes)
    assert _audited(app, f"assessment.{action}ted" if action == "submit"
                    else "assessment.finalized") == 1


@pytest.mark.parametrize("action", ["confirm", "dismiss"])
def test_the_same_decision_on_a_finding_twice(app, api_as, postgres_only, action):
    from saas.services import findings

    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-07")
    finding = api.post("/findings", json={
        "assessment_id": draft["id"], "category": "other", "severity": "minor",
        "description": "重复提交"}).get_json()
    outcomes = _twice_at_once(app, "admin@a.example",
                              lambda: findings.decide(finding["id"], action, "复核不成立").status)
    _one_success(outcomes)
    assert _audited(app, f"finding.{'confirmed' if action == 'confirm' else 'dismissed'}") == 1
