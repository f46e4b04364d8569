"""English that holds in a real browser: the top bar fits on one line at 1366 px for every
role, and the dashboards speak English (and Chinese) as the pages do."""

import re

import pytest

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

# Every item of the top bar: its box, and whether its text wrapped onto a second line.
TOP_BAR = """() => {
  const nav = document.querySelector('nav.navbar');
  const items = [...nav.querySelectorAll(
    '.navbar-brand, .nav-link, .btn, a.link-light')];
  const lineHeight = el => parseFloat(getComputedStyle(el).lineHeight) || 24;
  return {
    overflow: nav.scrollWidth - nav.clientWidth,
    height: nav.getBoundingClientRect().height,
    items: items.map(el => {
      const box = el.getBoundingClientRect();
      const text = document.createRange(); text.selectNodeContents(el);
      const lines = new Set([...text.getClientRects()].map(r => Math.round(r.top))).size;
      return {text: el.innerText.trim(), top: box.top, bottom: box.bottom,
              right: box.right, lines: lines, tall: box.height > 2.2 * lineHeight(el)};
    }),
    width: window.innerWidth,
  };
}"""


def _english(page, path="/institutions"):
    page.goto(f"{page.base}/lang/en?next={path}")
    page.wait_for_load_state()


@pytest.mark.parametrize("who", ["a_bureau_admin", "a_bureau_inspector", "ah1_admin",
                                 "ah1_staff", "ah1_mock"])
def test_the_top_bar_fits_at_1366_in_english(page_as, backend, who):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    page = page_as(who, width=1366, height=768)
    _english(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    bar = page.evaluate(TOP_BAR)
    assert bar["overflow"] <= 0, f"the top bar scrolls by {bar['overflow']} px"
    problems = [i["text"] for i in bar["items"] if i["lines"] > 1 or i["tall"]
                or i["right"] > bar["width"]]
    assert not problems, f"wrapped or cut off: {problems}"
    middles = [(i["top"] + i["bottom"]) / 2 for i in bar["items"]]
    assert max(middles) - min(middles) < 12, f"the top bar takes two rows: {bar['items']}"
    assert bar["height"] < 70
    page.click("#account button")
    assert page.locator("#logout").is_visible()
    assert page.locator("#account .dropdown-menu").inner_text().count("Change password") == 1


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_dashboards_speak_the_users_language(page_as, backend, lang):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    page = page_as("a_bureau_admin", width=1366)
    page.goto(f"{page.base}/lang/{lang}?next=/dashboards/")
    page.wait_for_selector("#summary .card")
    page.wait_for_selector("#grades .xtick text")
    page.wait_for_selector("#grid .ag-row [col-id=name] a")
    shown = page.title() + "\n" + page.inner_text("body")
    for entered in page.locator("#grid [col-id=name], #grid [col-id=level]").all_inner_texts():
        shown = shown.replace(entered, " ") if entered.strip() else shown  # the institutions' names and levels, as entered
    if lang == "en":
        assert page.evaluate("document.documentElement.lang") == "en"
        assert "Region overview" in shown and "Not assessed" in shown
        assert not CJK.search(shown), shown
    else:
        assert "区域总览" in shown and "未考核" in shown
        assert "Region overview" not in shown and "Not assessed" not in shown
