"""Renewal numbering and the list of major information changes (saas.domain.lifecycle)."""

from hypothesis import given
from hypothesis import strategies as st

from saas.domain.lifecycle import MAJOR_CHANGE_FIELDS, successor_number


def test_first_renewal_gets_r1():
    assert successor_number("A-2026-001") == "A-2026-001-R1"


def test_renewal_of_a_renewal_counts_up():
    assert successor_number("A-2026-001-R1") == "A-2026-001-R2"
    assert successor_number("A-2026-001-R9") == "A-2026-001-R10"


def test_taken_numbers_are_skipped():
    taken = {"A-2026-001-R1", "A-2026-001-R2"}
    assert successor_number("A-2026-001", taken) == "A-2026-001-R3"


def test_an_r_without_digits_is_part_of_the_number():
    assert successor_number("XH-R") == "XH-R-R1"


@given(st.text(alphabet="ABCXH-0123456789", min_size=1, max_size=20),
       st.sets(st.text(alphabet="ABC-R0123456789", max_size=12), max_size=5))
def test_successor_number_is_new_and_keeps_the_base(number, taken):
    result = successor_number(number, taken)
    assert result not in taken and result != number
    assert result.rsplit("-R", 1)[0] == number.rsplit("-R", 1)[0] or result.startswith(number)


def test_major_change_fields_are_the_ones_domain_md_names():
    assert set(MAJOR_CHANGE_FIELDS) == {"name", "legal_representative", "address",
                                        "departments", "level"}
