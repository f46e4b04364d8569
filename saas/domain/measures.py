"""协议处理: the measures a bureau takes under an agreement, and their due process.

A measure moves proposed → notified → (appealed) → decided → effective → lifted or ended,
or is revoked on the way (contract.md `/measures`). The institution may appeal within
the appeal window (working days on the official calendar, saas.domain.calendar). The
heaviest measures need a decision by a bureau user other than the one who proposed them
(四眼原则). Points crossing a template's thresholds propose measures, once per crossing.

Pure Python, no I/O: the services apply these rules, keep the history and the audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType

from saas.domain import findings as finding_rules
from saas.domain.calendar import DEFAULT_APPEAL_WORKDAYS, WorkdayCalendar
from saas.domain.lifecycle import DEFAULT_MAX_SUSPENSION_DAYS, TransitionError
from saas.domain.messages import N_

MEASURES: tuple[str, ...] = (
    "warning", "interview", "rectification_order", "public_notice", "payment_suspension",
    "payment_refusal", "clawback", "deposit_deduction", "contractual_penalty", "suspension",
    "rescission",
)
MEASURE_LABELS_ZH: Mapping[str, str] = MappingProxyType({
    "warning": "提醒", "interview": "约谈", "rectification_order": "限期整改",
    "public_notice": "通报批评", "payment_suspension": "暂停结算",
    "payment_refusal": "不予支付", "clawback": "追回医保基金",
    "deposit_deduction": "扣除质量保证金", "contractual_penalty": "违约金",
    "suspension": "中止协议", "rescission": "解除协议",
})
SECOND_DECIDER: frozenset[str] = frozenset({"suspension", "rescission", "payment_suspension"})
"""Decided by a bureau user other than the proposer: they stop an institution's income."""
WITH_MONTHS: frozenset[str] = frozenset({"suspension", "payment_suspension"})
WITH_AMOUNT: frozenset[str] = frozenset({"payment_refusal", "clawback", "deposit_deduction",
                                         "contractual_penalty"})

#: A suspension (or payment suspension) lasts whole months, no longer than the 180 days
#: after which a suspended agreement terminates (令第2号 第四十二条).
MAX_MONTHS = DEFAULT_MAX_SUSPENSION_DAYS // 30
MAX_TEXT = finding_rules.MAX_DESCRIPTION  # a basis, statement or reason, as a finding's
MAX_AMOUNT_FEN = finding_rules.MAX_AMOUNT_FEN  # money in fen: the findings' ceiling

STATUSES: tuple[str, ...] = ("proposed", "notified", "appealed", "decided", "effective",
                             "lifted", "ended", "revoked")
FINAL: frozenset[str] = frozenset({"lifted", "ended", "revoked"})
ACTIONS: tuple[str, ...] = ("notify", "appeal", "decide", "take_effect", "lift", "end",
                            "revoke")
DECISIONS: tuple[str, ...] = ("uphold", "overturn")

#: (status, action) → the next status; "decide" with "overturn" revokes instead.
TRANSITIONS: Mapping[tuple[str, str], str] = MappingProxyType({
    ("proposed", "notify"): "notified",
    ("notified", "appeal"): "appealed",
    ("notified", "decide"): "decided",
    ("appealed", "decide"): "decided",
    ("decided", "take_effect"): "effective",
    ("effective", "lift"): "lifted",
    ("effective", "end"): "ended",
    **{(status, "revoke"): "revoked"
       for status in ("proposed", "notified", "appealed", "decided", "effective")},
})


def next_status(status: str, action: str, decision: str | None = None) -> str:
    """The status after ``action``, or TransitionError. Deciding needs a decision:
    uphold goes on to "decided", overturn revokes the measure."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise TransitionError(N_("当前状态（%(status)s）不能执行此操作（%(action)s）",
                                 status=status, action=action))
    if action == "decide":
        if decision not in DECISIONS:
            raise TransitionError(N_("请选择维持或撤销处理"))
        return "decided" if decision == "uphold" else "revoked"
    return target


#: Who may take each step (roles, saas.domain.permissions.ROLES). Deciding a measure of
#: SECOND_DECIDER needs a bureau admin besides the four-eyes rule (:func:`check_decider`).
STEP_ROLES: Mapping[str, frozenset[str]] = MappingProxyType({
    "propose": frozenset({"bureau_admin", "bureau_inspector"}),
    "notify": frozenset({"bureau_admin", "bureau_inspector"}),
    "appeal": frozenset({"institution_admin"}),
    "decide": frozenset({"bureau_admin", "bureau_inspector"}),
    "lift": frozenset({"bureau_admin"}),
    "revoke": frozenset({"bureau_admin"}),
})


def may(role: str | None, step: str, measure: str) -> bool:
    """Whether ``role`` may take ``step`` on a measure of kind ``measure``."""
    if step == "decide" and measure in SECOND_DECIDER:
        return role == "bureau_admin"
    return role in STEP_ROLES.get(step, frozenset())


def check_decidable(status: str, appeal_until: date | None, today: date) -> None:
    """A notified measure is decided once its appeal window has closed (the institution
    keeps its chance to answer); an appealed one at any time."""
    if status == "notified" and appeal_until is not None and today <= appeal_until:
        raise TransitionError(N_("申诉期至 %(deadline)s 止，申诉期内不能作出决定",
                                 deadline=appeal_until.isoformat()))


def check_decider(measure: str, proposed_by: int | None, decided_by: int) -> None:
    """四眼原则: a suspension, rescission or payment suspension is decided by another user
    than its proposer (a measure proposed by the system has no proposer)."""
    if measure in SECOND_DECIDER and proposed_by is not None and proposed_by == decided_by:
        raise TransitionError(N_("此项处理须由提出人以外的另一位医保局用户决定"))


def appeal_deadline(notified_on: date, calendar: WorkdayCalendar,
                    workdays: int = DEFAULT_APPEAL_WORKDAYS) -> date:
    """The last day the institution may appeal: ``workdays`` working days after notice."""
    return calendar.appeal_deadline(notified_on, workdays)


def check_appeal(notified_on: date, today: date, calendar: WorkdayCalendar,
                 workdays: int = DEFAULT_APPEAL_WORKDAYS) -> None:
    """TransitionError once the appeal window has closed (the deadline day still counts)."""
    deadline = appeal_deadline(notified_on, calendar, workdays)
    if today > deadline:
        raise TransitionError(N_("申诉期已于 %(deadline)s 结束", deadline=deadline.isoformat()))


def proposal_key(cause: str, *parts) -> str:
    """The key an automatic proposal carries (unique per agreement in the database), e.g.
    ``points:2026:12`` for the 12-point line in 2026, ``fraud:41`` for finding 41."""
    return ":".join([cause, *(str(p) for p in parts)])


def crossed_thresholds(thresholds: Iterable[Mapping], before: float, after: float,
                       already_proposed: Iterable[float]) -> list[dict]:
    """The thresholds the year's points crossed going from ``before`` to ``after`` (a
    threshold at p is crossed when before < p <= after), leaving out those already
    proposed this year: falling back under a line and crossing it again in the same year
    proposes nothing new. Lowest first."""
    done = set(already_proposed)
    crossed = [dict(t) for t in thresholds
               if before < t["points"] <= after and t["points"] not in done]
    return sorted(crossed, key=lambda t: t["points"])
