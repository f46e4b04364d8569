"""整改台账 pages: the ledger with its filters and "my items" first, bulk assign, an item
opened by hand (errors kept in the form, nothing saved), the step forms, the export and
import pages, and a real browser from an inspector's finding to the item's close-out."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from test_rectification_files import _workbook
from test_rectification_steps import PDF, _bureau_item, _user_id

from conftest import acting, csrf_from
from saas.extensions import db
from saas.models import RectificationItem

ARTIFACTS = Path(__file__).parent / "artifacts"


def test_the_ledger_shows_my_items_first_and_filters(app, api_as, web_as):
    first = _bureau_item(app, api_as, severity="serious")
    second = _bureau_item(app, api_as, severity="minor", period="2026-06")
    api_as("ah1_admin").patch(f"/rectifications/{first['id']}",
                              json={"owner_id": _user_id(app, "ah1_staff"), "department": "医务科"})
    staff = web_as("ah1_staff").get("/rectifications").get_data(as_text=True)
    mine = staff[staff.index('id="my-items"'):staff.index('id="status-counts"')]
    assert first["number"] in mine and second["number"] not in mine
    page = web_as("ah1_admin").get("/rectifications?severity=minor").get_data(as_text=True)
    listed = page[page.index('id="items"'):]
    assert second["number"] in listed and first["number"] not in listed
    assert 'data-status="open"' in page and "待整改 1" in page  # counts keep the filters
    by_department = web_as("ah1_admin").get("/rectifications?department=医务科")
    assert first["number"] in by_department.get_data(as_text=True)
    bureau = web_as("a_bureau_admin").get("/rectifications").get_data(as_text=True)
    assert first["number"] in bureau and 'id="new-item"' not in bureau
    assert first["number"] not in web_as("ah2_admin").get("/rectifications").get_data(as_text=True)
    # nonsense filters are ignored, never a 500
    assert web_as("ah1_admin").get("/rectifications?status=x&owner_id=abc&overdue=7"
                                   "&after=zz").status_code in (200, 422)


def test_bulk_assign_from_the_ledger(app, api_as, web_as):
    first = _bureau_item(app, api_as)
    second = _bureau_item(app, api_as, period="2026-06")
    admin = web_as("ah1_admin")
    page = admin.get("/rectifications").get_data(as_text=True)
    response = admin.post("/rectifications/bulk", data={
        "csrf_token": csrf_from(page), "action": "assign", "item_ids": [first["id"], second["id"]],
        "owner_id": _user_id(app, "ah1_staff"), "department": "质控科"}, follow_redirects=True)
    assert "已处理 2 项" in response.get_data(as_text=True)
    for item in (first, second):
        assert api_as("ah1_admin").get(f"/rectifications/{item['id']}").get_json()[
            "department"] == "质控科"
    refused = admin.post("/rectifications/bulk", data={
        "csrf_token": csrf_from(page), "action": "assign", "department": "x"},
        follow_redirects=True)
    assert "请选择" in refused.get_data(as_text=True)


def _count(app):
    with acting(app, "ah1_admin"):
        return db.session.scalar(select(func.count()).select_from(RectificationItem))


def test_opening_by_hand_keeps_what_was_typed_and_saves_nothing_on_error(app, web_as):
    admin = web_as("ah1_admin")
    page = admin.get("/rectifications/new").get_data(as_text=True)
    bad = admin.post("/rectifications/new", data={
        "csrf_token": csrf_from(page), "source": "internal_audit", "category": "",
        "description": "内审发现：病历书写不规范", "files": (io.BytesIO(b"MZ not a pdf"), "a.pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "内审发现：病历书写不规范" in text and "请选择问题类别" in text
    assert _count(app) == 0
    bad_file = admin.post("/rectifications/new", data={
        "csrf_token": csrf_from(page), "source": "internal_audit", "category": "other",
        "description": "x", "files": (io.BytesIO(b"MZ not a pdf"), "a.pdf")},
        content_type="multipart/form-data")
    assert bad_file.status_code == 422 and _count(app) == 0
    good = admin.post("/rectifications/new", data={
        "csrf_token": csrf_from(page), "source": "self_inspection", "category": "other",
        "severity": "minor", "description": "自查：收费公示未更新",
        "files": (io.BytesIO(PDF), "公示.pdf")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "已登记" in good.get_data(as_text=True) and "公示.pdf" in good.get_data(as_text=True)
    assert _count(app) == 1


def test_the_item_page_steps_and_who_sees_which_form(app, api_as, web_as):
    item = _bureau_item(app, api_as)
    staff = web_as("ah1_staff")
    page = staff.get(f"/rectifications/{item['id']}").get_data(as_text=True)
    assert 'id="submit-form"' in page and 'id="verify-form"' not in page
    assert 'id="extend-form"' not in page
    refused = staff.post(f"/rectifications/{item['id']}/submit", data={
        "csrf_token": csrf_from(page), "statement": "已整改"}, follow_redirects=True)
    assert "提交复核需要上传整改证明材料" in refused.get_data(as_text=True)
    staff.post(f"/rectifications/{item['id']}/evidence", data={
        "csrf_token": csrf_from(page), "files": (io.BytesIO(PDF), "培训签到表.pdf")},
        content_type="multipart/form-data")
    staff.post(f"/rectifications/{item['id']}/submit", data={
        "csrf_token": csrf_from(page), "statement": "已组织培训"})
    inspector = web_as("a_bureau_inspector")
    page = inspector.get(f"/rectifications/{item['id']}").get_data(as_text=True)
    assert "培训签到表.pdf" in page and 'id="verify-form"' in page and 'id="extend-form"' in page
    inspector.post(f"/rectifications/{item['id']}/verify", data={"csrf_token": csrf_from(page)})
    page = inspector.get(f"/rectifications/{item['id']}").get_data(as_text=True)
    assert "已销号" in page and 'id="item-closed"' in page and 'id="reopen"' in page
    page = web_as("ah1_admin").get(f"/rectifications/{item['id']}").get_data(as_text=True)
    assert 'id="assign-form"' not in page  # closed: nothing left to change


def test_export_and_import_pages(app, api_as, web_as):
    _bureau_item(app, api_as)
    admin = web_as("ah1_admin")
    download = admin.get("/rectifications/export.xlsx")
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(download.data)).worksheets[0].max_row == 3
    assert admin.get("/rectifications/export.pdf").data.startswith(b"%PDF")
    app.config["EXPORT_INLINE_ROWS"] = 0
    job = admin.get("/rectifications/export.xlsx")
    assert job.status_code == 302 and "/exports/" in job.headers["Location"]
    page = admin.get(job.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in page and 'id="download"' in page
    form = admin.get("/rectifications/import").get_data(as_text=True)
    bad = admin.post("/rectifications/import", data={
        "csrf_token": csrf_from(form), "source": "internal_audit",
        "file": (io.BytesIO(_workbook([[1, None, "只有措施"]])), "台账.xlsx")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "第 3 行「问题描述」：此项为必填项" in bad.get_data(as_text=True)
    good = admin.post("/rectifications/import", data={
        "csrf_token": csrf_from(form), "source": "internal_audit",
        "file": (io.BytesIO(_workbook([[1, "内审：药品效期管理"]])), "台账.xlsx")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "新增 1 项" in good.get_data(as_text=True)


def test_a_browser_from_the_inspectors_finding_to_close_out(app, backend, api_as, page_as):
    """The inspector's finding is confirmed and becomes an item; the hospital's 医保办
    assigns it; the person responsible, on a phone, uploads proof and submits; the
    inspector closes it (销号)."""
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    from assessment_helpers import create

    inspection = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    api_as("a_bureau_inspector").post("/findings", json={
        "assessment_id": inspection["id"], "category": "duplicate_charge",
        "severity": "general", "description": "重复收取静脉输液费 8 人次"})
    bureau = page_as("a_bureau_admin")
    bureau.goto(bureau.base + "/findings")
    bureau.click(".confirm-finding")
    bureau.locator("#confirm-dialog .confirm-ok").click()
    bureau.wait_for_selector(".alert-success")

    hospital = page_as("ah1_admin")
    hospital.goto(hospital.base + "/rectifications")
    hospital.click("#items .item-number")
    hospital.select_option("#owner_id", str(_user_id(app, "ah1_staff")))
    hospital.fill("#department", "护理部")
    hospital.fill("#measures_to_take", "核对输液收费规则，退还重复收费")
    hospital.click("#assign")
    hospital.wait_for_selector("#item-department:has-text('护理部')")

    phone = page_as("ah1_staff", width=375, height=800)
    phone.goto(phone.base + "/rectifications")
    phone.click("#my-items .item-number")
    phone.set_input_files("#evidence-files", files=[{
        "name": "退费凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    phone.click("#upload")
    phone.wait_for_selector("#evidence:has-text('退费凭证.pdf')")
    phone.fill("#statement", "已退还 8 人次重复收费并组织培训")
    phone.click("#submit")
    phone.wait_for_selector("#item-status:has-text('待复核')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "rectification-phone-submitted.png"), full_page=True)

    inspector = page_as("a_bureau_inspector")
    inspector.goto(phone.url.replace(phone.base, inspector.base))
    inspector.fill("input[name=comment]", "现场核查，整改到位")
    inspector.click("#verify")
    inspector.wait_for_selector("#item-status:has-text('已销号')")
    assert "现场核查，整改到位" in inspector.locator("#history").inner_text()
    inspector.screenshot(path=str(ARTIFACTS / "rectification-closed.png"), full_page=True)
