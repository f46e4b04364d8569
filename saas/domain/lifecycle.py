"""Agreement lifecycle (医疗机构医疗保障定点管理暂行办法, 国家医保局令第2号; 零售药店: 令第3号).

States ``draft → active → suspended → active | rescinded | terminated``, ``active →
expired``. A suspension running past its limit (180 days) or past the term's end
terminates the agreement (自动终止, 令第2号 第四十二条): it simply ends, with no re-entry
bar and no public notice.
Transitions are named actions; :func:`next_state` answers the state an action leads to
or raises :class:`TransitionError` with a Chinese message the UI can show as-is.

Every number is a parameter whose default comes from ``/work/shared/domain.md``; a region
or template may pass its own value.

Pure Python, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType

from saas.domain.messages import N_
from saas.domain.periods import add_months

__all__ = [
    "ACTIONS",
    "ACTION_LABELS_ZH",
    "BAR_CAUSES",
    "BAR_CAUSE_LABELS_ZH",
    "DEFAULT_BAR_YEARS",
    "DEFAULT_MAX_CONSECUTIVE_FAILED_GRADES",
    "DEFAULT_MAX_SUSPENSIONS_PER_TERM",
    "DEFAULT_MAX_SUSPENSION_DAYS",
    "DEFAULT_RENEWAL_MONTHS_BEFORE",
    "DEFAULT_TERM_MONTHS",
    "MAJOR_CHANGE_FIELDS",
    "RESCISSION_REASONS_ZH",
    "STATES",
    "STATE_LABELS_ZH",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "TransitionError",
    "allowed_actions",
    "bar_until",
    "next_state",
    "renewal_decision",
    "renewal_window_opens",
    "rescission_due",
    "successor_number",
    "successor_term",
    "suspension_termination_date",
]

# --------------------------------------------------------------------------- states
STATES = ("draft", "active", "suspended", "rescinded", "expired", "terminated")
STATE_LABELS_ZH = MappingProxyType(
    {
        "draft": "草拟",
        "active": "履行中",
        "suspended": "中止",
        "rescinded": "已解除",
        "expired": "已到期",
        "terminated": "已终止",
    }
)
TERMINAL_STATES = frozenset({"rescinded", "expired", "terminated"})

ACTIONS = ("sign", "suspend", "resume", "rescind", "expire", "renew", "terminate")
ACTION_LABELS_ZH = MappingProxyType(
    {
        "sign": "签订",
        "suspend": "中止",
        "resume": "恢复履行",
        "rescind": "解除",
        "expire": "到期终止",
        "renew": "续签",
        "terminate": "自动终止",
    }
)

#: (state, action) → resulting state. ``renew`` leaves the agreement in its state: it
#: creates the successor agreement (see :func:`successor_term`).
TRANSITIONS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("draft", "sign"): "active",
        ("active", "suspend"): "suspended",
        ("suspended", "resume"): "active",
        ("active", "rescind"): "rescinded",
        ("suspended", "rescind"): "rescinded",
        ("suspended", "terminate"): "terminated",
        ("active", "expire"): "expired",
        ("active", "renew"): "active",
        ("expired", "renew"): "expired",
    }
)

# ------------------------------------------------------------------------- defaults
DEFAULT_RENEWAL_MONTHS_BEFORE = 3  # 协议期满前3个月协商续签
DEFAULT_MAX_SUSPENSION_DAYS = 180  # 中止 at the institution's request lasts ≤ 180 days
DEFAULT_MAX_SUSPENSIONS_PER_TERM = 1  # the 2nd suspension in one term proposes 解除
DEFAULT_MAX_CONSECUTIVE_FAILED_GRADES = 1  # 2 consecutive 不合格 propose 解除
DEFAULT_TERM_MONTHS = 12  # agreement term usually 1 year
BAR_CAUSES = ("breach", "violation", "fraud")
BAR_CAUSE_LABELS_ZH = MappingProxyType(
    {"breach": "违反协议", "violation": "违法违规", "fraud": "欺诈骗保"}
)
DEFAULT_BAR_YEARS: Mapping[str, int] = MappingProxyType({"breach": 1, "violation": 3, "fraud": 3})

#: 重大信息变更 that must be filed (domain.md): field → Chinese label.
MAJOR_CHANGE_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "name": "机构名称",
        "legal_representative": "法定代表人",
        "address": "地址",
        "departments": "诊疗科目/科室设置",
        "level": "机构等级",
    }
)

FAIL_GRADE = "fail"  # 不合格 (grade values as in the API: excellent, pass, basic, fail)
OVERRIDE_ROLE = "bureau_admin"


class TransitionError(ValueError):
    """A refused transition or decision; ``str(err)`` is a Chinese message for users."""


def _label(mapping: Mapping[str, str], key: str) -> str:
    return mapping.get(key, str(key))


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


# ----------------------------------------------------------------- state machine
def next_state(
    state: str,
    action: str,
    *,
    today: date | None = None,
    end: date | None = None,
) -> str:
    """The state ``action`` leads to from ``state``.

    ``expire`` also needs ``today`` and the agreement's ``end`` date and is refused
    unless ``today > end``. ``renew`` returns the unchanged state: the caller creates
    the successor agreement (and should call :func:`renewal_decision` first).

    Raises :class:`TransitionError` for unknown states/actions and refused transitions.
    """
    if state not in STATES:
        raise TransitionError(N_("未知的协议状态：%(state)s", state=repr(state)))
    if action not in ACTIONS:
        raise TransitionError(N_("未知的协议操作：%(action)s", action=repr(action)))
    result = TRANSITIONS.get((state, action))
    if result is None:
        raise TransitionError(N_("协议当前状态为「%(state)s」，不能执行「%(action)s」操作",
                                 state=N_(_label(STATE_LABELS_ZH, state)),
                                 action=N_(_label(ACTION_LABELS_ZH, action))))
    if action == "expire":
        if today is None or end is None:
            raise TransitionError(N_("到期终止需要提供协议终止日期和当前日期"))
        today, end = _as_date(today), _as_date(end)
        if not today > end:
            raise TransitionError(N_("协议期限至 %(end)s 止，尚未届满，不能到期终止（当前日期 %(today)s）",
                                     end=end.isoformat(), today=today.isoformat()))
    return result


def allowed_actions(state: str) -> list[str]:
    """Actions the state machine accepts from ``state`` (date guards not applied), in
    :data:`ACTIONS` order."""
    return [a for a in ACTIONS if (state, a) in TRANSITIONS]


# ------------------------------------------------------------------------ renewal
def renewal_decision(
    last_annual_grade: str | None,
    override_reason: str | None = None,
    overrider_role: str | None = None,
) -> None:
    """Refuse renewal when the last annual grade is ``fail`` (不合格), unless a bureau
    admin overrides it with a non-blank reason. Returns ``None`` when renewal may go on;
    raises :class:`TransitionError` otherwise. ``None`` grade (no annual assessment yet)
    does not block renewal."""
    if last_annual_grade != FAIL_GRADE:
        return
    reason = (override_reason or "").strip()
    if overrider_role == OVERRIDE_ROLE and reason:
        return
    if overrider_role is not None and overrider_role != OVERRIDE_ROLE:
        raise TransitionError(N_("上一年度考核不合格，不予续签；只有医保局管理员可以例外批准续签"))
    if overrider_role == OVERRIDE_ROLE and not reason:
        raise TransitionError(N_("上一年度考核不合格，例外批准续签必须填写理由"))
    raise TransitionError(N_("上一年度考核不合格，不予续签"))


def renewal_window_opens(end: date, months_before: int = DEFAULT_RENEWAL_MONTHS_BEFORE) -> date:
    """First day of the renewal window: ``months_before`` calendar months before the
    term's ``end`` (day clamped to month end: end 2026-05-31 → 2026-02-28)."""
    if months_before < 0:
        raise ValueError("续签提前月数不能为负", months_before)
    return add_months(_as_date(end), -months_before)


