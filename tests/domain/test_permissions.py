import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saas.domain import permissions as perm
from saas.domain.lifecycle import TransitionError
from saas.domain.permissions import (
    AGREEMENT_ACTIONS,
    ASSESSMENT_ACTIONS,
    ASSESSMENT_RULES,
    COUNTING_KINDS,
    KIND_LABELS_ZH,
    KINDS,
    ROLE_LABELS_ZH,
    ROLES,
    assessment_is_editable,
    assessment_next_state,
    can,
    kind_counts,
    roles_for,
)

BA, BI, IA, IS, MI = (
    "bureau_admin",
    "bureau_inspector",
    "institution_admin",
    "institution_staff",
    "mock_inspector",
)

# Written out by hand from the brief: kind -> action -> roles allowed.
_BUREAU_KIND = {
    "create": {BA, BI},
    "edit": {BA, BI},
    "submit": {BA, BI},
    "finalize": {BA},
    "return": {BA},
    "record_finding": {BA, BI},
    "confirm_finding": {BA, BI},
    "dismiss_finding": {BA, BI},
}
EXPECTED = {
    "self": {
        "create": {IA},
        "edit": {IA, IS},
        "submit": {IA},
        "finalize": {IA},
        "return": {IA},
        "record_finding": {IA, IS},
        "confirm_finding": {BA, BI},
        "dismiss_finding": {BA, BI},
    },
    "mock": {
        "create": {IA, MI},
        "edit": {IA, MI},
        "submit": {IA, MI},
        "finalize": {IA, MI},
        "return": {IA, MI},
        "record_finding": {IA, MI},
        "confirm_finding": {IA},
        "dismiss_finding": {IA},
    },
    "routine": _BUREAU_KIND,
    "special": _BUREAU_KIND,
    "flight": _BUREAU_KIND,
    "random": _BUREAU_KIND,
    "annual": {a: {BA} for a in _BUREAU_KIND},
}
EXPECTED_AGREEMENT = {
    "manage_templates": {BA},
    "sign_agreement": {BA},
    "renew": {BA},
    "override_renewal": {BA},
}

MATRIX = [
    (role, kind, action, role in EXPECTED[kind][action])
    for kind, action, role in itertools.product(KINDS, ASSESSMENT_ACTIONS, ROLES)
]


def test_vocabularies():
    assert set(ROLES) == {BA, BI, IA, IS, MI}
    assert KINDS == ("self", "mock", "routine", "special", "flight", "random", "annual")
    assert set(ASSESSMENT_ACTIONS) == set(_BUREAU_KIND)
    assert set(AGREEMENT_ACTIONS) == set(EXPECTED_AGREEMENT)
    assert set(EXPECTED) == set(KINDS) == set(ASSESSMENT_RULES)
    assert len(MATRIX) == 7 * 8 * 5


def test_labels():
    assert dict(KIND_LABELS_ZH) == {
        "self": "自查",
        "mock": "模拟检查",
        "routine": "日常检查",
        "special": "专项检查",
        "flight": "飞行检查",
        "random": "双随机检查",
        "annual": "年度考核",
    }
    assert set(ROLE_LABELS_ZH) == set(ROLES)
    assert all(ROLE_LABELS_ZH.values())
    assert set(perm.ASSESSMENT_ACTION_LABELS_ZH) == set(ASSESSMENT_ACTIONS)


@pytest.mark.parametrize(("role", "kind", "action", "allowed"), MATRIX)
def test_assessment_matrix(role, kind, action, allowed):
    assert can(role, action, kind) is allowed


@pytest.mark.parametrize(("kind", "action"), list(itertools.product(KINDS, ASSESSMENT_ACTIONS)))
def test_rules_table_equals_expected(kind, action):
    assert set(ASSESSMENT_RULES[kind][action]) == EXPECTED[kind][action]
    assert roles_for(action, kind) == EXPECTED[kind][action]


@pytest.mark.parametrize(("role", "action"), list(itertools.product(ROLES, AGREEMENT_ACTIONS)))
def test_agreement_matrix(role, action):
    assert can(role, action) is (role in EXPECTED_AGREEMENT[action])
    assert can(role, action, None) is (role in EXPECTED_AGREEMENT[action])


@pytest.mark.parametrize("kind", sorted(perm.BUREAU_KINDS))
@pytest.mark.parametrize("role", [IA, IS, MI])
def test_institutions_never_finalize_bureau_kinds(kind, role):
    for action in ("create", "edit", "submit", "finalize", "return", "confirm_finding"):
        assert not can(role, action, kind)


