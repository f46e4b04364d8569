"""整改台账: the rules of a rectification item, from finding to verified close-out (销号).

An item is numbered ``YYYY-category-NNN`` within its institution and year (seed: 2024-ybzh-001),
has a deadline in working days by the finding's severity (default 10 / 20 / 30), and moves
open (待整改) → in progress (整改中) → submitted (待复核, with evidence and a statement) →
closed (已销号, verified by someone other than the submitter, with the right role), or back
to in progress (退回, with a reason); a re-check that finds the fix false reopens a closed
item (整改不力或虚假整改) and doubles its finding's points. Overdue is derived from the
deadline, never set by hand. Reminders go out 3 working days before the deadline and while
overdue, once per item and day.

Pure Python, no I/O: the ledger service applies these rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from saas.domain import findings as finding_rules
from saas.domain.calendar import WorkdayCalendar
from saas.domain.lifecycle import TransitionError
from saas.domain.messages import N_

STATES: tuple[str, ...] = ("open", "in_progress", "submitted", "closed")
STATE_LABELS_ZH: Mapping[str, str] = MappingProxyType({
    "open": "待整改", "in_progress": "整改中", "submitted": "待复核", "closed": "已销号"})
ACTIONS: tuple[str, ...] = ("start", "submit", "verify", "return", "reopen")  # contract.md
TRANSITIONS: Mapping[tuple[str, str], str] = MappingProxyType({
    ("open", "start"): "in_progress",
    ("open", "submit"): "submitted",        # fixed at once: straight to review
    ("in_progress", "submit"): "submitted",
    ("submitted", "verify"): "closed",      # 销号
    ("submitted", "return"): "in_progress",  # 退回, with a reason
    ("closed", "reopen"): "in_progress",     # 整改不力或虚假整改, found on re-check
})
#: Where an item comes from: a confirmed finding of the bureau or of a self-inspection, a
#: mock inspection's finding (the institution's own ledger only), or opened by hand.
SOURCES: tuple[str, ...] = ("finding", "mock_inspection", "self_inspection", "internal_audit")
HAND_SOURCES: tuple[str, ...] = ("self_inspection", "internal_audit")  # opened by hand
SOURCE_LABELS_ZH: Mapping[str, str] = MappingProxyType({
    "finding": "检查发现", "mock_inspection": "模拟检查", "self_inspection": "自查自纠",
    "internal_audit": "内部审计"})
REOPEN_POINTS_FACTOR = 2  # a false or ineffective fix doubles the finding's points
NUMBER_DIGITS = 3
MAX_TEXT = finding_rules.MAX_DESCRIPTION  # a statement, measure or reason, as a finding's
MAX_DEPARTMENT = 100
BULK_LIMIT = 500  # items in one bulk action (批量指派 / 批量延期)
IMPORT_MAX_ROWS = 5000  # rows of one imported ledger workbook
#: 逾期账龄: overdue days in bands (from, to; None: and more), as the dashboards show them
OVERDUE_AGEING: tuple[tuple[int, int | None], ...] = ((1, 7), (8, 30), (31, 90), (91, None))
#: The item's own fields the institution keeps up to date (assign): not its deadline.
EDITABLE: tuple[str, ...] = ("measures_to_take", "department", "owner_id")
#: Who works on an item, and who edits its deadline, besides the verifier's steps.
WORKERS = frozenset({"institution_admin", "institution_staff"})
ACTION_LABELS_ZH: Mapping[str, str] = MappingProxyType({
    "open": "立项", "start": "开始整改", "submit": "提交复核", "verify": "复核销号",
    "return": "退回", "reopen": "重新整改", "assign": "指派", "extend": "调整时限"})


@dataclass(frozen=True)
class RectificationRules:
    """The numbers a region may change (template settings ``rectification``)."""

    deadline_workdays: Mapping[str, int] = field(default_factory=lambda: MappingProxyType(
        {"minor": 10, "general": 20, "serious": 30, "fraud": 30}))
    remind_workdays_before: int = 3
    hand_opened_workdays: int = 20  # an item opened by hand, with no severity

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> RectificationRules:
        given = dict((settings or {}).get("rectification") or {})
        defaults = cls()
        return cls(
            deadline_workdays=MappingProxyType({**defaults.deadline_workdays,
                                                **(given.get("deadline_workdays") or {})}),
            remind_workdays_before=given.get("remind_workdays_before",
                                             defaults.remind_workdays_before),
            hand_opened_workdays=given.get("hand_opened_workdays",
                                           defaults.hand_opened_workdays))


def next_state(state: str, action: str) -> str:
    """The state ``action`` leads to, or TransitionError (with a Chinese message)."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise TransitionError(N_("整改事项当前状态为「%(state)s」，不能执行此操作（%(action)s）",
                                 state=N_(STATE_LABELS_ZH.get(state, state)), action=action))
    return target


