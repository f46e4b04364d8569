"""Measurements: scores and colours worked by hand against the shipped indicators
(tenants/specs/templates/*.yaml), the bulk PUT, .xlsx/.csv import (bad rows → nothing
saved), the downloadable templates and the web form."""

import csv
import io

import pytest

from assessment_helpers import AP1, by_code, create, put
from conftest import acting, csrf_from

MONTH_CODES = ["RECT-ON-TIME", "VIOL-RATIO", "SETTLE-OVERDUE-TRACK", "DATA-UPLOAD",
               "SYS-RECOVERY", "COMPLAINT-24H", "RX-REVIEW"]


def _row(code, value, **extra):
    return {"indicator_code": code, "value": value, **extra}


def test_a_month_lists_the_monthly_indicators_a_quarter_adds_the_quarterly(app, api_as):
    api = api_as("ah1_admin")
    month = create(api, app, period="2026-03")
    card = api.get(f"/assessments/{month['id']}/scorecard").get_json()
    assert [r["code"] for r in card["indicators"]] == MONTH_CODES
    quarter = create(api, app, period="2026-Q1")
    card = api.get(f"/assessments/{quarter['id']}/scorecard").get_json()
    assert len(card["indicators"]) == 15 and "MOCK-INSPECTION" in by_code(card)
    viol = by_code(card)["VIOL-RATIO"]
    assert (viol["unit"], viol["target"], viol["warning"], viol["zero"], viol["max_points"],
            viol["perspective"], viol["clause_number"]) == ("%", 0.5, 0.4, 1.0, 10, "financial",
                                                           "2.1.1")


def test_month_scorecard_worked_by_hand(app, api_as):
    """2026-03 self-inspection of 甲区第一医院 (HOSP-2026, weights 25 each)."""
    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-03")
    card = put(api, draft["id"], [
        _row("VIOL-RATIO", 0.75),            # red: 10 × (0.5 − 0.25) / 0.5 = 5
        _row("SETTLE-OVERDUE-TRACK", 100),   # green: 5
        _row("COMPLAINT-24H", 95),           # red: 6 × (10 − 5) / 10 = 3
        _row("DATA-UPLOAD", 97.5),           # red: 8 × (5 − 2.5) / 5 = 4
        _row("SYS-RECOVERY", None, not_applicable=True),
        _row("RECT-ON-TIME", 96),            # meets 95, past warning 98: yellow, 10
        # RX-REVIEW: no data
    ])
    rows = by_code(card)
    assert [(rows[c]["score"], rows[c]["color"]) for c in MONTH_CODES] == [
        (10, "yellow"), (5, "red"), (5, "green"), (4, "red"), (None, "no_data"),
        (3, "red"), (None, "no_data")]
    assert rows["SYS-RECOVERY"]["status"] == "not_applicable"
    assert rows["RX-REVIEW"]["status"] == "missing"
    # financial 10/15, patient 3/6, process 4/8 (N/A and missing left out), learning 10/10
    assert card["perspectives"] == {"financial": 66.67, "patient": 50.0, "process": 50.0,
                                    "learning": 100.0}
    assert card["total"] == 66.67 and card["grade"] == "basic"
    assert card["completeness"] == pytest.approx(5 / 6)
    stored = api.get(f"/assessments/{draft['id']}").get_json()
    assert (stored["total"], stored["grade"]) == (66.67, "basic")
    assert stored["perspectives"]["financial"] == 66.67


