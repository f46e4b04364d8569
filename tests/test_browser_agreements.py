"""A real browser opens the agreement pages, acts on an agreement, and reads a template."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def sqlite_only(backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")


@pytest.mark.usefixtures("sqlite_only")
def test_bureau_admin_opens_an_agreement_and_asks_to_rescind_it(page_as):
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
    # a suspension is a measure with its due process, not a button here
    assert page.locator("#agreement-actions button[value=suspend]").count() == 0
    assert page.locator("#propose-measure").is_visible()

    page.fill("#reason", "经查实存在欺诈骗保行为")
    page.click("#agreement-actions button[value=rescind]")
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert "不得重新申请" in dialog.inner_text() and "A-2026-001" in dialog.inner_text()
    dialog.locator("button", has_text="取消").click()
    dialog.wait_for(state="hidden")
    assert page.locator("#rescission-request").count() == 0  # nothing was sent
    page.click("#agreement-actions button[value=rescind]")
    dialog.wait_for(state="visible")
    dialog.locator(".confirm-ok").click()
    page.wait_for_url("**/agreements/*")
    page.wait_for_selector("#rescission-request")
    assert "经查实存在欺诈骗保行为" in page.locator("#rescission-request").inner_text()
    assert page.locator("h1 .status-badge").inner_text() == "履行中"  # a second user confirms

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


@pytest.mark.usefixtures("sqlite_only")
def test_rescission_asks_first_and_needs_a_second_bureau_user(page_as):
    admin = page_as("a_bureau_admin")
    admin.goto(admin.base + "/agreements")
    admin.click("text=A-2026-002")
    admin.wait_for_load_state()
    admin.fill("#reason", "欺诈骗保")
    admin.click("#agreement-actions button[value=rescind]")
    dialog = admin.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert "1 年内不得重新申请" in dialog.inner_text()
    dialog.locator(".confirm-ok").click()
    admin.wait_for_selector("#rescission-request")
    assert admin.locator("h1 .status-badge").inner_text() == "履行中"
    assert admin.locator("#confirm-rescission").count() == 0
    url = admin.url

    inspector = page_as("a_bureau_inspector")
    inspector.goto(url)
    inspector.click("#confirm-rescission")
    inspector.locator("#confirm-dialog").wait_for(state="visible")
    inspector.locator("#confirm-dialog .confirm-ok").click()
    inspector.wait_for_selector(".alert-success")
    assert "已解除协议 A-2026-002" in inspector.locator(".alert-success").inner_text()
    assert inspector.locator("h1 .status-badge").inner_text() == "已解除"
