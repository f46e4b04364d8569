"""The isolation matrix: every route of the app × every role of region A, and anonymous.

Each route's integer parameters are filled with objects of ANOTHER tenant (region B, and
for institution users also the sibling institution AH2; for the bureau, AH1's private mock
inspection). Every method must answer 403 or 404 and never show the other tenant's data:
the API with a bearer token and with the session cookie (and its CSRF token); every write
with a valid body (VALID_BODIES), so the view itself refuses, not the body's validation;
page forms may redirect back with a message. Refused requests leave the audit trail
untouched. Anonymously, every route answers with the sign-in page or a 401. Lists never
contain the other tenant's markers; creates whose body names another tenant's objects are
refused; the dashboards' layout and every callback, fed the other tenant's ids, show
nothing of it. New routes join automatically; a route with a parameter this file does
not know fails until FOREIGN below learns it.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from conftest import USERS, acting, csrf_from, login
from saas.extensions import db
from saas.models import (
    Agreement,
    AgreementRequest,
    Assessment,
    AuditEntry,
    Evidence,
    ExportFile,
    Finding,
    InformationChange,
    Institution,
    Measure,
    MeasureEvent,
    Notification,
    PointsEntry,
    RectificationEvent,
    RectificationItem,
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
        now = dt.datetime(2026, 10, 20)
        measure = Measure(institution_id=inst.id, agreement_id=agreement.id,
                          measure="interview", status="notified", basis=marker,
                          notified_at=now, appeal_until=dt.date(2026, 11, 3))
        points = PointsEntry(institution_id=inst.id, agreement_id=agreement.id, year=2026,
                             finding_id=finding.id, kind="confirmation",
                             reason="finding_confirmed", severity="general", factor=1.0,
                             points=5.0)
        db.session.add_all([evidence, change, measure, points])
        db.session.flush()
        db.session.add(MeasureEvent(institution_id=inst.id, measure_id=measure.id,
                                    action="notify", from_status="proposed",
                                    to_status="notified", reason=marker, notified_at=now))
        db.session.flush()
        user = db.session.execute(select(User).where(User.institution_id == inst.id)
                                  .order_by(User.id)).scalars().first()
        item = RectificationItem(institution_id=inst.id, number=f"2026-qt-{inst.id:03d}",
                                 finding_id=finding.id, source="finding", category="other",
                                 description=marker, due_date=dt.date(2026, 11, 20),
                                 status="open")
        db.session.add(item)
        db.session.flush()
        db.session.add(RectificationEvent(institution_id=inst.id, item_id=item.id,
                                          action="open", to_status="open", reason=marker))
        request = AgreementRequest(institution_id=inst.id, agreement_id=agreement.id,
                                   kind="non_renewal", effective_on=agreement.end,
                                   reason=marker, status="pending")
        db.session.add(request)
        notice = Notification(user_id=user.id, kind="measure_notified", subject_msgid=marker,
                              subject_params={}, link=f"/measures/{measure.id}")
        db.session.add(notice)
        export = ExportFile(user_id=user.id, kind="rectifications", fmt="xlsx", filters={},
                            status="done", filename=f"{marker}.xlsx",
                            storage_key=f"missing/{marker}.xlsx")
        db.session.add(export)
        db.session.flush()
        ids = {"notification_id": notice.id, "export_id": export.id, "request_id": request.id, "item_id": item.id,
               "institution_id": inst.id, "agreement_id": agreement.id,
               "assessment_id": assessment.id, "finding_id": finding.id,
               "evidence_id": evidence.id, "change_id": change.id, "measure_id": measure.id,
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
        item = RectificationItem(institution_id=user.institution_id, number="2026-qt-900",
                                 finding_id=finding.id, source="mock_inspection",
                                 category="other", description=marker, private=True,
                                 due_date=dt.date(2026, 11, 20), status="open")
        db.session.add(item)
        db.session.flush()
        ids = {"assessment_id": assessment.id, "finding_id": finding.id,
               "evidence_id": evidence.id, "item_id": item.id, "markers": [marker]}
        db.session.commit()
    return ids


# How to find another tenant's object for each URL parameter name.
FOREIGN = {"institution_id", "agreement_id", "assessment_id", "finding_id", "evidence_id",
           "change_id", "template_id", "user_id", "measure_id", "notification_id",
           "request_id", "item_id", "export_id"}
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

    given = set(rule.defaults or {})  # /rectifications/export.xlsx: fmt is fixed by the rule
    arguments = set(rule.arguments) - given
    strings = {a for a in arguments if not isinstance(rule._converters[a], IntegerConverter)}
    assert strings <= STRING_ARGS, f"{rule.rule}: string parameters {strings - STRING_ARGS}"
    return arguments - strings


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


# A valid body for each write that takes one, so that a probe passes validation and
# reaches the view itself with the other tenant's ids (the rest take no body).
XLSX_PART = (b"PK\x03\x04 not really a workbook", "measurements.xlsx")
REASON = {"json": {"reason": "matrix"}}
VALID_BODIES = {
    ("POST", "/api/v1/agreements/<int:agreement_id>/changes"): {"json": {
        "field": "address", "new_value": "matrix", "changed_on": "2026-10-01"}},
    ("PUT", "/api/v1/assessments/<int:assessment_id>/measurements"): {"json": [
        {"indicator_code": "VIOL-RATIO", "value": 1.0}]},
    ("POST", "/api/v1/assessments/<int:assessment_id>/measurements/upload"): {
        "files": {"file": XLSX_PART}},
    ("POST", "/api/v1/assessments/<int:assessment_id>/return"): REASON,
    ("PATCH", "/api/v1/findings/<int:finding_id>"): {"json": {"severity": "minor"}},
    ("POST", "/api/v1/findings/<int:finding_id>/dismiss"): REASON,
    ("POST", "/api/v1/agreements/<int:agreement_id>/requests"): {"json": {
        "kind": "non_renewal", "reason": "matrix"}},
    ("POST", "/api/v1/agreement-requests/<int:request_id>/decide"): {"json": {
        "decision": "accept", "reason": "matrix"}},
    ("POST", "/api/v1/measures/<int:measure_id>/appeal"): {"json": {"statement": "matrix"}},
    ("POST", "/api/v1/measures/<int:measure_id>/decide"): {"json": {
        "decision": "uphold", "reason": "matrix"}},
    ("POST", "/api/v1/measures/<int:measure_id>/lift"): REASON,
    ("POST", "/api/v1/measures/<int:measure_id>/revoke"): REASON,
    ("PATCH", "/api/v1/rectifications/<int:item_id>"): {"json": {"department": "matrix"}},
    ("POST", "/api/v1/rectifications/<int:item_id>/submit"): {"json": {"statement": "matrix"}},
    ("POST", "/api/v1/rectifications/<int:item_id>/return"): REASON,
    ("POST", "/api/v1/rectifications/<int:item_id>/reopen"): REASON,
    ("POST", "/api/v1/rectifications/<int:item_id>/extend"): {"json": {
        "due_date": "2027-06-30", "reason": "matrix"}},
    ("POST", "/rectifications/<int:item_id>/submit"): {"data": {"statement": "matrix"}},
    ("POST", "/rectifications/<int:item_id>/assign"): {"data": {"department": "matrix"}},
    ("POST", "/rectifications/<int:item_id>/extend"): {"data": {"due_date": "2027-06-30"}},
    ("POST", "/agreements/<int:agreement_id>/actions"): {"data": {"action": "renew"}},
    ("POST", "/agreements/<int:agreement_id>/changes"): {"data": {
        "field": "address", "new_value": "matrix", "changed_on": "2026-10-01"}},
    ("POST", "/assessments/<int:assessment_id>"): {"data": {"value-VIOL-RATIO": "1.0"}},
    ("POST", "/assessments/<int:assessment_id>/findings/new"): {"data": {
        "category": "other", "severity": "general", "description": "matrix"}},
    ("POST", "/assessments/<int:assessment_id>/upload"): {"files": {"file": XLSX_PART}},
    ("POST", "/findings/<int:finding_id>/edit"): {"data": {
        "category": "other", "severity": "minor", "description": "matrix"}},
}


def _send(client, method, url, headers=None, csrf=None, rule=None):
    """One probe; an API write carries the route's valid body (VALID_BODIES), else none."""
    import io

    body = VALID_BODIES.get((method, rule.rule if rule else url), {})
    kwargs = {"headers": dict(headers or {})}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        form = {**body.get("data", {}), **{k: (io.BytesIO(v[0]), v[1])
                                          for k, v in body.get("files", {}).items()}}
        if url.startswith("/api/") and "json" in body:
            kwargs["json"] = body["json"]
        elif url.startswith("/api/"):
            kwargs["data"] = form
        else:
            kwargs["data"] = {"csrf_token": csrf, "reason": "matrix", **form}
        if csrf:  # a cookie session's API write carries the token, as the pages' JS does
            kwargs["headers"]["X-CSRFToken"] = csrf
    return getattr(client, method.lower())(url, **kwargs)