@pytest.mark.parametrize(("code", "value", "score", "color"), [
    # 违规费用占比 ≤ 0.5 %, warning 0.4, zero 1.0, 10 points (lower is better)
    ("VIOL-RATIO", 0.3, 10, "green"), ("VIOL-RATIO", 0.4, 10, "green"),
    ("VIOL-RATIO", 0.45, 10, "yellow"), ("VIOL-RATIO", 0.5, 10, "yellow"),
    ("VIOL-RATIO", 0.75, 5, "red"), ("VIOL-RATIO", 1.0, 0, "red"),
    ("VIOL-RATIO", 1.6, 0, "red"),
    # 住院次均费用增幅 ≤ 5 %, warning 4, zero 10, 8 points; a fall is fine
    ("IP-COST-GROWTH", -2, 8, "green"), ("IP-COST-GROWTH", 4.5, 8, "yellow"),
    ("IP-COST-GROWTH", 7.5, 4, "red"),
    # 整改事项按期销号率 ≥ 95 %, warning 98, zero 70, 10 points (higher is better)
    ("RECT-ON-TIME", 100, 10, "green"), ("RECT-ON-TIME", 98, 10, "green"),
    ("RECT-ON-TIME", 97, 10, "yellow"), ("RECT-ON-TIME", 95, 10, "yellow"),
    ("RECT-ON-TIME", 82.5, 5, "red"), ("RECT-ON-TIME", 70, 0, "red"),
    # 数据按规上传率 ≥ 100 %, no warning line, zero 95, 8 points
    ("DATA-UPLOAD", 100, 8, "green"), ("DATA-UPLOAD", 99, 6.4, "red"),
    ("DATA-UPLOAD", 95, 0, "red"),
    # 参保患者满意度 ≥ 90 分, warning 92, zero 70, 8 points (unit: score)
    ("SATISFACTION", 92, 8, "green"), ("SATISFACTION", 91, 8, "yellow"),
    ("SATISFACTION", 80, 4, "red"),
    # 季度模拟检查按期开展: yes/no, 5 points
    ("MOCK-INSPECTION", True, 5, "green"), ("MOCK-INSPECTION", False, 0, "red"),
    ("MOCK-INSPECTION", "是", 5, "green"), ("MOCK-INSPECTION", "否", 0, "red"),
])
def test_indicator_colour_boundaries(app, api_as, code, value, score, color):
    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-Q2")
    row = by_code(put(api, draft["id"], [_row(code, value)]))[code]
    assert (row["score"], row["color"]) == (score, color)


@pytest.mark.parametrize(("value", "total", "grade"), [
    (0.55, 90.0, "excellent"), (0.6, 80.0, "pass"), (0.625, 75.0, "pass"),
    (0.65, 70.0, "basic"), (0.7, 60.0, "basic"), (0.71, 58.0, "fail"),
])
def test_grade_boundaries(app, api_as, value, total, grade):
    """Only VIOL-RATIO measured: total = its score × 10 (one perspective with data)."""
    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-04")
    card = put(api, draft["id"], [_row("VIOL-RATIO", value)])
    assert (card["total"], card["grade"]) == (total, grade)


def test_pharmacy_template_weights(app, api_as):
    """PHARM-2026 weighs financial 30 and learning 15: 100 and 0 give 30×100/45."""
    api = api_as("ap1_admin")
    draft = create(api, app, number=AP1, period="2026-Q1")
    card = put(api, draft["id"], [_row("VIOL-RATIO", 0.3), _row("TRAIN-COVERAGE", 80)])
    assert card["perspectives"]["financial"] == 100.0
    assert card["perspectives"]["learning"] == 0.0
    assert card["total"] == 66.67 and card["grade"] == "basic"


def test_put_is_all_or_nothing(app, api_as):
    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-03")
    put(api, draft["id"], [_row("VIOL-RATIO", 0.3)])
    body = put(api, draft["id"], [
        _row("VIOL-RATIO", 0.9),
        _row("DATA-UPLOAD", "九十"),
        _row("NOPE", 1),
        _row("VIOL-RATIO", 0.2),
        _row("TRAIN-COVERAGE", 100),  # quarterly: not due in a month
        _row("RX-REVIEW", -1),
    ], expect=422)
    assert set(body["errors"]) == {"row 2", "row 3", "row 4", "row 5", "row 6"}
    assert "不是数字" in body["errors"]["row 2"][0]
    assert body["errors"]["row 6"] == ["处方点评率：应在 0 到 100 之间"]
    assert "重复" in body["errors"]["row 4"][0]
    assert "未保存任何数据" in body["detail"]
    card = api.get(f"/assessments/{draft['id']}/scorecard").get_json()
    assert by_code(card)["VIOL-RATIO"]["value"] == 0.3  # the good first row was not saved


