"""A real browser signs in and reaches the institutions page."""

import pytest

pytestmark = pytest.mark.browser


def test_bureau_admin_signs_in_and_sees_region(page_as, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the browser path")
    page = page_as("a_bureau_admin")
    page.goto(page.base + "/institutions")
    rows = page.locator("#institutions tbody tr")
    assert rows.count() == 3
    assert "甲区第一医院" in page.content()
    assert "乙区人民医院" not in page.content()
