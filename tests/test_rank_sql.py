"""A scorecard's rank and "bottom n" history, counted in SQL (saas.services.scoring._ranks),
equal the domain's rules (saas.domain.scoring.rank / rank_in_groups, barometer.in_bottom)
applied in Python to the period's totals, on random assessments: several per institution
and period, drafts, mocks, other rank groups, missing totals and many ties."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rank_model_helpers import rank_model_mismatches

from conftest import acting
from saas.domain import barometer
from saas.domain.periods import parse_period, previous_periods
from saas.domain.permissions import ONE_PER_PERIOD
from saas.domain.scoring import peer_key, rank, rank_in_groups

# (code, kind, level): with region A's AH1 (hospital 三级), AH2 (hospital 二级), AP1
# (pharmacy), peer groups of one, two and three, and a blank level that equals no level.
EXTRA = [("RH3", "hospital", "三级"), ("RH4", "hospital", "二级"), ("RH5", "hospital", None),
         ("RH6", "hospital", ""), ("RP2", "pharmacy", None)]
PERIODS = ["2026-01", "2026-02", "2026-03", "2026-Q1"]
# weighted towards what is ranked together, so that most examples rank several institutions
KINDS = ["self", "self", "self", "routine", "flight", "mock", "annual"]
STATUSES = ["draft", "submitted", "finalized", "finalized"]
# few distinct totals, so that ties are common
TOTALS = st.one_of(st.none(), st.sampled_from([55.0, 60.0, 72.5, 80.0, 80.01, 95.0]))
# per institution and period, up to three assessments (kind, status, total)
CELL = st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(STATUSES), TOTALS),
                max_size=3)
GRID = st.lists(CELL, min_size=(len(EXTRA) + 3) * len(PERIODS),
                max_size=(len(EXTRA) + 3) * len(PERIODS))


def _add_institutions(app):
    from saas.services.provisioning import provision

    templates = {"hospital": "HOSP-2026", "pharmacy": "PHARM-2026"}
    with app.app_context():
        provision({"region": {"code": "330106", "name": "测试甲区"},
                   "institutions": [
                       {"code": code, "name": f"甲区{code}", "kind": kind, "level": level,
                        "agreement": {"template": templates[kind], "number": f"R-{code}",
                                      "start": date(2026, 1, 1), "end": date(2026, 12, 31)}}
                       for code, kind, level in EXTRA]})


def _domain_ranks(assessment, total, rows, institutions, rules):
    """The rule as the domain states it, over every row in Python (the former service)."""
    kinds = barometer.rank_kinds(assessment.kind)
    if not kinds:
        return {"region": None, "region_of": 0, "peer": None, "peer_of": 0}, []
    monthly = parse_period(assessment.period).kind == "month"
    periods = [str(p) for p in previous_periods(
        assessment.period, rules.bottom_run - 1 if monthly else 0, include_self=True)]
    by_period = {p: {} for p in periods}
    for row in sorted(rows, key=lambda r: r.id):  # the latest assessment speaks
        if (row.kind in kinds and row.period in periods and row.total is not None
                and row.status in ("submitted", "finalized")):
            by_period[row.period][row.institution_id] = row.total
    totals = by_period[assessment.period]
    totals[assessment.institution_id] = total
    peers = {i.id: peer_key(i.kind, i.level) for i in institutions}
    own = assessment.institution_id
    same_peer = [t for k, t in totals.items() if peers[k] == peers[own]]
    ranks = {"region": rank(totals)[own], "region_of": sum(t is not None for t in totals.values()),
             "peer": rank_in_groups(totals, peers)[own],
             "peer_of": sum(t is not None for t in same_peer)}
    bottom = ([barometer.in_bottom(by_period[p], own, rules.bottom_n) for p in periods]
              if monthly else [])
    return ranks, bottom


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(grid=GRID, pick=st.integers(0, 200), live_total=TOTALS, bottom_n=st.integers(1, 4))
def test_sql_rank_equals_the_domain_rule(app, grid, pick, live_total, bottom_n):
    from sqlalchemy import select

    from saas.extensions import db
    from saas.models import Agreement, Assessment, Institution
    from saas.services import scoring

    if not getattr(app, "_rank_institutions", False):
        _add_institutions(app)
        app._rank_institutions = True
    with acting(app, "a_bureau_admin"):
        institutions = db.session.execute(select(Institution).order_by(Institution.id)).scalars().all()
        agreements = {a.institution_id: a.id for a in db.session.execute(select(Agreement)).scalars()}
        made = []
        for n, cell in enumerate(grid):
            institution, period = institutions[n // len(PERIODS)], PERIODS[n % len(PERIODS)]
            p = parse_period(period)
            once = set()  # one self-inspection / annual per period (ONE_PER_PERIOD)
            for kind, status, total in cell:
                if kind in ONE_PER_PERIOD and kind in once:
                    continue
                once.add(kind)
                made.append(Assessment(agreement_id=agreements[institution.id],
                                       institution_id=institution.id, kind=kind, period=period,
                                       period_start=p.start, period_end=p.end, status=status,
                                       total=total))
        if not made:
            return
        db.session.add_all(made)
        db.session.flush()
        target = made[pick % len(made)]
        rules = barometer.BarometerRules(bottom_n=bottom_n)
        try:
            assert rank_model_mismatches() == []
            expected = _domain_ranks(target, live_total, made, institutions, rules)
            assert scoring._ranks(target, live_total, rules) == expected
        finally:
            db.session.rollback()
