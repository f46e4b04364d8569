"""Bad input gets a clear problem+json answer naming the field, and writes nothing."""

import json

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, USERS, acting, csrf_from
from saas.extensions import db
from saas.models import ApiToken

PROBLEM = "application/problem+json"


def _token_count(app):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(ApiToken)).scalar()


def test_malformed_json(client, app):
    before = _token_count(app)
    response = client.post("/api/v1/auth/tokens", data="{not json",
                           content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.content_type.startswith(PROBLEM)
    assert _token_count(app) == before


@pytest.mark.parametrize("body, field", [
    ({"email": 42, "password": PASSWORD}, "email"),
    ({"email": "not-an-email", "password": PASSWORD}, "email"),
    ({"email": USERS["ah1_admin"]}, "password"),
    ({"email": USERS["ah1_admin"], "password": PASSWORD, "admin": True}, "admin"),
])
def test_wrong_types_missing_and_unknown_fields(client, app, body, field):
    before = _token_count(app)
    response = client.post("/api/v1/auth/tokens", json=body)
    assert response.status_code == 422
    problem = response.get_json()
    assert response.content_type.startswith(PROBLEM)
    assert field in problem["errors"], problem
    assert problem["title"] and problem["status"] == 422
    assert _token_count(app) == before


def test_oversized_body(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/api/v1/auth/tokens", data="x" * 5000,
                           content_type="application/json")
    assert response.status_code == 413
    assert response.content_type.startswith(PROBLEM)


def test_bad_query_parameters(api_as):
    response = api_as("a_bureau_admin").get("/institutions?page_size=5000&kind=castle")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"page_size", "kind"} <= set(errors)


def test_unknown_api_route_is_problem_json(api_as):
    response = api_as("a_bureau_admin").get("/no-such-thing")
    assert response.status_code == 404
    assert response.content_type.startswith(PROBLEM)


