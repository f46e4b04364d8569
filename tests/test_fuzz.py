"""Fuzzing in CI (issue 13, item 3): every operation of the OpenAPI document with valid
and invalid input, as each role, on PostgreSQL. Fails on any 5xx and on any response that
breaks its documented schema. bench/fuzz.py runs the long version."""

import pytest

from bench.fuzz import fuzz
from conftest import USERS, user_by_email

ROLES = ["a_bureau_admin", "a_bureau_inspector", "ah1_admin", "ah1_staff", "ah1_mock"]


@pytest.mark.parametrize("who", ROLES)
def test_the_fuzzer_finds_nothing(app, backend, who):
    if backend != "postgresql":
        pytest.skip("the fuzzer runs on PostgreSQL, as in production")
    from saas.services.auth import issue_token

    with app.app_context():
        token = issue_token(user_by_email(USERS[who]).id)
    report = fuzz(app, {"Authorization": f"Bearer {token}"}, examples=4)
    assert report["requests"] > 200
    assert not report["failures"], "\n".join(report["failures"][:30])
