"""A real browser opens the agreement pages, acts on an agreement, and reads a template."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def sqlite_only(backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")


@pytest.mark.usefixtures("sqlite_only")
def test_bureau_admin_opens_an_agreement_and_proposes_its_rescission(page_as):
    page = page_as("a_bureau_admin")
    page.goto(page.base + "/agreements")
    assert page.locator("#agreements tbody tr").count() == 3
    page.click("text=A-2026-001")
    page.wait_for_load_state()
    assert "/agreements/" in page.url
    assert page.locator("h1 .status-badge").inner_text() == "履行中"
    assert "甲区第一医院" in page.locator("#agreement-facts").inner_text()
    assert page.locator("#clauses .clause").count() > 10
    assert page.locator("#clauses table.indicators").first.is_visible()
    # suspension and rescission are measures with their due process, not buttons here
    for gone in ("suspend", "rescind"):
        assert page.locator(f"#agreement-actions button[value={gone}]").count() == 0
    agreement_url = page.url

    page.click("#propose-measure")
    page.wait_for_selector("#measure-form")
    page.select_option("#measure", "rescission")
    page.select_option("#ground", "fraud")
    page.fill("#basis", "虚构医疗服务 12 人次，骗取医保基金")
    page.click("#propose")
    page.wait_for_selector("#measure-status")
    assert page.locator("#measure-status").inner_text() == "拟处理"
    assert "令第2号第四十三条" in page.locator("#measure-facts").inner_text()
    assert page.locator("#notify").is_visible()
    page.goto(agreement_url)
    assert page.locator("h1 .status-badge").inner_text() == "履行中"  # nothing in force yet

    page.click("#template-link")
    page.wait_for_load_state()
    assert "/templates/" in page.url
    assert page.locator("#versions a").count() == 1


@pytest.mark.usefixtures("sqlite_only")
def test_institution_sees_only_its_agreement_and_no_actions(page_as):
    page = page_as("ah1_admin", width=375)
    page.goto(page.base + "/agreements")
    rows = page.locator("#agreements tbody tr")
    assert rows.count() == 1
    assert "A-2026-001" in rows.first.inner_text()
    page.click("text=A-2026-001")
    page.wait_for_load_state()
    assert page.locator("#agreement-actions").count() == 0
    assert page.locator("#change-form").is_visible()


@pytest.mark.usefixtures("sqlite_only")
def test_bureau_admin_creates_an_agreement_in_the_form_and_signs_it(page_as):
    page = page_as("a_bureau_admin")
    page.goto(page.base + "/agreements")
    page.click("text=新建协议")
    page.select_option("#institution_id", label="AH2 · 甲区第二医院")
    hospital = page.locator("#template_id option", has_text="HOSP-2026").get_attribute("value")
    page.select_option("#template_id", value=hospital)
    page.fill("#number", "A-2025-020")
    page.fill("#start", "2025-01-01")
    page.fill("#end", "2024-12-31")  # before the start: refused, nothing lost
    page.click("#new-agreement button[type=submit]")
    page.wait_for_load_state()
    assert "终止日期应晚于起始日期" in page.locator("#new-agreement").inner_text()
    assert page.input_value("#number") == "A-2025-020"
    page.fill("#end", "2025-12-31")
    page.click("#new-agreement button[type=submit]")
    page.wait_for_load_state()
    assert "已新建协议" in page.locator(".alert").first.inner_text()
    assert page.locator("h1 .status-badge").inner_text() == "草拟"
    page.click("#agreement-actions button[value=sign]")
    page.wait_for_load_state()
    assert page.locator("h1 .status-badge").inner_text() == "履行中"