@pytest.mark.parametrize("who", ROLES_A + ["anonymous"])
def test_no_route_reaches_another_tenant(app, foreign, who):
    """Every route with the other tenant's ids, every method; the API both with a bearer
    token and with the session cookie. Anonymously: the sign-in page or a 401."""
    callers = _callers_for(app, who)
    failures = []
    audit_before = _audit_count(app)
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
                for client, headers, csrf in callers(url):
                    response = _send(client, method, url, headers, csrf, rule)
                    body = response.get_data().decode("utf-8", "replace")
                    leaked = [m for m in target["markers"] if m in body]
                    if response.status_code not in _allowed(who, url, method) or leaked:
                        failures.append(f"{method} {url} ({'cookie' if csrf else 'token'}) → "
                                        f"{response.status_code} {leaked}")
    assert not failures, "\n".join(failures)
    assert _audit_count(app) == audit_before, "a refused request wrote something"


def _callers_for(app, who: str):
    """url → [(client, headers, csrf token of a cookie session)]: each way to call it."""
    if who == "anonymous":
        anonymous = app.test_client()
        return lambda url: [(anonymous, None, None)]
    web, api, bearer = _clients(app, who)
    csrf = csrf_from(web.get("/institutions").get_data(as_text=True))
    return lambda url: ([(api, bearer, None), (web, None, csrf)] if url.startswith("/api/")
                        else [(web, None, csrf)])