def successor_term(end: date, months: int = DEFAULT_TERM_MONTHS) -> tuple[date, date]:
    """(start, end) of the agreement that renews a term ending on ``end``: it starts the
    next day and lasts ``months`` calendar months (2026-12-31 → 2027-01-01..2027-12-31)."""
    if months < 1:
        raise ValueError("协议期限月数必须为正", months)
    start = _as_date(end) + timedelta(days=1)
    return start, add_months(start, months) - timedelta(days=1)


_RENEWAL_SUFFIX = re.compile(r"^(?P<base>.+)-R(?P<n>\d+)$")


def successor_number(number: str, taken: Collection[str] = ()) -> str:
    """Number of the agreement that renews ``number``: ``A-2026-001`` → ``A-2026-001-R1``,
    ``A-2026-001-R1`` → ``A-2026-001-R2``; numbers in ``taken`` are skipped."""
    match = _RENEWAL_SUFFIX.match(number)
    base, n = (match["base"], int(match["n"])) if match else (number, 0)
    while True:
        n += 1
        candidate = f"{base}-R{n}"
        if candidate not in taken:
            return candidate


# --------------------------------------------------------------------- suspension
def suspension_termination_date(
    start: date, term_end: date, max_days: int = DEFAULT_MAX_SUSPENSION_DAYS
) -> date:
    """The day a suspension that began on ``start`` terminates the agreement if it has not
    been lifted (自动终止, 令第2号 第四十二条): after ``max_days`` days (``start`` counts as
    day 1, so on ``start + max_days``), or the day after the term's end, whichever comes
    first. A suspended agreement never stays suspended forever."""
    if max_days < 1:
        raise ValueError("中止最长天数必须为正", max_days)
    return min(_as_date(start) + timedelta(days=max_days), _as_date(term_end) + timedelta(days=1))


