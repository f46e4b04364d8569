"""The dashboards in a real browser (Debian's chromium, headless, Playwright): a bureau
user filters, sorts, drills into an institution and sees its radar and indicators; an
institution user sees only itself, also when it types another institution's address."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_analytics import scored  # noqa: F401 (fixture)
from test_dashboards import _ids
from test_rectification_steps import _bureau_item

ARTIFACTS = Path(__file__).parent / "artifacts"


def _rows(page) -> list[str]:
    page.wait_for_selector("#grid .ag-row .ag-cell[col-id=name] a")
    return page.locator("#grid .ag-center-cols-container .ag-row [col-id=name]").all_inner_texts()


def test_a_bureau_user_filters_sorts_and_drills_down(app, backend, api_as, page_as, scored):  # noqa: F811
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    _bureau_item(app, api_as)
    page = page_as("a_bureau_admin", width=1366, height=900)
    page.goto(page.base + "/dashboards/?period=2026-05")
    page.wait_for_selector("#summary .figure-value")
    assert len(_rows(page)) == 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-overview.png"), full_page=True)
    # sort by name (ascending), in SQL
    page.click("#grid .ag-header-cell[col-id=name] .ag-header-cell-label")
    page.wait_for_timeout(300)
    names = _rows(page)
    assert names == sorted(names)
    # filter: hospitals only, and the filter goes into the address
    page.click("#f-kind")
    page.get_by_role("option", name="医院").click()
    page.click("#apply")
    page.wait_for_url("**kind=hospital**")
    expect(page.locator("#grid .ag-center-cols-container .ag-row")).to_have_count(2)
    assert "kind=hospital" in page.url and "period=2026-05" in page.url
    # drill down
    page.locator("#grid [col-id=name] a", has_text="甲区第一医院").click()
    page.wait_for_selector("#radar .main-svg")
    page.wait_for_selector("#heatmap .main-svg")
    assert page.inner_text("#institution-name") == "甲区第一医院"
    assert "kind=hospital" in page.url
    page.screenshot(path=str(ARTIFACTS / "dashboard-institution.png"), full_page=True)
    for path in ("trends", "findings", "pipeline", "rectification", "peers"):
        page.goto(f"{page.base}/dashboards/{path}?period=2026-05")
        page.wait_for_selector("#filters")
        page.wait_for_selector(".main-svg, .empty-state, #peers-table")


def test_the_overview_is_usable_on_a_tablet(app, backend, page_as, scored):  # noqa: F811
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    page = page_as("a_bureau_admin", width=768, height=1024)
    page.goto(page.base + "/dashboards/?period=2026-05")
    assert len(_rows(page)) == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 768  # the grid scrolls
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-tablet.png"), full_page=True)


def test_an_institution_user_sees_only_itself(app, backend, page_as, scored):  # noqa: F811
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    ids = _ids(app)
    page = page_as("ah1_admin")
    page.goto(page.base + "/dashboards/?period=2026-05")
    assert _rows(page) == ["甲区第一医院"]
    page.goto(f"{page.base}/dashboards/institution/{ids['AH2']}")
    page.wait_for_selector(".empty-state")
    assert "甲区第二医院" not in page.inner_text("body")