@pytest.mark.parametrize("rows", [
    [{"indicator_code": "VIOL-RATIO", "value": 1, "extra": 1}],
    [{"value": 1}],
    {"indicator_code": "VIOL-RATIO", "value": 1},
    [{"indicator_code": "VIOL-RATIO", "value": 1, "evidence_ids": ["a"]}],
    [{"indicator_code": "VIOL-RATIO", "value": 1, "note": "x" * 2001}],
])
def test_put_rejects_malformed_bodies(app, api_as, rows):
    api = api_as("ah1_admin")
    draft = create(api, app)
    assert put(api, draft["id"], rows, expect=422)["status"] == 422


def test_put_clears_and_marks_not_applicable(app, api_as):
    api = api_as("ah1_admin")
    draft = create(api, app)
    put(api, draft["id"], [_row("VIOL-RATIO", 0.3), _row("DATA-UPLOAD", 100)])
    card = put(api, draft["id"], [_row("VIOL-RATIO", None),
                                  _row("DATA-UPLOAD", 50, not_applicable=True)])
    rows = by_code(card)
    assert rows["VIOL-RATIO"]["status"] == "missing"
    assert rows["DATA-UPLOAD"]["status"] == "not_applicable"
    assert rows["DATA-UPLOAD"]["value"] is None
    assert card["total"] is None and card["grade"] is None
    assert card["perspectives"] == dict.fromkeys(("financial", "patient", "process",
                                                  "learning"))
    assert card["completeness"] == 0


def _evidence(api, name="证明.pdf", data=b"%PDF-1.4\n%x\n", **form):
    response = api.post("/evidence", data={"file": (io.BytesIO(data), name), **form},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_put_attaches_and_replaces_evidence(app, api_as):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import Evidence

    api = api_as("ah1_admin")
    draft = create(api, app)
    first, second = _evidence(api), _evidence(api, "b.pdf", b"%PDF-1.4\n%y\n")
    put(api, draft["id"], [_row("RX-REVIEW", 100, evidence_ids=[first, second])])
    put(api, draft["id"], [_row("RX-REVIEW", 100, evidence_ids=[second])])
    put(api, draft["id"], [_row("RX-REVIEW", 90)])  # evidence_ids absent: unchanged
    with acting(app, "ah1_admin"):
        linked = dict(db.session.execute(
            select(Evidence.id, Evidence.measurement_id).where(
                Evidence.id.in_([first, second]))).all())
    assert linked[first] is None and linked[second] is not None
    # Someone else's file, or one proving another indicator, is refused.
    other = _evidence(api_as("ah2_admin"))
    body = put(api, draft["id"], [_row("VIOL-RATIO", 0.1, evidence_ids=[other])], expect=422)
    assert "不属于本机构" in body["errors"]["row 1"][0]
    body = put(api, draft["id"], [_row("VIOL-RATIO", 0.1, evidence_ids=[second])], expect=422)
    assert "已关联其他指标" in body["errors"]["row 1"][0]


def test_measurements_are_audited(app, api_as):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import AuditEntry

    api = api_as("ah1_admin")
    draft = create(api, app)
    put(api, draft["id"], [_row("VIOL-RATIO", 0.3)])
    put(api, draft["id"], [_row("VIOL-RATIO", 0.3)])  # no change: no entry
    put(api, draft["id"], [_row("VIOL-RATIO", 0.6)])
    with app.app_context():
        entries = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "measurements.saved")).scalars().all()
        changes = [(e.before["VIOL-RATIO"], e.after["values"]["VIOL-RATIO"]["value"])
                   for e in entries]
    assert changes == [(None, 0.3), ({"value": 0.3, "not_applicable": False, "note": None},
                                     0.6)]