def test_login_form_errors_are_chinese(client):
    from conftest import csrf_from

    page = client.get("/login")
    response = client.post("/login", data={"email": "bad", "password": "",
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert "邮箱格式不正确" in html
    assert "请输入密码" in html


# Each defect the fuzzer found (issue 13) as its own case: a clear 4xx, nothing written.

def _counts(app):
    from saas.models import Agreement, Assessment, AuditEntry, Finding, InformationChange
    with acting(app, "a_bureau_admin"):
        return {model.__name__: db.session.execute(
            select(func.count()).select_from(model)).scalar()
            for model in (Agreement, Assessment, AuditEntry, Finding, InformationChange)}


def _agreement_id(app, who="a_bureau_admin"):
    from saas.models import Agreement
    with acting(app, who):
        return db.session.execute(select(Agreement.id).order_by(Agreement.id)).scalars().first()


@pytest.mark.parametrize("path", [
    "/institutions/99999999999", "/agreements/2147483648", "/assessments/0",
    "/templates/383962070124645362696192/diff", "/evidence/99999999999999999999999",
])
def test_ids_beyond_the_column_range_in_the_path(api_as, path):
    response = api_as("a_bureau_admin").get(path)
    assert response.status_code == 404
    assert response.content_type.startswith(PROBLEM)


@pytest.mark.parametrize("query, field", [
    ("/institutions?page=16483881340062219066408960", "page"),
    ("/agreements?institution_id=99999999999", "institution_id"),
    ("/assessments?agreement_id=-1", "agreement_id"),
    ("/findings?assessment_id=1.5", "assessment_id"),
])
def test_ids_beyond_the_range_in_the_query(api_as, query, field):
    response = api_as("a_bureau_admin").get(query)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("agreement_id", [99999999999, 2**31, 0, 1.0, 1.5])
def test_ids_beyond_the_range_or_not_integers_in_the_body(app, api_as, agreement_id):
    api = api_as("a_bureau_admin")
    before = _counts(app)
    response = api.post("/assessments", json={
        "agreement_id": agreement_id, "kind": "self", "period": "2026-10"})
    assert response.status_code == 422, response.get_json()
    assert "agreement_id" in response.get_json()["errors"]
    assert _counts(app) == before


def test_every_input_schema_uses_the_ranged_fields():
    """Id / Int / Day from saas.api.common, never a bare Integer or Date (no range)."""
    import marshmallow as ma

    from saas import api as api_package
    from saas.api import RESOURCES
    from saas.api.common import Day, Int, StrictSchema

    for name in RESOURCES:
        __import__(f"saas.api.{name}")

    def schemas(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from schemas(sub)

    assert api_package
    for schema in schemas(StrictSchema):
        for name, field in schema().fields.items():
            inner = field.inner if isinstance(field, ma.fields.List) else field
            if isinstance(inner, ma.fields.Integer):
                assert isinstance(inner, Int), f"{schema.__name__}.{name}"
            if isinstance(inner, ma.fields.Date):
                assert isinstance(inner, Day), f"{schema.__name__}.{name}"


@pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud800 surrogate"])
def test_nul_and_lone_surrogates_in_json_text(app, api_as, text):
    api = api_as("a_bureau_admin")
    before = _counts(app)
    agreement = _agreement_id(app)
    response = api.post(
        "/measures", data=json.dumps({"agreement_id": agreement, "measure": "warning",
                                      "basis": text}),
        content_type="application/json")
    assert response.status_code == 400
    assert response.content_type.startswith(PROBLEM)
    assert "basis" in response.get_json()["errors"]
    assert _counts(app) == before


def test_nul_in_a_query_and_in_a_page_form(api_as, web_as):
    response = api_as("a_bureau_admin").get("/institutions?q=a%00b")
    assert response.status_code == 400 and "q" in response.get_json()["errors"]
    page = web_as("a_bureau_admin")
    html = page.get("/agreements").get_data(as_text=True)
    response = page.post("/agreements", data={"csrf_token": csrf_from(html),
                                              "number": "X\x00", "institution_id": "1"})
    assert response.status_code == 400
    assert "空字符" in response.get_data(as_text=True)


def test_agreement_in_year_9999_is_refused_at_creation(app, api_as, web_as):
    from saas.models import Institution, Template
    with acting(app, "a_bureau_admin"):
        institution = db.session.execute(
            select(Institution.id).where(Institution.code == "AH1")).scalar_one()
        template = db.session.execute(
            select(Template.id).where(Template.code == "HOSP-2026")).scalar_one()
    api, page = api_as("a_bureau_admin"), web_as("a_bureau_admin")
    before = _counts(app)
    body = {"institution_id": institution, "template_id": template, "number": "Y-9999",
            "start": "9998-01-01", "end": "9999-12-31"}
    response = api.post("/agreements", json=body)
    assert response.status_code == 422
    assert {"start", "end"} <= set(response.get_json()["errors"])
    html = page.get("/agreements").get_data(as_text=True)
    response = page.post("/agreements", data={**body, "csrf_token": csrf_from(html)})
    assert response.status_code == 422
    assert "2099-12-31" in response.get_data(as_text=True)
    assert _counts(app) == before


def test_change_dated_before_the_calendar(app, api_as):
    api = api_as("a_bureau_admin")
    before = _counts(app)
    response = api.post(
        f"/agreements/{_agreement_id(app)}/changes",
        json={"field": "legal_representative", "new_value": "x", "changed_on": "0001-01-02"})
    assert response.status_code == 422 and "changed_on" in response.get_json()["errors"]
    assert _counts(app) == before


def test_multipart_part_without_a_name(api_as):
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n"
            f"--{boundary}--\r\n")
    response = api_as("ah1_admin").post(
        "/evidence", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert response.content_type.startswith(PROBLEM)


@pytest.mark.parametrize("depth", [40, 100_000])
def test_json_nested_deeper_than_allowed(api_as, depth):
    body = '{"basis": ' + "[" * depth + "]" * depth + "}"
    response = api_as("a_bureau_admin").post("/measures", data=body,
                                             content_type="application/json")
    assert response.status_code == 400
    assert response.content_type.startswith(PROBLEM)


def test_ten_megabyte_json_is_refused_before_parsing(app, api_as, monkeypatch):
    from flask import Request

    parsed = []
    monkeypatch.setattr(Request, "on_json_loading_failed",
                        lambda self, e: parsed.append(e))
    body = '{"basis": "' + "x" * (10 * 1024 * 1024) + '"}'
    response = api_as("a_bureau_admin").post("/measures", data=body,
                                             content_type="application/json")
    assert response.status_code == 413
    assert response.content_type.startswith(PROBLEM)
    assert app.config["MAX_JSON_BYTES"] == 1024 * 1024


def test_newline_in_next_never_reaches_a_header(client):
    response = client.get("/lang/en?next=/agreements%0d%0aSet-Cookie:%20x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "\\\\evil.example", "/%09/evil.example",
    "/\t/evil.example", "/%2F/evil.example", "https://evil.example/", "/%5Cevil.example",
    "javascript:alert(1)", "/\n/evil.example", " //evil.example", "/%2F%2Fevil.example",
])
def test_next_never_leaves_the_site(client, target):
    from urllib.parse import quote

    response = client.get(f"/lang/en?next={quote(target, safe='')}")
    assert response.headers["Location"] == "/", target


def test_next_keeps_a_local_path(client):
    response = client.get("/lang/en?next=/agreements%3Fstatus%3Dactive")
    assert response.headers["Location"] == "/agreements?status=active"


def test_page_filters_with_ids_beyond_the_range(web_as):
    page = web_as("a_bureau_admin")
    assert page.get("/assessments?institution_id=99999999999999999999999").status_code == 200
    assert page.get("/findings?assessment_id=99999999999999999999999").status_code == 200
    assert page.get("/agreements/99999999999999999999").status_code == 404


def test_failed_upload_leaves_no_orphan_file(app, api_as, monkeypatch):
    import io
    from pathlib import Path

    from saas.services import audit

    data = b"%PDF-1.4\n% orphan check " + str(id(app)).encode() + b"\n%%EOF\n"
    root = Path(app.config["STORAGE_URL"].removeprefix("file://"))
    before = set(root.rglob("*")) if root.exists() else set()

    def refuse(*args, **kwargs):
        raise RuntimeError("audit trail unavailable")

    api = api_as("ah1_admin")
    monkeypatch.setattr(audit, "record", refuse)
    response = api.post("/evidence", data={"file": (io.BytesIO(data), "a.pdf")},
                        content_type="multipart/form-data")
    assert response.status_code == 500, response.get_json()
    after = {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    assert {p for p in after if p not in before} == set()


def test_storage_unreachable_on_upload_is_a_503_and_writes_nothing(app, api_as, monkeypatch):
    import io

    from saas.models import Evidence

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    app.config.update(STORAGE_URL="s3://pact-evidence", S3_ENDPOINT_URL="http://127.0.0.1:9")
    api = api_as("ah1_admin")

    def evidence_rows():
        with acting(app, "ah1_admin"):
            return db.session.execute(select(func.count()).select_from(Evidence)).scalar()

    before = evidence_rows()
    response = api.post("/evidence", data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf")},
                        content_type="multipart/form-data")
    assert response.status_code == 503
    assert response.get_json()["detail"] == "文件存储暂不可用，请稍后重试"
    assert evidence_rows() == before
