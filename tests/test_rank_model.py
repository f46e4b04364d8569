"""The rank read model (saas.services.rank_model) follows every way an assessment or an
institution changes: through the API (an institution user under row-level security and
the bureau), a returned assessment, a later inspection of the same rank group, a tenant
spec that moves an institution to another level, and a region's bulk recompute."""

from datetime import date

from rank_model_helpers import rank_model_mismatches
from sqlalchemy import select

from assessment_helpers import AH1, act, create, put
from conftest import acting


def _marks(app, *ids):
    from saas.extensions import db
    from saas.models import Assessment

    with acting(app, "a_bureau_admin"):
        rows = db.session.execute(select(Assessment.id, Assessment.ranked_as,
                                         Assessment.peer_group)
                                  .where(Assessment.id.in_(ids))).all()
        assert rank_model_mismatches() == []
    return {row.id: (row.ranked_as, row.peer_group) for row in rows}


def test_a_submitted_assessment_speaks_until_returned(app, api_as):
    api = api_as("ah1_admin")  # the institution itself, under row-level security
    draft = create(api, app, period="2026-03")
    put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.3}])
    assert _marks(app, draft["id"]) == {draft["id"]: (None, None)}
    act(api, draft["id"], "submit")
    assert _marks(app, draft["id"]) == {draft["id"]: ("self", "hospital/三级")}
    act(api_as("ah1_admin"), draft["id"], "finalize")
    assert _marks(app, draft["id"])[draft["id"]] == ("self", "hospital/三级")


def test_the_latest_official_inspection_speaks_for_the_group(app, api_as):
    bureau = api_as("a_bureau_inspector")
    ids = []
    for kind in ("routine", "flight"):
        inspection = create(bureau, app, kind=kind, period="2026-03")
        put(bureau, inspection["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.4}])
        act(bureau, inspection["id"], "submit")
        ids.append(inspection["id"])
    assert _marks(app, *ids) == {ids[0]: (None, None), ids[1]: ("official", "hospital/三级")}
    act(api_as("a_bureau_admin"), ids[1], "return", reason="复核数据")  # back to draft
    assert _marks(app, *ids) == {ids[0]: ("official", "hospital/三级"), ids[1]: (None, None)}


def test_a_new_level_moves_the_institutions_peer_group(app, api_as):
    from saas.services.provisioning import provision

    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-04")
    put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.3}])
    act(api, draft["id"], "submit")
    with app.app_context():
        provision({"region": {"code": "330106", "name": "测试甲区"},
                   "institutions": [{"code": "AH1", "name": "甲区第一医院", "kind": "hospital",
                                     "level": "二级", "agreement": {
                                         "template": "HOSP-2026", "number": AH1,
                                         "start": date(2026, 1, 1),
                                         "end": date(2026, 12, 31)}}]})
    assert _marks(app, draft["id"]) == {draft["id"]: ("self", "hospital/二级")}


def test_a_drafts_saves_leave_the_read_model_alone(app, api_as):
    """A draft's total changes at every save and speaks in no rank, so the save sends no
    refresh; its submission does, and the model stays true throughout."""
    from test_read_performance import _statements

    api = api_as("ah1_admin")
    draft = create(api, app, period="2026-05")
    sent, stop = _statements(app)
    try:
        put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.3}])
        put(api, draft["id"], [{"indicator_code": "VIOL-RATIO", "value": 0.2}])
        saves = [s for s in sent if "ranked_as = d.ranked_as" in s]
        act(api, draft["id"], "submit")
        submits = [s for s in sent if "ranked_as = d.ranked_as" in s][len(saves):]
    finally:
        stop()
    assert saves == [] and len(submits) == 1
    assert _marks(app, draft["id"]) == {draft["id"]: ("self", "hospital/三级")}
