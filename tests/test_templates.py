"""协议范本: reading, YAML import, validation errors, versions that never change, diff, pages."""

import copy
from io import BytesIO
from pathlib import Path

import pytest
import yaml

from conftest import acting, csrf_from

SPECS = Path(__file__).resolve().parent.parent / "tenants" / "specs" / "templates"


def hospital_spec() -> dict:
    return yaml.safe_load((SPECS / "hospital-2026.yaml").read_text(encoding="utf-8"))


def import_yaml(api, spec, name="template.yaml"):
    data = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False).encode()
    return api.post("/templates/import", data={"file": (BytesIO(data), name)},
                    content_type="multipart/form-data")


def template_ids(api) -> dict:
    items = api.get("/templates?page_size=200").get_json()["items"]
    return {(t["code"], t["version"]): t["id"] for t in items}


def indicator_path(spec, code) -> tuple[int, int]:
    for i, clause in enumerate(spec["clauses"]):
        for j, ind in enumerate(clause.get("indicators") or []):
            if ind["code"] == code:
                return i, j
    raise KeyError(code)


def counts(app) -> tuple[int, int]:
    """(template versions of region A, audit entries): both unchanged by a refused import."""
    from sqlalchemy import func, select

    from saas.extensions import db
    from saas.models import AuditEntry, Template

    with acting(app, "a_bureau_admin"):
        return (db.session.execute(select(func.count()).select_from(Template)).scalar_one(),
                db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


# ------------------------------------------------------------------------------ reading


def test_templates_are_scoped_to_the_region(api_as):
    assert set(template_ids(api_as("a_bureau_admin"))) == {("HOSP-2026", 1), ("PHARM-2026", 1)}
    assert set(template_ids(api_as("b_bureau_admin"))) == {("HOSP-2026", 1)}
    # an institution sees the templates for its kind only
    assert set(template_ids(api_as("ah1_admin"))) == {("HOSP-2026", 1)}
    assert set(template_ids(api_as("ap1_admin"))) == {("PHARM-2026", 1)}


def test_a_template_for_another_kind_is_404_to_an_institution(api_as, web_as):
    ids = {t["code"]: t["id"] for t in api_as("a_bureau_admin").get(
        "/templates").get_json()["items"]}
    assert api_as("ah1_admin").get(f"/templates/{ids['PHARM-2026']}").status_code == 404
    assert api_as("ap1_admin").get(f"/templates/{ids['PHARM-2026']}").status_code == 200
    assert web_as("ah1_admin").get(f"/templates/{ids['PHARM-2026']}").status_code == 404
    assert "PHARM-2026" not in web_as("ah1_admin").get("/templates").get_data(as_text=True)


def test_template_detail_has_settings_with_defaults(api_as):
    api = api_as("a_bureau_admin")
    body = api.get(f"/templates/{template_ids(api)[('HOSP-2026', 1)]}").get_json()
    assert body["applies_to"] == ["hospital"]
    assert body["perspective_weights"] == {"financial": 25, "patient": 25, "process": 25,
                                           "learning": 25}
    assert body["grade_bands"] == {"excellent": 90, "pass": 75, "basic": 60}
    assert body["thresholds"][-1] == {"points": 12, "measure": "suspension", "months": 3}


def test_clauses_nest_their_indicators(api_as):
    api = api_as("ah1_admin")
    template_id = template_ids(api)[("HOSP-2026", 1)]
    body = api.get(f"/templates/{template_id}/clauses?page_size=200").get_json()
    spec = hospital_spec()
    assert [c["number"] for c in body["items"]] == [c["number"] for c in spec["clauses"]]
    clause = next(c for c in body["items"] if c["number"] == "1.1.1")
    assert clause["depth"] == 2
    indicator = clause["indicators"][0]
    assert indicator["code"] == "TRAIN-COVERAGE"
    for field in ("name", "name_en", "perspective", "unit", "direction", "target", "warning",
                  "zero", "max_points", "frequency", "data_source", "evidence_required"):
        assert field in indicator
    assert indicator["evidence_required"] is True and indicator["target"] == 100


def test_another_regions_template_is_404(api_as):
    foreign = template_ids(api_as("b_bureau_admin"))[("HOSP-2026", 1)]
    api = api_as("a_bureau_admin")
    for suffix in ("", "/clauses", "/diff", "/export.xlsx"):
        response = api.get(f"/templates/{foreign}{suffix}")
        assert response.status_code == 404, suffix
    own = template_ids(api)[("HOSP-2026", 1)]
    assert api.get(f"/templates/{own}/diff?against={foreign}").status_code == 404


def test_published_versions_have_no_write_endpoints(api_as):
    api = api_as("a_bureau_admin")
    template_id = template_ids(api)[("HOSP-2026", 1)]
    for method in ("put", "patch", "delete"):
        assert getattr(api, method)(f"/templates/{template_id}", json={}).status_code == 405


# ------------------------------------------------------------------------------- import


def test_importing_the_same_content_creates_no_version(app, api_as):
    api = api_as("a_bureau_admin")
    before = counts(app)
    response = import_yaml(api, hospital_spec())
    assert response.status_code == 200
    assert response.get_json()["id"] == template_ids(api)[("HOSP-2026", 1)]
    assert counts(app) == before


def test_importing_changed_content_publishes_the_next_version(app, api_as):
    api = api_as("a_bureau_admin")
    spec = hospital_spec()
    i, j = indicator_path(spec, "TRAIN-COVERAGE")
    spec["clauses"][i]["indicators"][j]["zero"] = 70
    response = import_yaml(api, spec)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"] == 2
    assert set(template_ids(api)) >= {("HOSP-2026", 1), ("HOSP-2026", 2)}
    latest = api.get("/templates?code=HOSP-2026&latest=true").get_json()["items"]
    assert [t["version"] for t in latest] == [2]


@pytest.mark.parametrize("who", ["a_bureau_inspector", "ah1_admin", "ap1_admin"])
def test_only_bureau_admin_imports(api_as, who):
    assert import_yaml(api_as(who), hospital_spec()).status_code == 403


def test_import_needs_a_file_of_a_known_kind(api_as):
    api = api_as("a_bureau_admin")
    missing = api.post("/templates/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "file" in missing.get_json()["errors"]
    wrong = api.post("/templates/import", data={"file": (BytesIO(b"x"), "template.docx")},
                     content_type="multipart/form-data")
    assert wrong.status_code == 422
    assert "不支持的文件类型" in wrong.get_json()["errors"]["file"][0]
    broken = api.post("/templates/import", data={"file": (BytesIO(b"a: [1, 2"), "t.yaml")},
                      content_type="multipart/form-data")
    assert broken.status_code == 422
    assert "YAML 语法错误" in broken.get_json()["detail"]


def _break(spec, what):
    spec = copy.deepcopy(spec)
    i, j = indicator_path(spec, "TRAIN-COVERAGE")
    indicator = spec["clauses"][i]["indicators"][j]
    if what == "warning":  # higher is better: a warning line below the target is wrong
        indicator["warning"] = 90
        return spec, f"clauses[{i}].indicators[{j}].warning", "预警线"
    if what == "weights":
        spec["perspective_weights"]["financial"] = 15
        return spec, "perspective_weights", "权重之和应为 100"
    if what == "duplicate":
        k, m = indicator_path(spec, "MOCK-INSPECTION")
        spec["clauses"][k]["indicators"][m]["code"] = "TRAIN-COVERAGE"
        return spec, f"clauses[{k}].indicators[{m}].code", "重复"
    if what == "perspective":
        indicator["perspective"] = "finance"
        return spec, f"clauses[{i}].indicators[{j}].perspective", "未知维度"
    raise ValueError(what)


@pytest.mark.parametrize("what", ["warning", "weights", "duplicate", "perspective"])
def test_validation_errors_name_the_field_and_write_nothing(app, api_as, what):
    api = api_as("a_bureau_admin")
    spec, path, words = _break(hospital_spec(), what)
    spec["clauses"][0]["title"] = "改过的标题"  # would be a new version if it were valid
    before = counts(app)
    response = import_yaml(api, spec)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.get_json()
    assert path in body["errors"], body["errors"]
    message = body["errors"][path][0]
    assert words in message and message.startswith("第 ")
    assert counts(app) == before


def test_several_problems_are_reported_together(api_as):
    spec, _, _ = _break(hospital_spec(), "warning")
    spec["perspective_weights"] = {"financial": 25, "patient": 25, "process": 25, "learn": 25}
    errors = import_yaml(api_as("a_bureau_admin"), spec).get_json()["errors"]
    assert "perspective_weights.learn" in errors
    assert any(key.endswith(".warning") for key in errors)


# ------------------------------------------------------------------- versions never change


def test_a_new_version_never_changes_a_signed_agreement(app, api_as, web_as):
    api = api_as("a_bureau_admin")
    v1 = template_ids(api)[("HOSP-2026", 1)]
    v1_clauses = api.get(f"/templates/{v1}/clauses?page_size=200").get_json()
    spec = hospital_spec()
    spec["clauses"][0]["title"] = "医保政策执行与全员培训（2026 修订）"
    i, j = indicator_path(spec, "TRAIN-COVERAGE")
    spec["clauses"][i]["indicators"][j]["target"] = 95
    spec["clauses"][i]["indicators"][j]["zero"] = 70
    v2 = import_yaml(api, spec)
    assert v2.status_code == 201

    after = api.get(f"/templates/{v1}/clauses?page_size=200").get_json()
    assert after["items"] == v1_clauses["items"] and after["total"] == v1_clauses["total"]
    agreements = api.get("/agreements?page_size=200").get_json()["items"]
    signed = next(a for a in agreements if a["number"] == "A-2026-001")
    assert signed["template_id"] == v1 and signed["template_version"] == 1

    page = web_as("a_bureau_admin").get(f"/agreements/{signed['id']}").get_data(as_text=True)
    assert "医保政策执行与培训" in page and "2026 修订" not in page
    v2_page = web_as("a_bureau_admin").get(
        f"/templates/{v2.get_json()['id']}").get_data(as_text=True)
    assert "2026 修订" in v2_page


@pytest.mark.parametrize("what", ["template", "clause", "indicator", "delete"])
def test_a_published_version_cannot_be_edited_in_place(app, what):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import Clause, Indicator, Template
    from saas.models.agreements import PublishedVersionError

    with acting(app, "a_bureau_admin"):
        first = {"template": Template, "clause": Clause, "indicator": Indicator,
                 "delete": Indicator}[what]
        obj = db.session.execute(select(first).limit(1)).scalar_one()
        if what == "delete":
            db.session.delete(obj)
        else:
            setattr(obj, "title" if what == "clause" else "name", "就地修改")
        with pytest.raises(PublishedVersionError):
            db.session.flush()
        db.session.rollback()


# --------------------------------------------------------------------------------- diff


def test_diff_between_versions(api_as):
    api = api_as("a_bureau_admin")
    spec = hospital_spec()
    spec["clauses"][0]["title"] = "新标题"
    i, j = indicator_path(spec, "TRAIN-COVERAGE")
    spec["clauses"][i]["indicators"][j]["zero"] = 70
    del spec["clauses"][-1]
    v2 = import_yaml(api, spec).get_json()["id"]
    v1 = template_ids(api)[("HOSP-2026", 1)]

    body = api.get(f"/templates/{v2}/diff").get_json()
    assert (body["against"]["version"], body["template"]["version"]) == (1, 2)
    changes = {(c["kind"], c["code_or_number"]): c for c in body["changes"]}
    assert changes[("clause", "1")]["fields"]["title"] == ["医保政策执行与培训", "新标题"]
    assert changes[("indicator", "TRAIN-COVERAGE")]["fields"]["zero"] == [80, 70]
    removed = hospital_spec()["clauses"][-1]["number"]
    assert changes[("clause", removed)]["change"] == "removed"

    reverse = api.get(f"/templates/{v1}/diff?against={v2}").get_json()
    assert {(c["kind"], c["code_or_number"], c["change"]) for c in reverse["changes"]} >= {
        ("clause", removed, "added")}


def test_diff_of_a_first_version_needs_a_target(api_as):
    api = api_as("a_bureau_admin")
    response = api.get(f"/templates/{template_ids(api)[('HOSP-2026', 1)]}/diff")
    assert response.status_code == 422
    assert "against" in response.get_json()["errors"]


# -------------------------------------------------------------------------------- pages


def test_template_pages(api_as, web_as):
    api = api_as("a_bureau_admin")
    spec = hospital_spec()
    spec["clauses"][0]["title"] = "新标题"
    v2 = import_yaml(api, spec).get_json()["id"]
    web = web_as("a_bureau_admin")
    listing = web.get("/templates").get_data(as_text=True)
    assert "HOSP-2026" in listing and "PHARM-2026" in listing
    assert 'id="template-import"' in listing and 'name="csrf_token"' in listing

    detail = web.get(f"/templates/{v2}").get_data(as_text=True)
    assert "与上一版本比较" in detail and "clause-2" in detail
    assert "TRAIN-COVERAGE" in detail and "学习与成长" in detail and "越高越好" in detail

    diff = web.get(f"/templates/{v2}/diff").get_data(as_text=True)
    assert "新标题" in diff and "修改" in diff

    first = template_ids(api)[("PHARM-2026", 1)]
    redirect = web.get(f"/templates/{first}/diff")
    assert redirect.status_code == 302
    assert "只有一个版本" in web.get(redirect.headers["Location"]).get_data(as_text=True)


def test_institution_sees_templates_without_upload(web_as):
    listing = web_as("ah1_admin").get("/templates").get_data(as_text=True)
    assert "HOSP-2026" in listing and 'id="template-import"' not in listing


def test_page_upload_shows_errors_as_flash_messages(app, web_as):
    web = web_as("a_bureau_admin")
    token = csrf_from(web.get("/templates").get_data(as_text=True))
    spec, _, _ = _break(hospital_spec(), "weights")
    data = yaml.safe_dump(spec, allow_unicode=True).encode()
    response = web.post("/templates/import", data={"file": (BytesIO(data), "t.yaml"),
                                                   "csrf_token": token},
                        content_type="multipart/form-data")
    assert response.status_code == 302
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "权重之和应为 100" in page

    spec["perspective_weights"]["financial"] = 25
    spec["clauses"][0]["title"] = "新标题"
    data = yaml.safe_dump(spec, allow_unicode=True).encode()
    ok = web.post("/templates/import", data={"file": (BytesIO(data), "t.yaml"),
                                             "csrf_token": token},
                  content_type="multipart/form-data")
    assert "已发布 HOSP-2026 第 2 版" in web.get(ok.headers["Location"]).get_data(as_text=True)


def test_page_upload_is_refused_to_institutions(web_as):
    web = web_as("ah1_admin")
    token = csrf_from(web.get("/templates").get_data(as_text=True))
    data = yaml.safe_dump(hospital_spec(), allow_unicode=True).encode()
    response = web.post("/templates/import", data={"file": (BytesIO(data), "t.yaml"),
                                                   "csrf_token": token},
                        content_type="multipart/form-data")
    assert response.status_code == 403
