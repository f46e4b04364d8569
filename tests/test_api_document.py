"""The API says what it does (issue 13, item 2): errors documented and answered as
problem+json, RFC 3339 timestamps with their offset, 405 with Allow, empty bodies for
actions without one, and a valid multipart description of POST /evidence."""

import re

from assessment_helpers import create

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def _response(spec, response: dict) -> dict:
    if "$ref" in response:
        return spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def test_every_error_response_is_documented_as_problem_json(client):
    spec = _spec(client)
    wrong = []
    for path, method, operation in _operations(spec):
        assert "default" in operation["responses"], f"{method} {path}"
        for code, response in operation["responses"].items():
            if code == "default" or code.startswith(("4", "5")):
                content = _response(spec, response).get("content", {})
                if list(content) != ["application/problem+json"]:
                    wrong.append(f"{method} {path} {code}: {list(content)}")
    assert not wrong, "\n".join(wrong)
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "status", "title", "detail", "errors"} <= set(problem)


def test_no_parameter_is_form_data_and_evidence_is_one_multipart_body(client):
    spec = _spec(client)
    for path, method, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            assert parameter.get("in") in ("path", "query", "header", "cookie"), (
                f"{method} {path}: {parameter}")
    body = spec["paths"]["/api/v1/evidence"]["post"]["requestBody"]
    schema_ref = body["content"]["multipart/form-data"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert set(schema["properties"]) == {"file", "institution_id"}
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert schema["required"] == ["file"]


def test_an_upload_still_takes_its_form_field(app, api_as):
    import io

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    bureau = api_as("a_bureau_admin")
    missing = bureau.post("/evidence", data={"file": (io.BytesIO(png), "a.png")},
                          content_type="multipart/form-data")
    assert missing.status_code == 422  # a bureau user names the institution
    nameless = bureau.post("/evidence", data={"institution_id": "x",
                                              "file": (io.BytesIO(png), "a.png")},
                           content_type="multipart/form-data")
    assert nameless.status_code == 422 and "institution_id" in nameless.get_json()["errors"]
    own = api_as("ah1_admin").post("/evidence", data={"file": (io.BytesIO(png), "a.png")},
                                   content_type="multipart/form-data")
    assert own.status_code == 201, own.get_json()
    assert RFC3339.match(own.get_json()["created_at"])


def test_timestamps_carry_their_offset(app, api_as):
    inspector = api_as("a_bureau_inspector")
    created = create(inspector, app, kind="routine", period="2026-05")
    assert RFC3339.match(created["created_at"]), created["created_at"]
    page = inspector.get("/assessments").get_json()
    assert RFC3339.match(page["total_counted_at"]), page["total_counted_at"]
    assert all(RFC3339.match(a["created_at"]) for a in page["items"])
    spec_field = _spec(inspector.client)["components"]["schemas"]["Assessment"]
    assert spec_field["properties"]["created_at"]["format"] == "date-time"


def test_a_method_not_allowed_answers_405_with_allow(api_as):
    response = api_as("ah1_admin").delete("/me")
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET"}
    assert response.get_json()["status"] == 405


def test_actions_without_a_body_accept_an_empty_one(app, api_as):
    from conftest import USERS, user_by_email

    with app.app_context():
        staff = user_by_email(USERS["ah1_staff"]).id
    admin = api_as("a_bureau_admin")
    bare = admin.post(f"/users/{staff}/unlock")  # no body, no Content-Type
    assert bare.status_code == 200, bare.get_json()
    inspector = api_as("a_bureau_inspector")
    routine = create(inspector, app, kind="routine", period="2026-05")
    finding = inspector.post("/findings", json={
        "assessment_id": routine["id"], "category": "other", "severity": "general",
        "description": "空请求体确认"}).get_json()
    confirmed = admin.post(f"/findings/{finding['id']}/confirm")  # no body at all
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["status"] == "confirmed"
