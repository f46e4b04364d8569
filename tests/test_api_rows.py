"""saas.api.common.Rows: every API list dumps its rows exactly as marshmallow would."""

import marshmallow as ma
import pytest

from saas.api.common import Rows, page_schema


def _list_paths(app) -> list[str]:
    """Every GET of the API that answers a page (a *PageSchema), path ids filled with 1."""
    from saas.extensions import api

    with app.app_context():
        spec = api.spec.to_dict()
    paths = []
    for path, operations in spec["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("$ref", "").endswith("Page"):
            paths.append(path.replace("{template_id}", "1").replace("{agreement_id}", "1"))
    return paths


@pytest.fixture
def history(app):
    """The demo's history (assessments, findings, measures, rectifications, notifications)
    on the fixture regions; answers computed each time, never kept."""
    from saas.extensions import db
    from saas.timeutil import today_local
    from saas.tools import demo_data

    with app.app_context():
        assert demo_data.seed(today_local()) > 0
        db.session.remove()
    app.config["API_KEPT_READS"] = False


@pytest.mark.parametrize("who", ["a_bureau_admin", "ah1_admin"])
def test_every_list_dumps_as_marshmallow_does(app, history, api_as, monkeypatch, who):
    api = api_as(who)
    paths = _list_paths(app)
    assert len(paths) >= 12
    planned = {path: api.get(path + "?page_size=200") for path in paths}
    monkeypatch.setattr(Rows, "_serialize", ma.fields.List._serialize)
    rows = 0
    for path, response in planned.items():
        by_marshmallow = api.get(path + "?page_size=200")
        assert response.status_code == by_marshmallow.status_code, path
        assert response.get_json() == by_marshmallow.get_json(), path
        rows += len((response.get_json() or {}).get("items", []))
    assert rows >= 20


def test_rows_fall_back_to_marshmallow_where_a_plan_would_differ():
    class WithMethod(ma.Schema):
        id = ma.fields.Integer()
        twice = ma.fields.Method("_twice")

        def _twice(self, obj):
            return obj["id"] * 2

    class WithDefault(ma.Schema):
        id = ma.fields.Integer()
        note = ma.fields.String(dump_default="—")

    class WithHook(ma.Schema):
        id = ma.fields.Integer()

        @ma.post_dump
        def _tag(self, data, **kwargs):
            return {**data, "tag": True}

    rows = [{"id": 1}, {"id": 2}]
    assert page_schema(WithMethod)().dump({"items": rows})["items"] == [
        {"id": 1, "twice": 2}, {"id": 2, "twice": 4}]
    assert page_schema(WithDefault)().dump({"items": rows})["items"][0] == {"id": 1,
                                                                           "note": "—"}
    assert page_schema(WithHook)().dump({"items": rows})["items"][0] == {"id": 1,
                                                                        "tag": True}
