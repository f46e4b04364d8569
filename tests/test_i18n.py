"""The English catalogue is complete: every msgid translated, every extractable string present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "saas" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# Same keywords as the documented command: pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


@pytest.fixture(scope="module")
def catalog():
    with PO_PATH.open("rb") as po_file:
        return read_po(po_file)


def _msgids(catalog) -> list:
    return [m for m in catalog if m.id]


def extracted_msgids() -> dict[str, str]:
    """msgid -> first location, extracted from the code as `pybabel extract -F babel.cfg` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_catalogue_is_not_empty(catalog):
    assert len(_msgids(catalog)) > 100


def test_every_msgid_has_an_english_translation(catalog):
    untranslated = [m.id for m in _msgids(catalog) if not m.string or not str(m.string).strip()]
    assert not untranslated, f"untranslated msgids: {untranslated}"


def test_no_fuzzy_entries(catalog):
    fuzzy = [m.id for m in _msgids(catalog) if m.fuzzy]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"


def test_translations_keep_placeholders(catalog):
    wrong = [
        (m.id, m.string)
        for m in _msgids(catalog)
        if sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(str(m.string)))
    ]
    assert not wrong, f"placeholders differ: {wrong}"


def test_translations_are_english(catalog):
    """A msgstr still holding Chinese was most likely copied, not translated."""
    han = re.compile(r"[\u4e00-\u9fff]")
    # Sheet names and headers in the workbook formats are literal Chinese and must stay so.
    allowed = {
        "Excel 范本格式：工作表「范本」「条款」「指标」，详见 docs/template-workbook.md；可先导出现有范本作为模板修改。",
        "未找到表头：第一个工作表中需要有「问题描述」等列",
    }
    chinese = [m.id for m in _msgids(catalog) if m.id not in allowed and han.search(str(m.string))]
    assert not chinese, f"msgstr still in Chinese: {chinese}"


def test_every_extractable_msgid_is_in_the_catalogue(catalog):
    known = {m.id for m in _msgids(catalog)}
    extracted = extracted_msgids()
    assert len(extracted) > 100, "extraction found almost nothing; is babel.cfg right?"
    missing = {msgid: where for msgid, where in extracted.items() if msgid not in known}
    assert not missing, (
        "strings not in the English catalogue (run pybabel extract + update, then translate): "
        f"{missing}"
    )


def test_login_page_language(client):
    chinese = client.get("/login").get_data(as_text=True)
    assert "登录医保协议管理平台" in chinese
    assert "Sign in" not in chinese

    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in english
    assert "Sign in to the insurance agreement management platform" in english
    assert "登录医保协议管理平台" not in english


def test_finding_categories_have_page_labels():
    """labels.py spells the categories for extraction; they must stay the domain's."""
    from saas.domain.findings import CATEGORIES
    from saas.labels import LABELS

    assert LABELS["finding_category"] == {c.code: c.label_zh for c in CATEGORIES.values()}
