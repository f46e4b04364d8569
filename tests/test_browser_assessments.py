"""A real browser: enter measurements and watch the colours change, submit, read the
scorecard with its radar; record a finding on a 375-px-wide phone screen."""

import pytest

from assessment_helpers import create

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _badge(page, code):
    return page.locator(f'[data-color-for="{code}"]')


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_enter_measurements_submit_and_read_the_scorecard(page_as, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    page = page_as("ah1_admin")
    page.goto(page.base + "/assessments")
    page.select_option("#kind", "self")
    page.fill("#period", "2026-03")
    page.click("#new-assessment button[type=submit]")
    page.wait_for_load_state()
    assert "/assessments/" in page.url and page.locator("#measurements").count() == 1

    viol = _badge(page, "VIOL-RATIO")
    assert viol.get_attribute("class").endswith("color-no_data")
    page.fill("#value-VIOL-RATIO", "0.3")
    assert "color-green" in viol.get_attribute("class") and viol.inner_text() == "绿"
    page.fill("#value-VIOL-RATIO", "0.45")
    assert "color-yellow" in viol.get_attribute("class") and viol.inner_text() == "黄"
    page.fill("#value-VIOL-RATIO", "0.8")
    assert "color-red" in viol.get_attribute("class") and viol.inner_text() == "红"
    page.fill("#value-DATA-UPLOAD", "abc")
    assert _badge(page, "DATA-UPLOAD").inner_text() == "格式有误"
    page.fill("#value-DATA-UPLOAD", "100")
    assert "color-green" in _badge(page, "DATA-UPLOAD").get_attribute("class")
    page.check('input[name="na-SYS-RECOVERY"]')
    page.fill("#value-SYS-RECOVERY", "50")
    assert "color-no_data" in _badge(page, "SYS-RECOVERY").get_attribute("class")

    page.click("#save-measurements")
    page.wait_for_load_state()
    assert page.input_value("#value-VIOL-RATIO") == "0.8"
    assert "color-red" in _badge(page, "VIOL-RATIO").get_attribute("class")
    # financial: VIOL-RATIO 4/10 → 40; process: DATA-UPLOAD 8/8 → 100; total 70
    assert page.inner_text("#total") == "70.00"

    page.click("#submit-assessment")
    page.wait_for_load_state()
    assert page.inner_text("#status") == "已提交"

    page.click("text=平衡计分卡")
    page.wait_for_load_state()
    assert page.inner_text("#scorecard-total") == "70.00"
    assert page.inner_text("#scorecard-grade") == "基本合格"
    assert page.locator("#radar polygon.radar-shape").count() == 1
    assert page.locator("#radar text").count() == 4
    assert "财务 40" in page.text_content("#radar")
    assert page.locator('#indicators tr[data-indicator="VIOL-RATIO"] .color-red').count() == 1
    assert page.locator("#history tbody tr").count() == 1


def test_finding_form_on_a_phone(page_as, api_as, app, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    routine = create(api_as("a_bureau_inspector"), app, kind="routine", period="2026-05")
    page = page_as("a_bureau_inspector", width=375, height=740)
    page.goto(f"{page.base}/assessments/{routine['id']}/findings/new")
    assert _no_horizontal_scroll(page)
    save = page.locator("#save-finding").bounding_box()
    assert save["height"] >= 44 and save["width"] >= 300  # a thumb-sized target
    page.select_option("#category", "duplicate_charge")
    page.select_option("#severity", "general")
    page.select_option("#indicator_code", "VIOL-RATIO")
    page.fill("#amount_yuan", "880.00")
    page.fill("#description", "同一检查项目重复收费 11 次")
    page.fill("#location", "门诊收费处")
    page.set_input_files("#photos", files=[
        {"name": "现场1.png", "mimeType": "image/png", "buffer": PNG},
        {"name": "现场2.png", "mimeType": "image/png", "buffer": PNG + b"2"}])
    assert _no_horizontal_scroll(page)
    page.click("#save-finding")
    page.wait_for_load_state()
    assert "/findings" in page.url
    card = page.locator(".finding").first
    assert "重复收费" in card.inner_text() and "880.00" in card.inner_text()
    assert card.locator("a[href^='/evidence/']").count() == 2  # the two photos
    assert _no_horizontal_scroll(page)
