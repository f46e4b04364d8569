"""saas.web.row_url: a list's row links, built from a kept pattern, equal url_for's."""

import pytest
from flask import url_for

from saas.web import row_url

ROUTES = [("web.assessment", "assessment_id"), ("web.scorecard", "assessment_id"),
          ("web.agreement", "agreement_id"), ("web.institution", "institution_id"),
          ("web.template_export", "template_id"), ("web.rectification", "item_id")]


@pytest.mark.parametrize("script_root", ["", "/pact"])
def test_row_url_equals_url_for(app, script_root):
    for endpoint, key in ROUTES:
        for row_id in (1, 7, 2_000_000_000, 2_147_483_647):
            with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
                assert row_url(endpoint, **{key: row_id}) == url_for(endpoint, **{key: row_id})
                assert row_url(endpoint, **{key: row_id}).startswith(script_root + "/")