# --------------------------------------------------------------------- rescission
RESCISSION_REASONS_ZH = MappingProxyType(
    {
        "repeat_suspension": "同一协议期内第二次中止协议",
        "consecutive_fail": "连续两个年度考核不合格",
        "fraud": "经查实存在欺诈骗保行为",
        "rectification_incomplete": "中止期间未完成整改",
        "non_designated_settlement": "为非定点医药机构提供医保费用结算",
        "major_change_unreported": "重大信息变更未按规定申报",
    }
)


RESCISSION_ARTICLE = "令第2号第四十三条"
#: Every ground of 令第2号 第四十三条 (and seed 002 第六篇) a rescission may rest on:
#: ground → (Chinese label, the bar cause it carries; None: no re-entry bar).
RESCISSION_GROUNDS: Mapping[str, tuple[str, str | None]] = MappingProxyType({
    "repeat_suspension": ("同一协议期内第二次中止协议", "breach"),
    "rectification_incomplete": ("中止期间未完成整改", "breach"),
    "fraud": ("经查实存在欺诈骗保行为", "fraud"),
    "consecutive_fail": ("连续两个年度考核不合格", "breach"),
    "designation_by_fraud": ("以弄虚作假等不正当手段申请取得定点资格", "fraud"),
    "non_designated_settlement": ("为非定点医药机构提供医保费用结算", "violation"),
    "obstructing_inspection": ("拒绝、阻挠或不配合医保部门开展监督检查", "violation"),
    "unreported_closure": ("停业、歇业或变更地址未按规定报告", "breach"),
    "licence_revoked": ("执业许可证或营业执照被吊销、注销", "breach"),
    "major_change_unreported": ("重大信息变更未按规定申报", "breach"),
    "representative_bad_faith": ("法定代表人、主要负责人或实际控制人存在严重失信行为", "violation"),
    "penalty_not_carried_out": ("未依法履行医疗保障行政处罚决定", "violation"),
    "own_request": ("医药机构主动申请解除协议", None),
})
DEFAULT_PERSON_BAR_YEARS = 5  # 法定代表人、主要负责人 5 年内不得作为定点机构的相关负责人


def person_bar_until(rescinded_on: date, years: int = DEFAULT_PERSON_BAR_YEARS) -> date:
    """First day the legal representative or main officer of a rescinded institution may
    again lead a designated institution: ``years`` years later."""
    if years < 0:
        raise ValueError("限制年数不能为负", years)
    return add_months(_as_date(rescinded_on), 12 * years)


# ------------------------------------------------------- the institution's own requests
REQUEST_KINDS: tuple[str, ...] = ("suspension", "rescission", "non_renewal")
DEFAULT_REQUEST_MONTHS_AHEAD = 3  # 提前3个月提出


