"""Service and rule messages are msgids with parameters, shown in the user's language:
Chinese by default, English on request, on pages and in the API's problem+json."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from test_i18n import PO_PATH

from assessment_helpers import AH1, agreement_id
from saas.domain import findings as finding_rules
from saas.domain import lifecycle, permissions
from saas.domain.messages import N_

ROOT = Path(__file__).resolve().parents[1]
HINT_ZH = "应为 YYYY-MM（如 2026-10）、YYYY-Qn（如 2026-Q3）或 YYYY（如 2026）"


def test_a_message_reads_as_chinese_and_keeps_its_msgid():
    message = N_("最多 %(n)s 字", n=200)
    assert message == "最多 200 字" and isinstance(message, str)
    assert (message.msgid, message.params) == ("最多 %(n)s 字", {"n": 200})
    copy = pickle.loads(pickle.dumps(message))  # rq pickles job results and errors
    assert copy == message and copy.msgid == message.msgid and copy.params == {"n": 200}


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh_CN", "当前角色无权新建「日常检查」"),
    ("en", "Your role may not create a “Routine inspection”"),
])
def test_text_translates_the_msgid_then_each_parameter(app, lang, expected):
    from saas.i18n import text

    message = N_("当前角色无权%(action)s「%(kind)s」", action=N_("新建"), kind=N_("日常检查"))
    with app.test_request_context(f"/?lang={lang}"):
        assert text(message) == expected
        assert text("用户输入的文字") == "用户输入的文字"  # data is never translated


def test_api_problem_in_the_request_language(api_as):
    api = api_as("a_bureau_admin")
    chinese = api.get("/assessments?period=2026-13")
    english = api.get("/assessments?period=2026-13", headers={"Accept-Language": "en"})
    assert chinese.status_code == english.status_code == 422
    zh, en = chinese.get_json(), english.get_json()
    assert zh["title"] == "数据校验失败" and en["title"] == "Validation failed"
    assert zh["detail"] == "月份无效：13，应在 1 至 12 之间"
    assert en["detail"] == "Invalid month: 13; it must be between 1 and 12"
    assert en["errors"] == {"period": [en["detail"]]}
    bogus = api.get("/assessments?period=soon", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert bogus.get_json()["detail"] == (  # a parameter that is itself a message
        "Invalid period “soon”; use YYYY-MM (e.g. 2026-10), YYYY-Qn (e.g. 2026-Q3) or YYYY "
        "(e.g. 2026)")
    assert api.get("/assessments?period=soon").get_json()["detail"] == (
        f"期间格式无效：「soon」；{HINT_ZH}")


def test_api_refusal_with_labels_in_english(app, api_as):
    staff = api_as("ah1_staff")
    body = {"agreement_id": agreement_id(app, AH1), "kind": "routine", "period": "2026-05"}
    zh = staff.post("/assessments", json=body)
    en = staff.post("/assessments", json=body, headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 403
    assert zh.get_json()["detail"] == "当前角色无权新建「日常检查」"
    assert en.get_json()["detail"] == "Your role may not create a “Routine inspection”"


def test_page_message_in_the_users_language(web_as):
    web = web_as("a_bureau_admin")
    chinese = web.get("/assessments?period=2026-13")
    assert chinese.status_code == 422
    assert "月份无效：13，应在 1 至 12 之间" in chinese.get_data(as_text=True)
    web.get("/lang/en")
    english = web.get("/assessments?period=2026-13")
    html = english.get_data(as_text=True)
    assert english.status_code == 422
    assert "Invalid month: 13; it must be between 1 and 12" in html
    assert "月份无效" not in html


def test_labels_given_as_parameters_are_in_the_catalogue():
    """Labels reach messages as N_(variable), which extraction cannot see."""
    with PO_PATH.open("rb") as po_file:
        known = {m.id for m in read_po(po_file) if m.id and m.string}
    labels = {*permissions.KIND_LABELS_ZH.values(),
              *permissions.ASSESSMENT_ACTION_LABELS_ZH.values(),
              *permissions.ASSESSMENT_STATE_LABELS_ZH.values(),
              *lifecycle.STATE_LABELS_ZH.values(), *lifecycle.ACTION_LABELS_ZH.values(),
              *finding_rules.STATE_LABELS_ZH.values(), *finding_rules._ACTION_LABELS_ZH.values()}
    assert labels - known == set()


def _raises(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.exc


@pytest.mark.parametrize("folder", ["saas/services", "saas/domain"])
def test_no_raise_spells_its_message_with_an_f_string(folder):
    """A message for people is N_(msgid, **params), translated when shown; a message for
    developers passes its values as arguments."""
    wrong = [where for where, exc in _raises(folder)
             if any(isinstance(n, ast.JoinedStr) for n in ast.walk(exc))]
    assert not wrong, wrong


def _bare_chinese(exc: ast.expr) -> list[str]:
    """Chinese text in a raise not marked N_(...), unless it is a developer's note next to
    the values (ValueError("...", value))."""
    marked = {id(call.args[0]) for call in ast.walk(exc) if isinstance(call, ast.Call)
              and getattr(call.func, "id", None) == "N_" and call.args}
    developer = (isinstance(exc, ast.Call) and len(exc.args) > 1
                 and getattr(exc.func, "id", "") in ("ValueError", "TypeError", "AssertionError"))
    note = exc.args[0] if developer else None
    return [n.value for n in ast.walk(exc) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and any("\u4e00" <= c <= "\u9fff" for c in n.value)
            and id(n) not in marked and n is not note]


@pytest.mark.parametrize("folder", ["saas/services", "saas/domain"])
def test_every_chinese_message_in_a_raise_is_a_msgid(folder):
    """Chinese text in a raise is marked N_(...), so it is extracted and translated."""
    wrong = [(where, _bare_chinese(exc)) for where, exc in _raises(folder) if _bare_chinese(exc)]
    assert not wrong, wrong


def test_the_checks_see_an_f_string_and_a_bare_message():
    tree = ast.parse('raise Invalid(f"期间 {p} 无效")\nraise Conflict("已存在", {"x": ["无"]})\n'
                     'raise Conflict(N_("已存在"), {"x": [N_("无")]})\n'
                     'raise ValueError("次数不能为负", n)\n')
    raises = [node.exc for node in ast.walk(tree) if isinstance(node, ast.Raise)]
    assert [any(isinstance(n, ast.JoinedStr) for n in ast.walk(e)) for e in raises] == [
        True, False, False, False]
    assert [_bare_chinese(e) for e in raises] == [["期间 ", " 无效"], ["已存在", "无"], [], []]