def test_only_bureau_admin_finalizes_bureau_kinds():
    for kind in ("routine", "special", "flight", "random", "annual"):
        assert roles_for("finalize", kind) == {BA}


def test_mock_findings_confirmed_by_institution_admin_only():
    assert roles_for("confirm_finding", "mock") == {IA}
    assert not can(BA, "confirm_finding", "mock")
    assert not can(BI, "confirm_finding", "mock")
    assert not can(MI, "confirm_finding", "mock")


def test_record_finding_follows_edit():
    for kind in KINDS:
        assert roles_for("record_finding", kind) == roles_for("edit", kind)


def test_return_follows_finalize():
    for kind in KINDS:
        assert roles_for("return", kind) == roles_for("finalize", kind)


@pytest.mark.parametrize("role", [None, "", "platform_admin", "BUREAU_ADMIN", "anonymous"])
def test_unknown_roles_denied(role):
    assert not can(role, "create", "self")
    assert not can(role, "finalize", "annual")
    assert not can(role, "renew")


def test_unknown_action_or_kind_raises():
    with pytest.raises(ValueError, match="unknown assessment kind"):
        can(BA, "create", "weekly")
    with pytest.raises(ValueError, match="unknown assessment action"):
        can(BA, "delete", "self")
    with pytest.raises(ValueError, match="unknown assessment action"):
        can(BA, "renew", "self")  # agreement action used with a kind
    with pytest.raises(ValueError, match="needs a kind"):
        can(BA, "finalize")
    with pytest.raises(ValueError, match="unknown action"):
        can(BA, "launch_missiles")


def test_rules_are_read_only():
    with pytest.raises(TypeError):
        ASSESSMENT_RULES["self"] = {}
    with pytest.raises(TypeError):
        ASSESSMENT_RULES["self"]["create"] = frozenset({MI})
    with pytest.raises(TypeError):
        perm.AGREEMENT_RULES["renew"] = frozenset({IA})
    assert isinstance(ASSESSMENT_RULES["self"]["create"], frozenset)


# ------------------------------------------------------------------- points
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("self", True),
        ("mock", False),
        ("routine", True),
        ("special", True),
        ("flight", True),
        ("random", True),
        ("annual", True),
    ],
)
def test_kind_counts(kind, expected):
    assert kind_counts(kind) is expected
    assert (kind in COUNTING_KINDS) is expected


def test_kind_counts_unknown_kind():
    with pytest.raises(ValueError):
        kind_counts("weekly")




# ------------------------------------------------------- assessment states
ASSESSMENT_EXPECTED = {
    ("draft", "submit"): "submitted",
    ("draft", "finalize"): None,
    ("draft", "return"): None,
    ("submitted", "submit"): None,
    ("submitted", "finalize"): "finalized",
    ("submitted", "return"): "draft",
    ("finalized", "submit"): None,
    ("finalized", "finalize"): None,
    ("finalized", "return"): None,
}


@pytest.mark.parametrize(("state", "action"), sorted(ASSESSMENT_EXPECTED))
def test_assessment_state_machine(state, action):
    expected = ASSESSMENT_EXPECTED[(state, action)]
    if expected is None:
        with pytest.raises(TransitionError) as exc:
            assessment_next_state(state, action)
        msg = str(exc.value)
        assert perm.ASSESSMENT_STATE_LABELS_ZH[state] in msg
        assert perm.ASSESSMENT_ACTION_LABELS_ZH[action] in msg
    else:
        assert assessment_next_state(state, action) == expected


def test_assessment_state_machine_complete_and_unknowns():
    assert set(ASSESSMENT_EXPECTED) == set(
        itertools.product(perm.ASSESSMENT_STATES, ("submit", "finalize", "return"))
    )
    with pytest.raises(TransitionError, match="未知的考核状态"):
        assessment_next_state("archived", "submit")
    with pytest.raises(TransitionError, match="未知的考核操作"):
        assessment_next_state("draft", "edit")
    assert perm.TransitionError is TransitionError


def test_assessment_is_editable():
    assert assessment_is_editable("draft")
    assert not assessment_is_editable("submitted")
    assert not assessment_is_editable("finalized")
    with pytest.raises(TransitionError):
        assessment_is_editable("archived")


@given(st.lists(st.sampled_from(["submit", "finalize", "return"]), max_size=20))
def test_finalized_is_terminal(actions):
    state = "draft"
    for action in actions:
        try:
            new = assessment_next_state(state, action)
        except TransitionError:
            continue
        assert state != "finalized"
        state = new
    assert state in perm.ASSESSMENT_STATES