def check_request(kind: str, ownership: str | None, today: date, effective_on: date,
                  term_end: date, months_ahead: int = DEFAULT_REQUEST_MONTHS_AHEAD) -> None:
    """An institution asks to suspend, end (解除) or not renew its agreement: at least
    ``months_ahead`` months ahead, within the term; a public (公立) institution may not
    ask to suspend or end (令第2号). Not renewing takes effect at the term's end.
    TransitionError otherwise."""
    if kind not in REQUEST_KINDS:
        raise TransitionError(N_("未知的申请类型：%(kind)s", kind=repr(kind)))
    if ownership == "public" and kind != "non_renewal":
        raise TransitionError(N_("公立医疗机构不得申请中止或解除协议"))
    earliest = add_months(_as_date(today), months_ahead)
    if _as_date(effective_on) < earliest:
        raise TransitionError(N_("应至少提前 %(n)s 个月提出申请（最早 %(day)s）",
                                 n=months_ahead, day=earliest.isoformat()))
    if _as_date(effective_on) > _as_date(term_end):
        raise TransitionError(N_("申请日期应在协议期限内（至 %(end)s）",
                                 end=_as_date(term_end).isoformat()))


def _trailing_fails(grades: Iterable[str | None]) -> int:
    count = 0
    for g in reversed(list(grades)):
        if g != FAIL_GRADE:
            break
        count += 1
    return count


def rescission_due(
    suspensions_in_term: int = 0,
    annual_grades: Iterable[str | None] = (),
    *,
    fraud_verified: bool = False,
    rectification_incomplete_during_suspension: bool = False,
    settled_for_non_designated: bool = False,
    major_change_unreported: bool = False,
    max_suspensions: int = DEFAULT_MAX_SUSPENSIONS_PER_TERM,
    max_consecutive_fails: int = DEFAULT_MAX_CONSECUTIVE_FAILED_GRADES,
) -> list[str]:
    """Reasons (Chinese) for which 解除 should be proposed, given the facts; empty when
    none applies.

    ``suspensions_in_term``: suspensions in the current term, counting one being decided
    now. More than ``max_suspensions`` (default 1) → reason.
    ``annual_grades``: the agreement's annual grades, oldest first (``None`` = no
    assessment); more than ``max_consecutive_fails`` (default 1) trailing ``fail`` → reason.
    The keyword facts each add their own reason.
    Reasons come in a fixed order: suspension, grades, fraud, rectification,
    non-designated settlement, unreported change.
    """
    if suspensions_in_term < 0:
        raise ValueError("中止次数不能为负", suspensions_in_term)
    reasons: list[str] = []
    if suspensions_in_term > max_suspensions:
        reasons.append(RESCISSION_REASONS_ZH["repeat_suspension"])
    if _trailing_fails(annual_grades) > max_consecutive_fails:
        reasons.append(
            RESCISSION_REASONS_ZH["consecutive_fail"]
            if max_consecutive_fails == DEFAULT_MAX_CONSECUTIVE_FAILED_GRADES
            else f"连续{max_consecutive_fails + 1}个年度考核不合格"
        )
    if fraud_verified:
        reasons.append(RESCISSION_REASONS_ZH["fraud"])
    if rectification_incomplete_during_suspension:
        reasons.append(RESCISSION_REASONS_ZH["rectification_incomplete"])
    if settled_for_non_designated:
        reasons.append(RESCISSION_REASONS_ZH["non_designated_settlement"])
    if major_change_unreported:
        reasons.append(RESCISSION_REASONS_ZH["major_change_unreported"])
    return reasons


def bar_until(
    rescinded_on: date,
    cause: str,
    years: Mapping[str, int] = DEFAULT_BAR_YEARS,
) -> date:
    """First day the institution may apply again after 解除 on ``rescinded_on``:
    ``years[cause]`` years later (29 February → 28 February). Defaults: breach 1,
    violation 3, fraud 3."""
    if cause not in years:
        raise ValueError("未知的解除原因", cause, sorted(years))
    n = years[cause]
    if n < 0:
        raise ValueError("限制申请年数不能为负", n)
    return add_months(_as_date(rescinded_on), 12 * n)
