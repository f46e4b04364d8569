"""Phones: at 375 px the pages inspectors and institution staff use on site (the assessment
list, data entry, the scorecard, the findings pages) never scroll sideways; their tables
turn into stacked cards."""

import io

import pytest

from assessment_helpers import act, create, put
from conftest import acting

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _fill(api, assessment_id: int) -> None:
    """Demo-like measurements: every due indicator filled, some red, some noted, with
    evidence where the indicator asks for it."""
    card = api.get(f"/assessments/{assessment_id}/scorecard").get_json()
    rows = []
    for i, row in enumerate(card["indicators"]):
        if row["direction"] == "boolean":
            value = i % 2 == 0
        elif row["direction"] == "lower_better":
            value = (row["zero"] or (row["target"] or 1) * 2) * 0.9 if i % 3 == 0 else row["target"]
        else:
            value = row["zero"] if i % 3 == 0 else row["target"]
        rows.append({"indicator_code": row["code"], "value": value,
                     "note": "已按科室逐项核对，附签到表及培训课件扫描件" if i % 2 else None})
        if row["evidence_required"]:
            rows[-1]["evidence_ids"] = [_upload(api, f"{row['code']}-签到表及培训记录.png")]
    put(api, assessment_id, rows)


def _upload(api, filename: str, **form) -> int:
    response = api.post("/evidence", data={"file": (io.BytesIO(PNG), filename), **form},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def demo_like(app, api_as):
    """A filled draft self-inspection, a submitted one with a history, and a routine
    inspection with findings (long descriptions, a photo)."""
    admin, inspector = api_as("ah1_admin"), api_as("a_bureau_inspector")
    submitted = create(admin, app, period="2026-02")
    _fill(admin, submitted["id"])
    draft = create(admin, app, period="2026-03")
    _fill(admin, draft["id"])
    routine = create(inspector, app, kind="routine", period="2026-05")
    with acting(app, "ah1_admin") as user:
        institution_id = str(user.institution_id)
    photo = _upload(inspector, "住院部三病区现场照片-2026-05-12-重复收费.png",
                    institution_id=institution_id)
    findings = [inspector.post("/findings", json={
        "assessment_id": routine["id"], "category": category, "severity": severity,
        "description": text, "amount_fen": amount, "location": "住院部三病区（心血管内科）",
        "indicator_code": "VIOL-RATIO", **extra}).get_json()
        for category, severity, text, amount, extra in [
            ("duplicate_charge", "general",
             "抽查 20 份住院病历，3 份存在同一检查项目重复收费，涉及 CT 增强扫描与血常规。",
             128_000, {"evidence_ids": [photo]}),
            ("split_admission", "serious", "同一患者 7 日内两次入院，疑似分解住院。",
             356_000, {}),
        ]]
    assert api_as("a_bureau_admin").post(f"/findings/{findings[0]['id']}/confirm",
                                         json={}).status_code == 200
    act(admin, submitted["id"], "submit")
    return {"draft": draft["id"], "submitted": submitted["id"], "routine": routine["id"]}


# A table in .table-responsive keeps the page narrow but still scrolls sideways inside.
INNER_SCROLLERS = """[...document.querySelectorAll('body *')].filter(e =>
  ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1
).map(e => e.id || e.className)"""


# What sticks out past the right edge, to name in a failure.
OVERHANGING = """[...document.querySelectorAll('body *')].filter(e =>
  e.getBoundingClientRect().right > window.innerWidth + 1
).map(e => `${e.tagName.toLowerCase()}.${e.className}#${e.id}`).slice(0, 8)"""


def _pages(ids: dict) -> dict[str, list[str]]:
    routine, draft, submitted = ids["routine"], ids["draft"], ids["submitted"]
    return {
        "a_bureau_inspector": [
            "/", "/assessments", f"/assessments/{routine}", f"/assessments/{routine}/scorecard",
            f"/assessments/{submitted}/scorecard", "/findings",
            f"/findings?assessment_id={routine}", f"/assessments/{routine}/findings/new"],
        "ah1_admin": [
            "/", "/assessments", f"/assessments/{draft}", f"/assessments/{submitted}",
            f"/assessments/{submitted}/scorecard", "/findings", f"/assessments/{draft}/findings/new"],
        "ah1_staff": ["/assessments", f"/assessments/{draft}", f"/assessments/{draft}/scorecard",
                      "/findings"],
    }


def test_phone_pages_never_scroll_sideways(page_as, demo_like, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    wide = []
    for who, paths in _pages(demo_like).items():
        page = page_as(who, **PHONE)
        for path in paths:
            response = page.goto(page.base + path)
            assert response.status == 200, f"{who} {path} → {response.status}"
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                wide.append(f"{who} {path}: {widths[0]} px > {widths[1]} px, "
                            f"sticking out: {page.evaluate(OVERHANGING)}")
            boxes = page.evaluate(INNER_SCROLLERS)
            if boxes:
                wide.append(f"{who} {path}: sideways scrolling inside {boxes}")
    assert not wide, "\n".join(wide)


def test_tables_stack_on_phones_only(page_as, demo_like, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    shape = """() => ({head: getComputedStyle(document.querySelector('#indicators thead')).display,
        row: getComputedStyle(document.querySelector('#indicators tbody tr')).display,
        labels: [...document.querySelectorAll('#indicators tbody tr:first-child td[data-label]')]
          .map(td => getComputedStyle(td, '::before').content)})"""
    path = f"/assessments/{demo_like['submitted']}/scorecard"
    phone = page_as("ah1_admin", **PHONE)
    phone.goto(phone.base + path)
    stacked = phone.evaluate(shape)
    assert (stacked["head"], stacked["row"]) == ("none", "block")
    assert stacked["labels"][:2] == ['"视角"', '"实际值"']
    desk = page_as("ah1_admin", width=1280)
    desk.goto(desk.base + path)
    table = desk.evaluate(shape)
    assert (table["head"], table["row"]) == ("table-header-group", "table-row")
    assert set(table["labels"]) == {"none"}