def item_number(year: int, category_code: str, serial: int) -> str:
    """``YYYY-category-NNN`` (2024-ybzh-001); the serial grows past 999 if it must."""
    if serial < 1:
        raise ValueError("serial starts at 1", serial)
    return f"{year}-{category_code}-{serial:0{NUMBER_DIGITS}d}"


def next_serial(year: int, category_code: str, taken: Iterable[str]) -> int:
    """The next serial for the year and category: one more than the highest taken (a
    gap left by a deleted draft is not reused, so a number never names two items)."""
    prefix = f"{year}-{category_code}-"
    serials = [int(n[len(prefix):]) for n in taken
               if n.startswith(prefix) and n[len(prefix):].isdigit()]
    return max(serials, default=0) + 1


def deadline(opened_on: date, severity: str | None, calendar: WorkdayCalendar,
             rules: RectificationRules = RectificationRules()) -> date:
    """整改时限: the severity's working days after the day the item was opened (an item
    opened by hand: ``hand_opened_workdays``)."""
    days = rules.deadline_workdays.get(severity) if severity else rules.hand_opened_workdays
    if days is None:
        raise ValueError("unknown severity", severity)
    return calendar.add_workdays(opened_on, days)


def is_overdue(state: str, due_on: date, today: date) -> bool:
    """Overdue: not closed and past its deadline (the deadline day itself still counts)."""
    return state != "closed" and today > due_on


def check_submission(evidence_count: int, statement: str | None) -> dict[str, list]:
    """Field errors of a submission (待复核 needs proof): evidence and a statement."""
    errors: dict[str, list] = {}
    if evidence_count < 1:
        errors["evidence"] = [N_("提交复核需要上传整改证明材料")]
    if not (statement or "").strip():
        errors["statement"] = [N_("请填写整改完成情况")]
    else:
        errors.update(check_text("statement", statement))
    return errors


def verifier_role(from_bureau: bool) -> str:
    """Who verifies (销号): a bureau inspector for an item from a bureau finding, the
    institution's admin for the institution's own item."""
    return "bureau_inspector" if from_bureau else "institution_admin"


def check_verifier(from_bureau: bool, role: str | None, verifier_id: int,
                   submitter_id: int | None) -> None:
    """TransitionError unless the verifier has the right role and did not submit it."""
    if role != verifier_role(from_bureau):
        raise TransitionError(N_("该整改事项须由%(role)s复核销号",
                                 role=N_("医保检查员") if from_bureau else N_("机构医保办")))
    if submitter_id is not None and verifier_id == submitter_id:
        raise TransitionError(N_("提交人不能复核自己提交的整改事项"))


def may(action: str, role: str | None, bureau_verifies: bool) -> bool:
    """Whether ``role`` may take ``action`` on an item (its tenant checked elsewhere):
    the institution works on it (start, submit, assign); the verifier checks it (verify,
    return, reopen) and sets its deadline (extend)."""
    if action in ("start", "submit", "assign"):
        return role in WORKERS
    if action in ("verify", "return", "reopen", "extend"):
        return role == verifier_role(bureau_verifies)
    return False


def check_extension(due_on: date, new_due: date | None, reason: str | None,
                    today: date) -> dict[str, list]:
    """Field errors of a deadline change (调整整改时限): a new day, not in the past, with
    a reason."""
    errors: dict[str, list] = {}
    if new_due is None:
        errors["due_date"] = [N_("请填写新的整改时限")]
    elif new_due == due_on:
        errors["due_date"] = [N_("新的整改时限与原时限相同")]
    elif new_due < today:
        errors["due_date"] = [N_("整改时限不能早于今天")]
    errors.update(check_text("reason", reason, required=True))
    return errors


def check_text(field_name: str, value: str | None, required: bool = False,
               limit: int = MAX_TEXT) -> dict[str, list]:
    """A field's error when it is required and blank, or longer than ``limit``."""
    if required and not (value or "").strip():
        return {field_name: [N_("此项为必填项")]}
    if value is not None and len(value) > limit:
        return {field_name: [N_("不能超过 %(n)s 个字", n=limit)]}
    return {}


def reminder(state: str, due_on: date, today: date, calendar: WorkdayCalendar,
             rules: RectificationRules = RectificationRules()) -> str | None:
    """Which reminder an item needs today: "overdue", "due_soon" (within the last
    ``remind_workdays_before`` working days before its deadline) or None."""
    if state == "closed":
        return None
    if is_overdue(state, due_on, today):
        return "overdue"
    if today <= due_on and calendar.workdays_between(today, due_on) <= rules.remind_workdays_before:
        return "due_soon"
    return None


def reminder_key(item_id: int, today: date) -> str:
    """One reminder per item and day, whatever runs the job how often."""
    return f"rectification:{item_id}:{today.isoformat()}"
