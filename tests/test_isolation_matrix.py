"""The isolation matrix: every route of the app × every role of region A.

Each route's integer parameters are filled with objects of ANOTHER tenant (region B, and
for institution users also the sibling institution AH2). Every method must answer 403 or
404 and never show the other tenant's data; refused writes (422 before the view runs, or a
page redirect with a flash message) must leave the audit trail untouched. Lists must never
contain the other tenant's markers. New routes join automatically; a route with a
parameter this file does not know fails until FOREIGN below learns it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from conftest import USERS, acting, csrf_from, login
from saas.extensions import db
from saas.models import (
    Agreement,
    Assessment,
    AuditEntry,
    Evidence,
    Finding,
    InformationChange,
    Institution,
    Template,
    User,
)

ROLES_A = ["a_bureau_admin", "a_bureau_inspector", "ah1_admin", "ah1_staff", "ah1_mock"]
INSTITUTION_ROLES = {"ah1_admin", "ah1_staff", "ah1_mock"}
SKIP_PREFIXES = ("/static/", "/dashboards/_dash", "/dashboards/_reload", "/dashboards/_favicon",
                 "/dashboards/assets/",
                 "/api/docs", "/api/v1/openapi.json")
MARK = "FOREIGN-{owner}"


def _make_foreign(app, owner_user: str, institution_code: str) -> dict:
    """Objects owned by `institution_code` (created as its bureau), with unique markers."""
    marker = MARK.format(owner=institution_code)
    with acting(app, owner_user):
        inst = db.session.execute(
            select(Institution).where(Institution.code == institution_code)).scalar_one()
        agreement = db.session.execute(
            select(Agreement).where(Agreement.institution_id == inst.id)).scalar_one()
        assessment = Assessment(institution_id=inst.id, agreement_id=agreement.id, kind="self",
                                period="2026-10", period_start=dt.date(2026, 10, 1),
                                period_end=dt.date(2026, 10, 31), status="draft")
        db.session.add(assessment)
        db.session.flush()
        finding = Finding(institution_id=inst.id, assessment_id=assessment.id,
                          category="重复收费", severity="general", description=marker)
        db.session.add(finding)
        db.session.flush()
        evidence = Evidence(institution_id=inst.id, filename=f"{marker}.pdf",
                            content_type="application/pdf", size=4, sha256="0" * 64,
                            storage_key=f"missing/{marker}")
        change = InformationChange(institution_id=inst.id, field="address",
                                   new_value=marker, changed_on=dt.date(2026, 10, 1),
                                   due_on=dt.date(2026, 11, 12))
        db.session.add_all([evidence, change])
        db.session.flush()
        user = db.session.execute(select(User).where(User.institution_id == inst.id)
                                  .order_by(User.id)).scalars().first()
        ids = {"institution_id": inst.id, "agreement_id": agreement.id,
               "assessment_id": assessment.id, "finding_id": finding.id,
               "evidence_id": evidence.id, "change_id": change.id,
               "template_id": agreement.template_id, "user_id": user.id,
               "markers": [marker, inst.name, agreement.number, user.email]}
        db.session.commit()
    return ids


def _make_private(app) -> dict:
    """A mock inspection of AH1 (模拟检查, the institution's alone) with its finding and
    evidence: the bureau of its own region must not reach them either."""
    marker = "PRIVATE-AH1"
    with acting(app, "ah1_mock") as user:
        agreement = db.session.execute(select(Agreement)).scalar_one()
        assessment = Assessment(institution_id=user.institution_id, agreement_id=agreement.id,
                                kind="mock", period="2026-10", private=True,
                                period_start=dt.date(2026, 10, 1),
                                period_end=dt.date(2026, 10, 31), status="draft")
        db.session.add(assessment)
        db.session.flush()
        finding = Finding(institution_id=user.institution_id, assessment_id=assessment.id,
                          category="other", severity="general", description=marker,
                          private=True)
        evidence = Evidence(institution_id=user.institution_id, filename=f"{marker}.pdf",
                            content_type="application/pdf", size=4, sha256="1" * 64,
                            storage_key=f"missing/{marker}", private=True)
        db.session.add_all([finding, evidence])
        db.session.flush()
        ids = {"assessment_id": assessment.id, "finding_id": finding.id,
               "evidence_id": evidence.id, "markers": [marker]}
        db.session.commit()
    return ids


# How to find another tenant's object for each URL parameter name.
FOREIGN = {"institution_id", "agreement_id", "assessment_id", "finding_id", "evidence_id",
           "change_id", "template_id", "user_id"}
REGION_OWNED = {"template_id"}  # visible to the whole region: foreign only across regions


@pytest.fixture
def foreign(app):
    region_b = _make_foreign(app, "b_bureau_admin", "BH1")
    sibling = _make_foreign(app, "a_bureau_admin", "AH2")
    del sibling["template_id"]  # region-owned: the sibling's region is the user's own
    with acting(app, "b_bureau_admin"):
        region_b["template_id"] = db.session.execute(select(Template.id)).scalars().first()
    return {"region_b": region_b, "sibling": sibling, "private": _make_private(app)}


def _targets(who: str, foreign: dict) -> list[dict]:
    targets = [foreign["region_b"]]
    if who in INSTITUTION_ROLES:
        targets.append(foreign["sibling"])
    else:  # the bureau never sees an institution's mock inspection
        targets.append(foreign["private"])
    return targets


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIP_PREFIXES) or rule.endpoint == "static":
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        yield rule, methods


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(AuditEntry)).scalar()


# String parameters that name no tenant object (the language switch).
STRING_ARGS = {"code", "path"}  # /lang/<code>; Dash pages /dashboards/<path>


def _tenant_args(rule) -> set:
    from werkzeug.routing import IntegerConverter

    strings = {a for a in rule.arguments if not isinstance(rule._converters[a], IntegerConverter)}
    assert strings <= STRING_ARGS, f"{rule.rule}: string parameters {strings - STRING_ARGS}"
    return set(rule.arguments) - strings


def _url(rule, values: dict) -> str:
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def _clients(app, who):
    from conftest import user_by_email
    from saas.services.auth import issue_token

    web = app.test_client()
    assert login(web, who).status_code == 302
    token_holder = app.test_client()
    with app.app_context():
        token = issue_token(user_by_email(USERS[who]).id)
    return web, token_holder, {"Authorization": f"Bearer {token}"}


def _send(client, method, url, headers=None, csrf=None):
    kwargs = {"headers": headers or {}}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        if url.startswith("/api/"):
            kwargs["json"] = {}
        else:
            kwargs["data"] = {"csrf_token": csrf, "reason": "matrix"}
    return getattr(client, method.lower())(url, **kwargs)


@pytest.mark.parametrize("who", ROLES_A)
def test_no_route_reaches_another_tenant(app, foreign, who):
    web, api, bearer = _clients(app, who)
    csrf = csrf_from(web.get("/institutions").get_data(as_text=True))
    audit_before = _audit_count(app)
    failures = []
    for rule, methods in _routes(app):
        if not _tenant_args(rule):
            continue
        unknown = _tenant_args(rule) - FOREIGN
        assert not unknown, f"{rule.rule}: teach test_isolation_matrix.FOREIGN about {unknown}"
        for target in _targets(who, foreign):
            if not _tenant_args(rule) <= set(target):
                continue  # the private target has only what a mock inspection has
            url = _url(rule, target)
            for method in methods:
                is_api = url.startswith("/api/")
                client, headers = (api, bearer) if is_api else (web, None)
                response = _send(client, method, url, headers, csrf)
                body = response.get_data().decode("utf-8", "replace")
                leaked = [m for m in target["markers"] if m in body]
                allowed = {403, 404}
                if method != "GET":
                    allowed |= {422} if is_api else {302, 303}
                if response.status_code not in allowed or leaked:
                    failures.append(f"{method} {url} → {response.status_code} {leaked}")
    assert not failures, "\n".join(failures)
    assert _audit_count(app) == audit_before, "a refused request wrote something"


@pytest.mark.parametrize("who", ROLES_A)
def test_no_list_contains_another_tenant(app, foreign, who):
    web, api, bearer = _clients(app, who)
    markers = [m for t in _targets(who, foreign) for m in t["markers"]]
    probes = {k: v for k, v in foreign["region_b"].items() if k != "markers"}
    query = "&".join(f"{k}={v}" for k, v in probes.items())
    failures = []
    for rule, methods in _routes(app):
        if rule.arguments or "GET" not in methods:
            continue
        for url in (rule.rule, f"{rule.rule}?{query}&page_size=200"):
            is_api = url.startswith("/api/")
            response = (api.get(url, headers=bearer) if is_api else web.get(url))
            body = response.get_data().decode("utf-8", "replace")
            leaked = [m for m in markers if m in body]
            if leaked or response.status_code >= 500:
                failures.append(f"GET {url} → {response.status_code} {leaked}")
    assert not failures, "\n".join(failures)


def test_the_matrix_sees_the_routes(app):
    """Guard against a matrix that silently tests nothing."""
    rules = [r for r, _ in _routes(app)]
    with_params = [r for r in rules if r.arguments]
    assert len(rules) >= 10 and len(with_params) >= 2