def _allowed(who: str, url: str, method: str) -> set:
    """What the refusal may look like: every API write carries a valid body or takes
    none, so the view itself answers, never the body's validation (422)."""
    if who == "anonymous":  # (a page's form without a session has no CSRF token: 400)
        if url.startswith(("/api/", "/dashboards/_dash")):
            return {401}
        return {302} if method == "GET" else {302, 400}
    if url.startswith("/api/") or method == "GET":
        return {403, 404}
    return {302, 303, 403, 404}  # a page's form: back with a message, nothing written


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


def _dash_update(dependency: dict, value) -> dict:
    """A _dash-update-component body for one callback, every input set to ``value``."""
    def parts(text: str) -> list[dict]:
        return [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
                for p in text.strip(".").split("...")]

    outputs = parts(dependency["output"])
    inputs = [{**i, "value": value} for i in dependency["inputs"]]
    return {"output": dependency["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": inputs, "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs],
            "state": [{**s, "value": value} for s in dependency.get("state", [])]}


@pytest.mark.parametrize("who", ROLES_A)
def test_no_dashboard_endpoint_shows_another_tenant(app, foreign, who):
    """The layout, the callback list and every callback, its inputs naming the other
    tenant's ids (as a path, a number and a query string)."""
    web, _api, _bearer = _clients(app, who)
    failures, answered = [], 0
    for target in _targets(who, foreign):
        markers = target["markers"]
        for path in ("/dashboards/", "/dashboards/_dash-layout", "/dashboards/_dash-dependencies"):
            body = web.get(path).get_data(as_text=True)
            if [m for m in markers if m in body]:
                failures.append(f"GET {path} shows {markers}")
        dependencies = web.get("/dashboards/_dash-dependencies").get_json()
        assert dependencies, "no callbacks to probe"
        ids = [v for k, v in target.items() if k.endswith("_id")]
        crafted = [f"/dashboards/institutions/{ids[0]}",
                   f"/dashboards/?institution_id={ids[0]}&agreement_id={ids[-1]}", ids[0], ids]
        for dependency in dependencies:
            if dependency.get("clientside_function"):
                continue  # runs in the browser (the pages' title): the server has none
            for value in crafted:
                response = web.post("/dashboards/_dash-update-component",
                                    json=_dash_update(dependency, value))
                body = response.get_data(as_text=True)
                answered += response.status_code == 200
                leaked = [m for m in markers if m in body]
                if response.status_code >= 500 or leaked:
                    failures.append(f"{dependency['output']} ← {value!r}: "
                                    f"{response.status_code} {leaked}")
    assert not failures, "\n".join(failures)
    assert answered, "no callback ran: the probe tested nothing"


def _body_writes(target: dict, kind: str) -> list[tuple[str, str, dict]]:
    """Creates whose body names the other tenant's objects: (method, url, client kwargs)."""
    import io

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    return [
        ("POST", "/api/v1/assessments", {"json": {
            "agreement_id": target["agreement_id"], "kind": kind, "period": "2026-11"}}),
        ("POST", "/api/v1/findings", {"json": {
            "assessment_id": target["assessment_id"], "category": "other",
            "severity": "general", "description": "matrix"}}),
        ("POST", "/api/v1/agreements", {"json": {
            "institution_id": target["institution_id"],
            "template_id": target.get("template_id", 1),  # (the sibling's is the user's own)
            "number": "MATRIX-1", "start": "2027-01-01", "end": "2027-12-31"}}),
        ("POST", "/api/v1/measures", {"json": {
            "agreement_id": target["agreement_id"], "measure": "warning", "basis": "matrix"}}),
        ("POST", "/api/v1/evidence", {"data": {
            "institution_id": str(target["institution_id"]), "file": (io.BytesIO(png), "a.png")},
            "content_type": "multipart/form-data"}),
        ("POST", "/api/v1/rectifications", {"json": {
            "source": "internal_audit", "category": "other", "description": "matrix",
            "owner_id": target["user_id"], "evidence_ids": [target["evidence_id"]]}}),
        ("POST", "/api/v1/rectifications", {"json": {
            "source": "self_inspection", "category": "other", "description": "matrix",
            "assessment_id": target["assessment_id"]}}),
        ("POST", "/api/v1/rectifications/bulk", {"json": {
            "item_ids": [target["item_id"]], "action": "assign",
            "assign": {"department": "matrix"}}}),
    ]


@pytest.mark.parametrize("who", ROLES_A)
def test_no_write_names_another_tenant_in_its_body(app, foreign, who):
    """A valid body that names the other tenant's agreement, assessment or institution is
    refused and writes nothing."""
    web, api, bearer = _clients(app, who)
    csrf = csrf_from(web.get("/institutions").get_data(as_text=True))
    kind = "self" if who in INSTITUTION_ROLES else "routine"
    audit_before = _audit_count(app)
    failures = []
    for target in (foreign["region_b"], foreign["sibling"]):
        if who not in INSTITUTION_ROLES and target is foreign["sibling"]:
            continue  # the sibling is in the bureau's own region
        for method, url, kwargs in _body_writes(target, kind):
            response = getattr(api, method.lower())(url, headers=bearer, **kwargs)
            body = response.get_data(as_text=True)
            leaked = [m for m in target["markers"] if m in body]
            if response.status_code not in (403, 404, 422) or leaked:
                failures.append(f"{method} {url} → {response.status_code} {leaked} {body[:200]}")
        forms = [("/assessments", {"agreement_id": target["agreement_id"], "kind": kind,
                                   "period": "2026-11"}),
                 ("/agreements", {"institution_id": target["institution_id"],
                                  "template_id": target.get("template_id", 1),
                                  "number": "MATRIX-1", "start": "2027-01-01",
                                  "end": "2027-12-31"})]
        for url, form in forms:
            response = web.post(url, data={"csrf_token": csrf, **form})
            body = response.get_data(as_text=True)
            leaked = [m for m in target["markers"] if m in body]
            if response.status_code not in (403, 404, 422) or leaked:
                failures.append(f"POST {url} (page) → {response.status_code} {leaked}")
    assert not failures, "\n".join(failures)
    assert _audit_count(app) == audit_before, "a refused write wrote something"


@pytest.mark.parametrize("who", ROLES_A)
def test_no_dash_callback_reaches_another_tenant(app, foreign, who):
    """The dashboards' callbacks with the other tenant's institution in their inputs (the
    drill-down's address, the export of that page, the grid's view) answer nothing of it."""
    from test_dashboards import _grid, _page

    web, _api, _bearer = _clients(app, who)
    failures = []
    for target in _targets(who, foreign):
        if "institution_id" not in target:
            continue
        path = f"/dashboards/institution/{target['institution_id']}"
        shown = json.dumps(_page(web, path), ensure_ascii=False)
        exported = web.post("/dashboards/_dash-update-component", json={
            "output": "download.data", "outputs": {"id": "download", "property": "data"},
            "inputs": [{"id": "export", "property": "n_clicks", "value": 1}],
            "state": [{"id": "_pages_location", "property": "pathname", "value": path},
                      {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["export.n_clicks"]}).get_data(as_text=True)
        rows = json.dumps(_grid(web, {"startRow": 0, "endRow": 200}), ensure_ascii=False)
        for where, body in (("page", shown), ("export", exported), ("grid", rows)):
            leaked = [m for m in target["markers"] if m in body]
            if leaked:
                failures.append(f"{where} {path}: {leaked}")
    assert not failures, failures
