"""检查发现的问题 (findings): categories, states, and the defaults of a finding raised
from a failed indicator. Pure Python.

Each category has an English code (API), its official Chinese name (UI) and a short
pinyin-initial code used in rectification numbers ("2026-fjzy-001", seed 001/002).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from saas.domain.lifecycle import TransitionError
from saas.domain.messages import N_


@dataclass(frozen=True)
class Category:
    code: str
    label_zh: str
    short: str  # 拼音首字母, for the rectification number


CATEGORIES = MappingProxyType({c.code: c for c in (
    Category("split_admission", "分解住院", "fjzy"),
    Category("bed_hanging", "挂床住院", "gczy"),
    Category("duplicate_charge", "重复收费", "cfsf"),
    Category("over_standard_charge", "超标准收费", "cbzsf"),
    Category("item_swap", "串换项目", "chxm"),
    Category("excess_prescription", "超量开药", "clky"),
    Category("uninformed_self_pay", "目录外未告知", "mlwwgz"),
    Category("impersonation", "冒名就医", "mmjy"),
    Category("fictitious_service", "虚构服务", "xgfw"),
    Category("other", "其他", "qt"),
)})
CATEGORY_CODES = tuple(CATEGORIES)

STATES = ("draft", "confirmed", "dismissed")
STATE_LABELS_ZH = MappingProxyType({"draft": "待确认", "confirmed": "已确认",
                                    "dismissed": "已驳回"})
# A confirmed finding may still be dismissed on review (复核不成立): its points are taken
# back by a new ledger line (saas.services.points), nothing is deleted.
_TRANSITIONS = MappingProxyType({("draft", "confirm"): "confirmed",
                                 ("draft", "dismiss"): "dismissed",
                                 ("confirmed", "dismiss"): "dismissed"})
_ACTION_LABELS_ZH = {"confirm": "确认", "dismiss": "驳回"}


MAX_DESCRIPTION = 5000
# 涉及金额 in fen, stored as a 64-bit integer; a ceiling of ¥1 trillion catches typos
# (an amount keyed in the wrong unit) long before the column could overflow.
MAX_AMOUNT_FEN = 10**14


def short_code(category: str) -> str:
    """Pinyin-initial code of a category, e.g. ``split_admission`` → ``fjzy``."""
    if category not in CATEGORIES:
        raise ValueError("unknown finding category", category)
    return CATEGORIES[category].short


def next_state(state: str, action: str) -> str:
    """draft → confirmed | dismissed, confirmed → dismissed (on review); anything else is
    a :class:`TransitionError`."""
    result = _TRANSITIONS.get((state, action))
    if result is None:
        label = STATE_LABELS_ZH.get(state, state)
        raise TransitionError(N_("问题当前状态为「%(state)s」，不能%(action)s", state=N_(label),
                                 action=N_(_ACTION_LABELS_ZH.get(action, action))))
    return result


def is_self_reported(assessment_kind: str) -> bool:
    """自查自纠: a finding is self-reported exactly when its assessment is a self-inspection."""
    return assessment_kind == "self"


def indicator_description(name: str, value, target, unit: str, direction: str) -> str:
    """The description of a finding raised from a failed indicator."""
    if direction == "boolean":
        return f"指标「{name}」未达标：未完成"
    from saas.domain.measurements import unit_suffix

    sign = "≤" if direction == "lower_better" else "≥"
    suffix = unit_suffix(unit)
    return (f"指标「{name}」未达标：实际值 {_fmt(value)}{suffix}，"
            f"协议目标 {sign} {_fmt(target)}{suffix}")


def _fmt(x) -> str:
    if x is None:
        return "—"
    return f"{x:g}" if isinstance(x, float) else str(x)


def yuan_to_fen(text: str | None) -> int:
    """An amount typed in 元 (up to 2 decimals, blank is 0) as integer 分; money is never
    a float. ValueError (Chinese) for anything else."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "").removesuffix("元")
    if not cleaned:
        return 0
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(N_("金额应为数字（元）")) from None
    if not amount.is_finite() or amount * 100 > MAX_AMOUNT_FEN:
        raise ValueError(N_("金额超出范围"))
    if amount < 0:
        raise ValueError(N_("金额不能为负数"))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(N_("金额最多两位小数"))
    return int(amount * 100)
