"""Suspending an agreement the only way there is: a suspension measure proposed, notified,
appealed by the institution (so it can be decided at once) and decided by a second bureau
admin; and lifting it."""

from __future__ import annotations


def suspend_by_measure(api_as, agreement_id: int, institution_admin: str,
                       basis: str = "记分达到 12 分", months: int = 3) -> int:
    """The effective suspension measure's id; the agreement is then suspended."""
    admin = api_as("a_bureau_admin")
    made = admin.post("/measures", json={"agreement_id": agreement_id, "measure": "suspension",
                                         "months": months, "basis": basis})
    assert made.status_code == 201, made.get_json()
    measure = made.get_json()["id"]
    for who, step, body in (("a_bureau_admin", "notify", {}),
                            (institution_admin, "appeal", {"statement": "请求从轻"}),
                            ("a_bureau_admin2", "decide", {"decision": "uphold",
                                                           "reason": basis})):
        response = api_as(who).post(f"/measures/{measure}/{step}", json=body)
        assert response.status_code == 200, (step, response.get_json())
    return measure


def lift(api_as, measure_id: int, reason: str = "整改完成") -> None:
    response = api_as("a_bureau_admin").post(f"/measures/{measure_id}/lift",
                                             json={"reason": reason})
    assert response.status_code == 200, response.get_json()


def rescind_by_measure(api_as, agreement_id: int, institution_admin: str,
                       ground: str = "fraud", basis: str = "欺诈骗保") -> int:
    """解除 through its due process; the agreement is then rescinded."""
    admin = api_as("a_bureau_admin")
    made = admin.post("/measures", json={"agreement_id": agreement_id, "measure": "rescission",
                                         "ground": ground, "basis": basis})
    assert made.status_code == 201, made.get_json()
    measure = made.get_json()["id"]
    for who, step, body in (("a_bureau_admin", "notify", {}),
                            (institution_admin, "appeal", {"statement": "申辩"}),
                            ("a_bureau_admin2", "decide", {"decision": "uphold",
                                                           "reason": basis})):
        response = api_as(who).post(f"/measures/{measure}/{step}", json=body)
        assert response.status_code == 200, (step, response.get_json())
    return measure


def confirm_at_once(app, finding_ids: list[int], email: str = "admin@a.example") -> list:
    """Confirm the findings in as many threads, each with its own session, released
    together (PostgreSQL: real concurrent transactions); returns the errors raised."""
    import threading

    from conftest import user_by_email
    from saas.extensions import db
    from saas.services import findings
    from tenants.context import acting_as, for_user

    barrier, errors = threading.Barrier(len(finding_ids)), []

    def confirm(finding_id):
        with app.app_context():
            with acting_as(for_user(user_by_email(email))):
                barrier.wait()
                try:
                    findings.decide(finding_id, "confirm")
                except Exception as exc:  # noqa: BLE001 - reported to the test
                    errors.append(exc)
            db.session.remove()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in finding_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
