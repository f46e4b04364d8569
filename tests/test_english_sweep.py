"""English that holds: every page of the app, rendered in English as each role of region A
(with real ids of demo-like data), shows no Chinese outside the data users entered; the
same pages in Chinese show no English names. Error pages (404, 403, 500) included.

"Data users entered" is read from the database itself: every text column (and the strings
inside JSON columns) of every table, except the Chinese names that have an English one
(`name_en` of templates and indicators), which an English page must not show.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from assessment_helpers import create, put
from conftest import acting, login

ROLES = ["a_bureau_admin", "a_bureau_inspector", "ah1_admin", "ah1_staff", "ah1_mock"]
# Han characters and the CJK / full-width punctuation that travels with them ("：", "（").
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
SKIP_PREFIXES = ("/api/", "/static/", "/dashboards/", "/healthz", "/readyz", "/lang/")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class _ShownText(HTMLParser):
    """The text a reader sees: text nodes and the attributes a browser shows (title,
    placeholder, aria-label, alt) or this app shows through CSS and scripts (data-label,
    data-labels). Skips scripts, styles and any element whose lang differs from the page's
    (the language switch's "中文" is Chinese on purpose)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}
    SHOWN = ("title", "placeholder", "aria-label", "alt", "data-label", "data-labels")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[bool] = []
        self.lang = ""

    def _is_hidden(self) -> bool:
        return bool(self.hidden) and self.hidden[-1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "")[:2]
        if tag == "html":
            self.lang = lang
        hidden = (self._is_hidden() or tag in ("script", "style")
                  or (lang and lang != self.lang))
        if not hidden:
            self.parts += [attrs[a] for a in self.SHOWN if attrs.get(a)]
        if tag not in self.VOID:
            self.hidden.append(hidden)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.hidden:
            self.hidden.pop()

    def handle_data(self, data):
        if not self._is_hidden() and data.strip():
            self.parts.append(data.strip())


def shown_text(html: str) -> str:
    parser = _ShownText()
    parser.feed(html)
    return "\n".join(parser.parts)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def user_data(owner_url: str) -> tuple[list[str], list[str]]:
    """(every string users entered, the English names), read as the schema owner."""
    engine = sa.create_engine(owner_url)
    entered, english = set(), set()
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            translated = "name_en" in table.c
            for column in table.c:
                if not isinstance(column.type, sa.String | sa.Text | sa.JSON):
                    continue
                query = sa.select(column)
                if translated and column.name == "name":
                    query = query.where(table.c.name_en.is_(None))
                for value in conn.execute(query).scalars():
                    (english if column.name == "name_en" else entered).update(_strings(value))
    engine.dispose()
    by_length = sorted((s for s in entered if CJK.search(s)), key=len, reverse=True)
    return by_length, sorted(english - {""})


@pytest.fixture
def failing_page(app):
    """A page that fails, to see the 500 page (added before the app serves anything)."""
    def boom():
        raise RuntimeError("the 500 page, on purpose")

    app.add_url_rule("/boom", "boom", boom)


@pytest.fixture
def demo_like(app, api_as, failing_page):
    """Objects of every kind the pages show, owned by AH1 (ids the region-A roles use)."""
    admin, inspector, mock = api_as("ah1_admin"), api_as("a_bureau_inspector"), api_as("ah1_mock")
    self_check = create(admin, app, period="2026-03")
    photo = admin.post("/evidence", data={"file": (io.BytesIO(PNG), "培训签到表.png")},
                       content_type="multipart/form-data").get_json()
    put(admin, self_check["id"], [
        {"indicator_code": "VIOL-RATIO", "value": 0.8, "note": "含门诊特殊病种"},
        {"indicator_code": "DATA-UPLOAD", "value": 100, "evidence_ids": [photo["id"]]}])
    routine = create(inspector, app, kind="routine", period="2026-05")
    put(inspector, routine["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.9}])
    finding = inspector.post("/findings", json={
        "assessment_id": routine["id"], "category": "duplicate_charge", "severity": "general",
        "description": "同一检查项目重复收费 11 次", "amount_fen": 88_000,
        "location": "门诊收费处", "indicator_code": "VIOL-RATIO"}).get_json()
    mock_check = create(mock, app, kind="mock", period="2026-04")
    # confirmed: its points propose an interview (系统提出), notified to the institution
    api_as("a_bureau_admin").post(f"/findings/{finding['id']}/confirm", json={})
    measure = inspector.get("/measures").get_json()["items"][0]
    inspector.post(f"/measures/{measure['id']}/notify", json={})
    # its rectification item, assigned, with proof; a large export of the ledger
    item = admin.get("/rectifications").get_json()["items"][0]
    with acting(app, "ah1_staff") as staff:
        staff_id = staff.id
    admin.patch(f"/rectifications/{item['id']}", json={
        "owner_id": staff_id, "department": "门诊部", "measures_to_take": "核对收费项目"})
    inline, app.config["EXPORT_INLINE_ROWS"] = app.config["EXPORT_INLINE_ROWS"], 0
    export = admin.get("/rectifications/export.xlsx").get_json()
    app.config["EXPORT_INLINE_ROWS"] = inline
    with acting(app, "ah1_admin") as user:
        institution_id = user.institution_id
    from saas.extensions import db
    from saas.models import Agreement, Template

    with acting(app, "a_bureau_admin"):
        agreement_id = db.session.execute(sa.select(Agreement.id).where(
            Agreement.institution_id == institution_id)).scalar_one()
        template_ids = db.session.execute(sa.select(Template.id)).scalars().all()
    return {"institution_id": [institution_id], "agreement_id": [agreement_id],
            "template_id": template_ids, "evidence_id": [photo["id"]],
            "finding_id": [finding["id"]], "measure_id": [measure["id"]],
            "item_id": [item["id"]], "export_id": [export["id"]],
            "assessment_id": [self_check["id"], routine["id"], mock_check["id"]]}


def _urls(app, ids: dict) -> list[str]:
    """Every GET page of the app with each combination of real ids, plus a missing page."""
    urls = ["/no-such-page", "/assessments/999999"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIP_PREFIXES) \
                or rule.endpoint == "static":
            continue
        combos = [{}]
        for arg in rule.arguments - set(rule.defaults or {}):  # /export.xlsx: fmt given
            combos = [{**c, arg: v} for c in combos for v in ids[arg]]
        urls += [rule.build(c, append_unknown=False)[1] for c in combos]
    return urls


def _pages(app, who: str, lang: str, urls: list[str]):
    """(url, status, shown text) of every HTML page, signed in as `who`."""
    client = app.test_client()
    if who != "anonymous":
        assert login(client, who).status_code == 302
    client.get(f"/login?lang={lang}")
    for url in urls:
        response = client.get(url)
        if response.mimetype != "text/html" or response.status_code in (301, 302, 303):
            continue
        yield url, response.status_code, shown_text(response.get_data(as_text=True))


# The workbook's sheet names, Chinese in every language (docs/template-workbook.md).
LITERALS = ['"范本"', '"条款"', '"指标"']


def _strip(text: str, entered: list[str]) -> str:
    for value in [*entered, *LITERALS]:
        text = text.replace(value, " ")
    return text


def test_every_page_in_english_shows_no_chinese_but_user_data(app, demo_like, database):
    urls = _urls(app, demo_like)
    entered, _english = user_data(database["owner_url"])
    failures, statuses = [], set()
    for who in ["anonymous", *ROLES]:
        for url, status, text in _pages(app, who, "en", urls if who != "anonymous" else
                                        ["/login", "/no-such-page"]):
            statuses.add(status)
            for line in _strip(text, entered).splitlines():
                if CJK.search(line):
                    failures.append(f"{who} {url} ({status}): {line.strip()[:120]}")
    assert {200, 403, 404, 500} <= statuses, f"the sweep saw only {statuses}"
    assert not failures, "Chinese on English pages:\n" + "\n".join(sorted(set(failures)))


def test_chinese_pages_show_no_english_names(app, demo_like, database):
    urls = _urls(app, demo_like)
    _entered, english = user_data(database["owner_url"])
    assert len(english) > 10, "the fixture templates have English names"
    failures = []
    for who in ROLES:
        for url, status, text in _pages(app, who, "zh_CN", urls):
            failures += [f"{who} {url} ({status}): {name}" for name in english if name in text]
    assert not failures, "English names on Chinese pages:\n" + "\n".join(sorted(set(failures)))


@pytest.mark.parametrize(("url", "status", "zh", "en"), [
    ("/no-such-page", 404, "未找到", "Not found"),
    ("/assessments/999999", 404, "未找到", "Not found"),
    ("/boom", 500, "服务器内部错误", "Internal server error"),
    ("/assessments/{self_check}/findings/new", 403, "无权操作", "Not allowed"),
])
def test_error_pages_speak_both_languages(app, demo_like, web_as, url, status, zh, en):
    client = web_as("a_bureau_admin")  # who may not record findings on a self-inspection
    url = url.format(self_check=demo_like["assessment_id"][0])
    for lang, title, other in (("zh_CN", zh, en), ("en", en, zh)):
        client.get(f"/login?lang={lang}")
        response = client.get(url)
        shown = shown_text(response.get_data(as_text=True))
        assert response.status_code == status
        assert title in shown and other not in shown, shown
