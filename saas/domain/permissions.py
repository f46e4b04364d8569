"""Who may do what: the permission rules as data, plus :func:`can`.

Assessment rules (per kind; ``return`` sends a submitted assessment back to draft and
belongs to whoever may finalize):

============  ==========================  ==========================  =========================
kind          create / edit / submit       finalize / return           findings
============  ==========================  ==========================  =========================
self 自查      institution_admin            institution_admin           record: editors;
              (+ institution_staff edits)                              confirm/dismiss: bureau
mock 模拟检查  institution_admin,           institution_admin,          record: editors;
              mock_inspector               mock_inspector              confirm/dismiss:
                                                                       institution_admin;
                                                                       never produces points
routine 日常,  bureau_inspector,            bureau_admin                record: editors;
special 专项,  bureau_admin                                             confirm/dismiss: bureau
flight 飞行,
random 双随机
annual 年度    bureau_admin                 bureau_admin                bureau_admin
============  ==========================  ==========================  =========================

"bureau" = bureau_admin | bureau_inspector. Institutions never finalize a bureau kind.

Agreement / template actions (``kind=None``): manage_templates, sign_agreement, renew,
override_renewal → bureau_admin only. 中止, 恢复 and 解除 are the effects of measures
(saas.domain.measures: their own roles and four eyes), never direct actions.

Tenant scoping (a role acts only inside its region / institution) is enforced by the
data-access layer, not here.

Also: the assessment state machine (draft → submitted → finalized, submitted → draft by
``return``). Points of findings live in :mod:`saas.domain.points`.

Pure Python, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from saas.domain.lifecycle import TransitionError
from saas.domain.messages import N_

__all__ = [
    "ACCOUNT_MANAGERS",
    "AGREEMENT_ACTIONS",
    "AGREEMENT_RULES",
    "ASSESSMENT_ACTIONS",
    "ASSESSMENT_ACTION_LABELS_ZH",
    "ASSESSMENT_RULES",
    "ASSESSMENT_STATES",
    "ASSESSMENT_STATE_LABELS_ZH",
    "ASSESSMENT_TRANSITIONS",
    "BUREAU_KINDS",
    "BUREAU_ROLES",
    "INSTITUTION_ROLES",
    "KINDS",
    "KIND_LABELS_ZH",
    "ROLES",
    "ROLE_LABELS_ZH",
    "TransitionError",
    "assessment_is_editable",
    "assessment_next_state",
    "COUNTING_KINDS",
    "can",
    "kind_counts",
    "roles_for",
]

# ---------------------------------------------------------------------------- roles
ROLES = (
    "bureau_admin",
    "bureau_inspector",
    "institution_admin",
    "institution_staff",
    "mock_inspector",
)
ROLE_LABELS_ZH = MappingProxyType(
    {
        "bureau_admin": "医保局管理员",
        "bureau_inspector": "检查组成员",
        "institution_admin": "机构医保办",
        "institution_staff": "科室责任人",
        "mock_inspector": "模拟检查组",
    }
)
BUREAU_ROLES = frozenset({"bureau_admin", "bureau_inspector"})
INSTITUTION_ROLES = frozenset({"institution_admin", "institution_staff", "mock_inspector"})

# ---------------------------------------------------------------------------- kinds
KINDS = ("self", "mock", "routine", "special", "flight", "random", "annual")
KIND_LABELS_ZH = MappingProxyType(
    {
        "self": "自查",
        "mock": "模拟检查",
        "routine": "日常检查",
        "special": "专项检查",
        "flight": "飞行检查",
        "random": "双随机检查",
        "annual": "年度考核",
    }
)
BUREAU_KINDS = frozenset({"routine", "special", "flight", "random", "annual"})

ASSESSMENT_ACTIONS = (
    "create",
    "edit",
    "submit",
    "finalize",
    "return",
    "record_finding",
    "confirm_finding",
    "dismiss_finding",
)
ASSESSMENT_ACTION_LABELS_ZH = MappingProxyType(
    {
        "create": "新建",
        "edit": "录入",
        "submit": "提交",
        "finalize": "定稿",
        "return": "退回",
        "record_finding": "登记问题",
        "confirm_finding": "确认问题",
        "dismiss_finding": "驳回问题",
    }
)

_F = frozenset
_BA = "bureau_admin"
_BI = "bureau_inspector"
_IA = "institution_admin"
_IS = "institution_staff"
_MI = "mock_inspector"


def _rules(**by_action: frozenset[str]) -> Mapping[str, frozenset[str]]:
    missing = set(ASSESSMENT_ACTIONS) - set(by_action)
    extra = set(by_action) - set(ASSESSMENT_ACTIONS)
    if missing or extra:  # pragma: no cover - guards the table below
        raise AssertionError("rules table incomplete", missing, extra)
    return MappingProxyType(dict(by_action))


_SELF = _rules(
    create=_F({_IA}),
    edit=_F({_IA, _IS}),
    submit=_F({_IA}),
    finalize=_F({_IA}),
    **{"return": _F({_IA})},
    record_finding=_F({_IA, _IS}),
    confirm_finding=_F({_BA, _BI}),
    dismiss_finding=_F({_BA, _BI}),
)
_MOCK = _rules(
    create=_F({_IA, _MI}),
    edit=_F({_IA, _MI}),
    submit=_F({_IA, _MI}),
    finalize=_F({_IA, _MI}),
    **{"return": _F({_IA, _MI})},
    record_finding=_F({_IA, _MI}),
    confirm_finding=_F({_IA}),
    dismiss_finding=_F({_IA}),
)
_BUREAU = _rules(
    create=_F({_BA, _BI}),
    edit=_F({_BA, _BI}),
    submit=_F({_BA, _BI}),
    finalize=_F({_BA}),
    **{"return": _F({_BA})},
    record_finding=_F({_BA, _BI}),
    confirm_finding=_F({_BA, _BI}),
    dismiss_finding=_F({_BA, _BI}),
)
_ANNUAL = _rules(**{a: _F({_BA}) for a in ASSESSMENT_ACTIONS})

#: kind → action → roles allowed.
ASSESSMENT_RULES: Mapping[str, Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "self": _SELF,
        "mock": _MOCK,
        "routine": _BUREAU,
        "special": _BUREAU,
        "flight": _BUREAU,
        "random": _BUREAU,
        "annual": _ANNUAL,
    }
)

AGREEMENT_ACTIONS = (
    "manage_templates",
    "sign_agreement",
    "renew",
    "override_renewal",
)
#: Who may list the accounts of their scope and unlock a locked one: a bureau admin the
#: region's (bureau and institutions), an institution admin the institution's.
ACCOUNT_MANAGERS = _F({_BA, _IA})

#: action → roles allowed, for actions not tied to an assessment kind.
AGREEMENT_RULES: Mapping[str, frozenset[str]] = MappingProxyType(
    {a: _F({_BA}) for a in AGREEMENT_ACTIONS}
)


def can(role: str | None, action: str, kind: str | None = None) -> bool:
    """Whether ``role`` may perform ``action`` (on an assessment of ``kind``, or, with
    ``kind=None``, an agreement/template action).

    Unknown or missing roles are denied. Unknown actions or kinds raise ``ValueError``
    (they are programming errors, not permission questions).
    """
    if kind is None:
        if action not in AGREEMENT_RULES:
            if action in ASSESSMENT_ACTIONS:
                raise ValueError("assessment action needs a kind", action)
            raise ValueError("unknown action", action)
        allowed = AGREEMENT_RULES[action]
    else:
        if kind not in ASSESSMENT_RULES:
            raise ValueError("unknown assessment kind", kind)
        rules = ASSESSMENT_RULES[kind]
        if action not in rules:
            raise ValueError("unknown assessment action", action)
        allowed = rules[action]
    return role in allowed


def roles_for(action: str, kind: str | None = None) -> frozenset[str]:
    """The roles :func:`can` allows for ``action`` (and ``kind``)."""
    return frozenset(r for r in ROLES if can(r, action, kind))


def kind_counts(kind: str) -> bool:
    """Whether an assessment of ``kind`` counts: its confirmed findings produce 记分
    points (a self-inspection's at the lenient factor), its total is ranked and can be
    an institution's latest score. A mock inspection is the institution's own rehearsal
    and never counts (domain.md). The one home of this rule: services, SQL and the
    dashboards ask it (or :data:`COUNTING_KINDS`), never ``kind != "mock"``."""
    if kind not in ASSESSMENT_RULES:
        raise ValueError("unknown assessment kind", kind)
    return kind != "mock"


def kind_is_private(kind: str) -> bool:
    """Whether an assessment of ``kind`` is the institution's alone: a mock inspection
    (模拟检查), its measurements, findings and evidence are never shown to the bureau
    (domain.md), so that an institution can rehearse without exposing itself."""
    return not kind_counts(kind)


#: One self-inspection and one annual assessment per agreement and period; inspections
#: (routine, special, flight, random) and mock rehearsals may happen several times. The
#: database holds the rule too (a partial unique index), so two requests at once cannot
#: both create one.
ONE_PER_PERIOD: tuple[str, ...] = ("self", "annual")

#: :func:`kind_counts` as a set, for SQL (``Assessment.kind.in_(COUNTING_KINDS)``).
COUNTING_KINDS: tuple[str, ...] = tuple(k for k in KINDS if kind_counts(k))


# ------------------------------------------------------------------------- points
# ------------------------------------------------------------- assessment states
ASSESSMENT_STATES = ("draft", "submitted", "finalized")
ASSESSMENT_STATE_LABELS_ZH = MappingProxyType(
    {"draft": "草稿", "submitted": "已提交", "finalized": "已定稿"}
)
ASSESSMENT_TRANSITIONS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("draft", "submit"): "submitted",
        ("submitted", "finalize"): "finalized",
        ("submitted", "return"): "draft",
    }
)
_STATE_MACHINE_ACTIONS = ("submit", "finalize", "return")


def assessment_next_state(state: str, action: str) -> str:
    """The assessment state ``action`` (submit, finalize, return) leads to, or
    :class:`TransitionError` with a Chinese message."""
    if state not in ASSESSMENT_STATES:
        raise TransitionError(N_("未知的考核状态：%(state)s", state=repr(state)))
    if action not in _STATE_MACHINE_ACTIONS:
        raise TransitionError(N_("未知的考核操作：%(action)s", action=repr(action)))
    result = ASSESSMENT_TRANSITIONS.get((state, action))
    if result is None:
        raise TransitionError(N_("考核当前状态为「%(state)s」，不能执行「%(action)s」操作",
                                 state=N_(ASSESSMENT_STATE_LABELS_ZH[state]),
                                 action=N_(ASSESSMENT_ACTION_LABELS_ZH[action])))
    return result


def assessment_is_editable(state: str) -> bool:
    """Measurements and findings may be entered only while the assessment is a draft
    (a returned assessment is a draft again)."""
    if state not in ASSESSMENT_STATES:
        raise TransitionError(N_("未知的考核状态：%(state)s", state=repr(state)))
    return state == "draft"
