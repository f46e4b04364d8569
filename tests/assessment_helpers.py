"""Shared steps of the assessment, measurement, scoring and findings tests."""

from __future__ import annotations

from sqlalchemy import select

from conftest import acting

# Fixture agreements (tests/fixtures/region_*.yaml).
AH1, AH2, AP1, BH1 = "A-2026-001", "A-2026-002", "A-2026-003", "B-2026-001"
BUREAU_OF = {AH1: "a_bureau_admin", AH2: "a_bureau_admin", AP1: "a_bureau_admin",
             BH1: "b_bureau_admin"}
CREATOR = {"self": "ah1_admin", "mock": "ah1_mock", "routine": "a_bureau_inspector",
           "special": "a_bureau_inspector", "flight": "a_bureau_inspector",
           "random": "a_bureau_inspector", "annual": "a_bureau_admin"}
FINALIZER = {"self": "ah1_admin", "mock": "ah1_mock", "routine": "a_bureau_admin",
             "special": "a_bureau_admin", "flight": "a_bureau_admin",
             "random": "a_bureau_admin", "annual": "a_bureau_admin"}


def agreement_id(app, number: str) -> int:
    from saas.models import Agreement

    with acting(app, BUREAU_OF[number]):
        from saas.extensions import db

        return db.session.execute(
            select(Agreement.id).where(Agreement.number == number)).scalar_one()


def create(api, app, number: str = AH1, kind: str = "self", period: str = "2026-03",
           expect: int = 201) -> dict:
    response = api.post("/assessments", json={"agreement_id": agreement_id(app, number),
                                              "kind": kind, "period": period})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def put(api, assessment_id: int, rows: list[dict], expect: int = 200) -> dict:
    response = api.put(f"/assessments/{assessment_id}/measurements", json=rows)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def act(api, assessment_id: int, action: str, expect: int = 200, **body) -> dict:
    response = api.post(f"/assessments/{assessment_id}/{action}", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def by_code(card: dict) -> dict:
    return {row["code"]: row for row in card["indicators"]}