# --------------------------------------------------------------------------- files

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(rows, header=("指标编码", "指标名称", "数值", "不适用", "备注")):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "指标数据"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(api, assessment_id, data, name, expect=200):
    response = api.post(f"/assessments/{assessment_id}/measurements/upload",
                        data={"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_template_xlsx_is_prefilled(app, api_as):
    from openpyxl import load_workbook

    api = api_as("ah1_admin")
    draft = create(api, app)
    put(api, draft["id"], [_row("VIOL-RATIO", 0.45, note="抽查")])
    response = api.get(f"/assessments/{draft['id']}/measurements/template.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data))["指标数据"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:9] == ("指标编码", "指标名称", "所属视角", "单位", "方向", "目标值",
                           "预警线", "零分线", "数值")
    assert [r[0] for r in rows[1:]] == MONTH_CODES
    viol = rows[1 + MONTH_CODES.index("VIOL-RATIO")]
    assert viol[1:9] == ("违规费用占比", "财务", "%", "越低越好 ≤", 0.5, 0.4, 1, 0.45)
    assert viol[10] == "抽查"


def test_template_round_trips(app, api_as):
    """Download, fill in the value column, upload: saved as typed."""
    from openpyxl import load_workbook

    api = api_as("ah1_admin")
    draft = create(api, app)
    book = load_workbook(io.BytesIO(
        api.get(f"/assessments/{draft['id']}/measurements/template.xlsx").data))
    sheet = book["指标数据"]
    for row in sheet.iter_rows(min_row=2):
        row[8].value = {"VIOL-RATIO": 0.45, "DATA-UPLOAD": "100%"}.get(row[0].value)
        if row[0].value == "SYS-RECOVERY":
            row[9].value = "是"
    out = io.BytesIO()
    book.save(out)
    rows = by_code(_upload(api, draft["id"], out.getvalue(), "filled.xlsx"))
    assert (rows["VIOL-RATIO"]["value"], rows["VIOL-RATIO"]["color"]) == (0.45, "yellow")
    assert rows["DATA-UPLOAD"]["value"] == 100
    assert rows["SYS-RECOVERY"]["status"] == "not_applicable"


def test_template_csv_has_bom_and_codes(app, api_as):
    api = api_as("ah1_admin")
    draft = create(api, app)
    response = api.get(f"/assessments/{draft['id']}/measurements/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert lines[0][0] == "指标编码" and [line[0] for line in lines[1:]] == MONTH_CODES


def test_xlsx_with_bad_rows_saves_nothing(app, api_as):
    from sqlalchemy import func, select

    from saas.extensions import db
    from saas.models import Measurement

    api = api_as("ah1_admin")
    draft = create(api, app)
    data = _xlsx([
        ("VIOL-RATIO", "违规费用占比", 0.3, None, None),     # row 2: fine
        ("DATA-UPLOAD", "数据按规上传率", "很好", None, None),  # row 3: not a number
        (None, None, None, None, None),                        # row 4: blank, skipped
        ("NO-SUCH", "?", 1, None, None),                       # row 5: unknown code
        ("RX-REVIEW", "处方点评率", 100, "也许", None),         # row 6: bad N/A flag
        ("SETTLE-OVERDUE-TRACK", "", -5, None, None),          # row 7: a % below 0
    ])
    body = _upload(api, draft["id"], data, "bad.xlsx", expect=422)
    assert set(body["errors"]) == {"row 3", "row 5", "row 6", "row 7"}
    assert "NO-SUCH" in body["errors"]["row 5"][0]
    with acting(app, "ah1_admin"):
        assert db.session.execute(select(func.count()).select_from(Measurement).where(
            Measurement.assessment_id == draft["id"])).scalar_one() == 0


def test_csv_upload_in_gbk_with_english_headers(app, api_as):
    api = api_as("ah1_admin")
    draft = create(api, app)
    text = "indicator_code,value,note\r\nVIOL-RATIO,0.3,自查\r\nCOMPLAINT-24H,95,\r\n"
    rows = by_code(_upload(api, draft["id"], text.encode("gbk"), "数据.csv"))
    assert rows["VIOL-RATIO"]["note"] == "自查"
    assert (rows["COMPLAINT-24H"]["score"], rows["COMPLAINT-24H"]["color"]) == (3, "red")


def test_csv_with_a_bad_row(app, api_as):
    api = api_as("ah1_admin")
    draft = create(api, app)
    text = "指标编码,数值\nVIOL-RATIO,0.3\nVIOL-RATIO,0.4\n"
    body = _upload(api, draft["id"], text.encode(), "x.csv", expect=422)
    assert list(body["errors"]) == ["row 3"]


@pytest.mark.parametrize(("data", "name"), [
    (b"\x89PNG\r\n\x1a\n" + b"0" * 20, "photo.png"),
    (b"not,a,template\n1,2,3\n", "x.csv"),
    (b"PK\x03\x04broken", "broken.xlsx"),
    (b"", "empty.csv"),
    (b"\xff\xfe\x00\x00binary", "x.csv"),
])
def test_upload_rejects_what_is_not_a_template(app, api_as, data, name):
    api = api_as("ah1_admin")
    draft = create(api, app)
    body = _upload(api, draft["id"], data, name, expect=422)
    assert "file" in body["errors"]


def test_upload_needs_edit_permission_and_a_draft(app, api_as):
    api = api_as("ah1_admin")
    draft = create(api, app)
    data = _xlsx([("VIOL-RATIO", "", 0.3, None, None)])
    _upload(api_as("ah1_mock"), draft["id"], data, "a.xlsx", expect=403)
    _upload(api_as("ah2_admin"), draft["id"], data, "a.xlsx", expect=404)
    api.post(f"/assessments/{draft['id']}/submit", json={})
    _upload(api, draft["id"], data, "a.xlsx", expect=409)


# --------------------------------------------------------------------------- web form


def test_web_form_saves_and_shows_colours(app, api_as, web_as):
    draft = create(api_as("ah1_admin"), app)
    client = web_as("ah1_staff")  # staff enter data; they may not submit a self-inspection
    page = client.get(f"/assessments/{draft['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-indicator="VIOL-RATIO"' in html and 'data-direction="lower_better"' in html
    assert "measurements.js" in html and 'id="submit-assessment"' not in html
    form = {f"value-{code}": "" for code in MONTH_CODES}
    form.update({"csrf_token": csrf_from(html), "value-VIOL-RATIO": "0.45",
                 "value-DATA-UPLOAD": "99", "na-SYS-RECOVERY": "1", "note-VIOL-RATIO": "月报"})
    response = client.post(f"/assessments/{draft['id']}", data=form)
    assert response.status_code == 302
    html = client.get(f"/assessments/{draft['id']}").get_data(as_text=True)
    assert 'value="0.45"' in html and "月报" in html
    assert 'class="badge-color color-yellow" data-color-for="VIOL-RATIO"' in html
    assert 'class="badge-color color-red" data-color-for="DATA-UPLOAD"' in html


def test_web_form_bad_value_saves_nothing(app, api_as, web_as):
    api = api_as("ah1_admin")
    draft = create(api, app)
    put(api, draft["id"], [_row("VIOL-RATIO", 0.3)])
    client = web_as("ah1_admin")
    html = client.get(f"/assessments/{draft['id']}").get_data(as_text=True)
    response = client.post(f"/assessments/{draft['id']}", data={
        "csrf_token": csrf_from(html), "value-VIOL-RATIO": "0.9", "value-DATA-UPLOAD": "abc"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "未保存任何数据" in text and "「abc」不是数字" in text
    assert 'value="abc"' in text  # what the user typed is kept on the form
    assert by_code(api.get(f"/assessments/{draft['id']}/scorecard").get_json())[
        "VIOL-RATIO"]["value"] == 0.3


def test_web_form_refuses_a_value_outside_its_range_by_indicator_name(app, api_as, web_as):
    api = api_as("ah1_admin")
    draft = create(api, app)
    client = web_as("ah1_admin")
    html = client.get(f"/assessments/{draft['id']}").get_data(as_text=True)
    response = client.post(f"/assessments/{draft['id']}", data={
        "csrf_token": csrf_from(html), "value-VIOL-RATIO": "0.3", "value-DATA-UPLOAD": "130"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "数据按规上传率：应在 0 到 100 之间" in text
    assert by_code(api.get(f"/assessments/{draft['id']}/scorecard").get_json())[
        "VIOL-RATIO"]["value"] is None
    english = client.get("/lang/en")
    assert english.status_code == 302
    response = client.post(f"/assessments/{draft['id']}", data={
        "csrf_token": csrf_from(html), "value-DATA-UPLOAD": "-1"})
    assert "Data uploaded per rules: must be between 0 and 100" in response.get_data(as_text=True)


def test_web_form_uploads_evidence_and_import(app, api_as, web_as):
    draft = create(api_as("ah1_admin"), app)
    client = web_as("ah1_admin")
    html = client.get(f"/assessments/{draft['id']}").get_data(as_text=True)
    response = client.post(f"/assessments/{draft['id']}", data={
        "csrf_token": csrf_from(html), "value-RX-REVIEW": "100",
        "evidence-RX-REVIEW": (io.BytesIO(b"%PDF-1.4\n"), "点评.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    html = client.get(f"/assessments/{draft['id']}").get_data(as_text=True)
    assert "点评.pdf" in html
    bad = _xlsx([("VIOL-RATIO", "", "x", None, None)])
    response = client.post(f"/assessments/{draft['id']}/upload", data={
        "csrf_token": csrf_from(html), "file": (io.BytesIO(bad), "bad.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "第 2 行" in response.get_data(as_text=True)
    response = client.post(f"/assessments/{draft['id']}/submit",
                           data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    assert api_as("ah1_admin").get(f"/assessments/{draft['id']}").get_json()[
        "status"] == "submitted"


# --------------------------------------------------------------------------- Prefer: return=minimal

MINIMAL = {"Prefer": "respond-async, return = minimal; x=1"}  # RFC 7240 spacing and lists


def test_a_minimal_save_answers_204_and_saves_as_the_full_one(app, api_as):
    """An integration pushing values asks for no body; the save is the same, and its
    scorecard is what a save with the full answer would have returned."""
    api = api_as("ah1_admin")
    draft = create(api, app)
    url = f"/assessments/{draft['id']}/measurements"
    response = api.put(url, json=[_row("VIOL-RATIO", 0.45)], headers=MINIMAL)
    assert (response.status_code, response.data) == (204, b"")
    assert response.headers["Preference-Applied"] == "return=minimal"
    minimal = api.get(f"/assessments/{draft['id']}/scorecard").get_json()
    assert by_code(minimal)["VIOL-RATIO"]["value"] == 0.45
    full = put(api, draft["id"], [_row("VIOL-RATIO", 0.45)])  # the same value again
    assert full == minimal and "Preference-Applied" not in api.put(url, json=[]).headers


def test_a_minimal_save_with_a_bad_row_still_explains_and_saves_nothing(app, api_as):
    api = api_as("ah1_admin")
    draft = create(api, app)
    response = api.put(f"/assessments/{draft['id']}/measurements", headers=MINIMAL,
                       json=[_row("VIOL-RATIO", 0.3), _row("NOPE", 1)])
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "row 2" in response.get_json()["errors"]
    card = api.get(f"/assessments/{draft['id']}/scorecard").get_json()
    assert by_code(card)["VIOL-RATIO"]["value"] is None


def test_a_minimal_upload_answers_204(app, api_as):
    api = api_as("ah1_admin")
    draft = create(api, app)
    response = api.post(f"/assessments/{draft['id']}/measurements/upload", headers=MINIMAL,
                        data={"file": (io.BytesIO(_xlsx([("VIOL-RATIO", "", 0.2, "", "")])),
                                       "数据.xlsx")},
                        content_type="multipart/form-data")
    assert (response.status_code, response.data) == (204, b"")
    card = api.get(f"/assessments/{draft['id']}/scorecard").get_json()
    assert by_code(card)["VIOL-RATIO"]["value"] == 0.2
