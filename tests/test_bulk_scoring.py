"""saas.services.bulk_scoring: the set-based recompute of a region gives every assessment
exactly the scorecard saas.domain.scoring gives it, and the ranks the scorecard shows; on
SQLite and (where it answers) on PostgreSQL with row-level security on; region_ranks gives
the ranks the scorecard shows."""

from __future__ import annotations

import math
import random

import pytest
from rank_model_helpers import rank_model_mismatches
from sqlalchemy import select

from conftest import acting

STALE = {"total": 12.3, "grade": "excellent"}
"""Stored results the recompute must overwrite (or clear, where nothing is scored)."""

# (assessment kind, period, status): several per rank group and period, drafts, a mock,
# a quarter and a year (more indicators due), two official inspections in one quarter.
PLAN = (
    ("self", "2026-01", "finalized"),
    ("self", "2026-02", "finalized"),
    ("special", "2026-02", "draft"),
    ("self", "2026-03", "submitted"),
    ("routine", "2026-Q1", "finalized"),
    ("flight", "2026-Q1", "finalized"),
    ("random", "2026-Q1", "draft"),
    ("mock", "2026-03", "finalized"),
    ("special", "2026", "submitted"),
)


# --------------------------------------------------------------------------- data


def _value(rng: random.Random, ind, nan_ok: bool) -> tuple[float | None, bool]:
    """(value, not_applicable): boundaries, both sides of every line, whole numbers and
    halves (exact ties in the totals), missing and not applicable."""
    u = rng.random()
    if u < 0.04:
        return None, True
    if u < 0.08:
        return None, False
    if nan_ok and u < 0.10:
        return float("nan"), False
    if ind.direction == "boolean":
        return rng.choice((0.0, 1.0, 1.0, 1.0, 2.0)), False
    t = ind.target
    lines = [x for x in (ind.target, ind.warning, ind.zero) if x is not None]
    span = (max(lines) - min(lines)) or 1.0
    choice = rng.random()
    if choice < 0.3:
        return rng.choice(lines), False
    if choice < 0.5:
        return round(rng.uniform(min(lines) - span, max(lines) + span) * 2) / 2, False
    if choice < 0.7:
        return round(rng.uniform(min(lines) - span, max(lines) + span), 2), False
    return t + rng.uniform(-1.5, 1.5) * span, False


def _build(app, seed: int) -> int:
    """Assessments with random measurements for every agreement of region A; returns the
    region id. Assessments are inserted with stale results, not scored."""
    from saas.domain.periods import parse_period
    from saas.extensions import db
    from saas.models import Agreement, Assessment, Indicator, Measurement

    rng = random.Random(seed)
    nan_ok = app.config["BACKEND"] == "postgresql"
    with acting(app, "a_bureau_admin") as user:
        region_id = user.region_id
        agreements = db.session.scalars(select(Agreement).order_by(Agreement.id)).all()
        foreign = db.session.scalars(select(Indicator).order_by(Indicator.id)).all()
        for ag in agreements:
            indicators = sorted(ag.template.indicators, key=lambda i: i.position)
            for kind, period, status in PLAN:
                p = parse_period(period)
                a = Assessment(region_id=region_id, institution_id=ag.institution_id,
                               agreement_id=ag.id, kind=kind, period=period,
                               period_start=p.start, period_end=p.end, status=status,
                               **(STALE if rng.random() < 0.5 else {}))
                db.session.add(a)
                db.session.flush()
                for ind in indicators:  # due or not: a non-due one must stay untouched
                    if rng.random() < 0.08:
                        continue  # no row at all: missing
                    value, na = _value(rng, ind, nan_ok)
                    db.session.add(Measurement(
                        region_id=region_id, institution_id=ag.institution_id,
                        assessment_id=a.id, indicator_id=ind.id, value=value,
                        not_applicable=na))
                if rng.random() < 0.2:  # an indicator of another template: ignored
                    other = next(i for i in foreign if i.template_id != ag.template_id)
                    db.session.add(Measurement(
                        region_id=region_id, institution_id=ag.institution_id,
                        assessment_id=a.id, indicator_id=other.id, value=1.0,
                        not_applicable=False))
        db.session.commit()
    return region_id


# --------------------------------------------------------------------------- reference


def _value_of(m, ind):
    """A stored measurement as the scoring service reads it."""
    from saas.domain.scoring import NOT_APPLICABLE

    if m is None or (m.value is None and not m.not_applicable):
        return None
    if m.not_applicable:
        return NOT_APPLICABLE
    return bool(m.value) if ind.direction == "boolean" else m.value


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=0.0, abs_tol=1e-6)


def _check_region(app, who: str = "a_bureau_admin") -> int:
    """Every assessment and rank of the acting user's region against
    saas.domain.scoring. Returns how many assessments were checked."""
    from saas.domain import scoring
    from saas.domain.barometer import RANK_GROUPS
    from saas.domain.measurements import due_in
    from saas.domain.periods import parse_period
    from saas.extensions import db
    from saas.models import Agreement, Assessment, Institution, Measurement
    from saas.services.ranks import region_ranks

    with acting(app, who) as user:
        ranked = {r["id"]: (r["rank_region"], r["rank_peer"])
                  for r in region_ranks(user.region_id)}
        assessments = db.session.scalars(select(Assessment).order_by(Assessment.id)).all()
        agreements = {a.id: a for a in db.session.scalars(select(Agreement))}
        institutions = {i.id: i for i in db.session.scalars(select(Institution))}
        by_assessment: dict[int, dict] = {}
        for m in db.session.scalars(select(Measurement)):
            by_assessment.setdefault(m.assessment_id, {})[m.indicator_id] = m
        checked = 0
        for a in assessments:
            if a.kind == "annual":
                continue
            template = agreements[a.agreement_id].template
            kind = parse_period(a.period).kind
            due = [i for i in sorted(template.indicators, key=lambda i: i.position)
                   if due_in(i.frequency, kind)]
            rows = by_assessment.get(a.id, {})
            rules = [scoring.IndicatorRule(i.code, i.perspective, i.direction, i.target,
                                           i.warning, i.zero, i.max_points) for i in due]
            values = {i.code: _value_of(rows.get(i.id), i) for i in due}
            settings = template.settings or {}
            card = scoring.score_scorecard(
                rules, values, settings.get("perspective_weights") or scoring.DEFAULT_WEIGHTS,
                scoring.GradeBands.from_mapping(settings.get("grade_bands")))
            assert _close(a.total, card.total), (a.id, a.total, card.total)
            assert a.grade == card.grade, (a.id, a.grade, card.grade)
            assert set(a.perspectives) == set(scoring.PERSPECTIVES)
            for p in scoring.PERSPECTIVES:
                assert _close(a.perspectives[p], card.perspectives[p]), (a.id, p)
            # the 三色预警 counts the pass wrote are the domain's colours, counted
            assert (a.red_count, a.yellow_count) == scoring.colour_counts(card), a.id
            checked += 1

        # ranks: per institution its latest submitted/finalized total of the period and
        # rank group, the assessment itself standing in for its own institution
        peers = {i.id: scoring.peer_key(i.kind, i.level) for i in institutions.values()}
        latest: dict[tuple, dict[int, float]] = {}
        for a in assessments:
            if RANK_GROUPS.get(a.kind) and a.total is not None \
                    and a.status in ("submitted", "finalized"):
                latest.setdefault((a.period, RANK_GROUPS[a.kind]), {})[a.institution_id] = \
                    a.total
        assert set(ranked) == {a.id for a in assessments}
        for a in assessments:
            if not RANK_GROUPS.get(a.kind) or a.total is None:
                assert ranked[a.id] == (None, None), a.id
                continue
            totals = dict(latest.get((a.period, RANK_GROUPS[a.kind]), {}))
            totals[a.institution_id] = a.total
            expected = (scoring.rank(totals)[a.institution_id],
                        scoring.rank_in_groups(totals, peers)[a.institution_id])
            assert ranked[a.id] == expected, (a.id, a.kind, a.period)
        db.session.rollback()
    return checked


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("seed,packed", [(1, True), (2, True), (3, False)])
def test_recompute_matches_the_reference(app, seed, packed, monkeypatch):
    from saas.services import bulk_scoring
    from saas.services.bulk_scoring import recompute_region

    if not packed:  # possible hundredths too large to share a double with earned ones
        monkeypatch.setattr(bulk_scoring, "PACK", 2)
    region_id = _build(app, seed)
    with acting(app, "a_bureau_admin"):
        stats = recompute_region(region_id)
    assert stats["assessments"] == 3 * len(PLAN), str(stats)
    assert stats["assessments_updated"] > 0
    # non-due and foreign indicators are measured in the data: those assessments are
    # summed again over their due indicators
    assert stats["summed_again"] > 0
    assert _check_region(app) == 3 * len(PLAN)
    with acting(app, "a_bureau_admin"):  # the rank read model follows the new totals
        assert stats["ranked_changed"] > 0
        assert rank_model_mismatches() == []

    with acting(app, "a_bureau_admin"):  # nothing left to write
        again = recompute_region(region_id)
    assert again["assessments_updated"] == 0
    assert again["ranked_changed"] == 0


def test_a_changed_value_is_rescored_and_reranked(app):
    from saas.extensions import db
    from saas.models import Assessment, Indicator, Measurement
    from saas.services import scoring
    from saas.services.bulk_scoring import recompute_region
    from saas.services.ranks import region_ranks

    region_id = _build(app, 7)
    with acting(app, "a_bureau_admin"):
        recompute_region(region_id)
    with acting(app, "a_bureau_admin"):
        before = {r["id"]: r["rank_region"] for r in region_ranks(region_id, ["2026-01"])}
        lowest = db.session.scalars(
            select(Assessment).where(Assessment.kind == "self", Assessment.period == "2026-01",
                                     Assessment.total > 0)
            .order_by(Assessment.total, Assessment.id)).first()
        lowest_id = lowest.id
        red = [row["code"] for row in scoring.scorecard_rows(lowest) if row["color"] == "red"]
        for m in db.session.scalars(
                select(Measurement).join(Indicator, Indicator.id == Measurement.indicator_id)
                .where(Measurement.assessment_id == lowest.id, Indicator.code.in_(red))):
            m.value = None  # the red values of the lowest total go missing: 100 points
        db.session.commit()
        stats = recompute_region(region_id)
    assert stats["assessments_updated"] == 1
    _check_region(app)
    with acting(app, "a_bureau_admin"):
        after = {r["id"]: r["rank_region"] for r in region_ranks(region_id, ["2026-01"])}
        only_january = region_ranks(region_id, ["2026-01"], kinds=("self",))
    assert after.keys() == before.keys()
    assert before[lowest_id] > 1 and after[lowest_id] == 1
    assert {r["period"] for r in only_january} == {"2026-01"}
    assert {r["kind"] for r in only_january} == {"self"}


def test_annual_assessments_are_left_to_the_service_rules(app):
    from saas.domain.periods import parse_period
    from saas.extensions import db
    from saas.models import Agreement, Assessment, Measurement
    from saas.services import scoring
    from saas.services.bulk_scoring import recompute_region
    from saas.services.ranks import region_ranks

    region_id = _build(app, 11)
    with acting(app, "a_bureau_admin") as user:
        ag = db.session.scalars(select(Agreement).order_by(Agreement.id)).first()
        p = parse_period("2026")
        annual = Assessment(region_id=user.region_id, institution_id=ag.institution_id,
                            agreement_id=ag.id, kind="annual", period="2026",
                            period_start=p.start, period_end=p.end, status="finalized")
        db.session.add(annual)
        db.session.flush()
        for ind in ag.template.indicators:
            db.session.add(Measurement(region_id=user.region_id,
                                       institution_id=ag.institution_id,
                                       assessment_id=annual.id, indicator_id=ind.id,
                                       value=ind.target if ind.target is not None else 1.0))
        db.session.commit()
        annual_id = annual.id
        stats = recompute_region(region_id)
    assert stats["annual"] == 1
    with acting(app, "a_bureau_admin"):
        annual = db.session.get(Assessment, annual_id)
        live = scoring.scorecard(annual)
        assert annual.total == live["total"] and annual.grade == live["grade"]
        db.session.rollback()
        ranks = region_ranks(region_id, kinds=("annual",))
        assert [(r["id"], r["rank_region"], r["rank_peer"]) for r in ranks] == [
            (annual_id, 1, 1)]


def test_only_the_regions_bureau_may_recompute(app):
    from saas.errors import Forbidden
    from saas.services.bulk_scoring import recompute_region
    from saas.services.ranks import region_ranks

    with acting(app, "a_bureau_admin") as user:
        region_a = user.region_id
    for who in ("ah1_admin", "b_bureau_admin"):
        with acting(app, who), pytest.raises(Forbidden):
            recompute_region(region_a)
        with acting(app, who), pytest.raises(Forbidden):
            region_ranks(region_a)


def test_other_regions_are_not_touched(app):
    from saas.domain.periods import parse_period
    from saas.extensions import db
    from saas.models import Agreement, Assessment, Measurement
    from saas.services.bulk_scoring import recompute_region

    region_a = _build(app, 5)
    with acting(app, "b_bureau_admin") as user:
        ag = db.session.scalars(select(Agreement)).first()
        p = parse_period("2026-01")
        b = Assessment(region_id=user.region_id, institution_id=ag.institution_id,
                       agreement_id=ag.id, kind="self", period="2026-01",
                       period_start=p.start, period_end=p.end, status="finalized",
                       total=1.0, grade="fail")
        db.session.add(b)
        db.session.flush()
        ind = ag.template.indicators[0]
        db.session.add(Measurement(region_id=user.region_id, institution_id=ag.institution_id,
                                   assessment_id=b.id, indicator_id=ind.id, value=ind.target))
        db.session.commit()
        b_id = b.id
    with acting(app, "a_bureau_admin"):
        recompute_region(region_a)
    with acting(app, "b_bureau_admin"):
        b = db.session.get(Assessment, b_id)
        assert (b.total, b.grade) == (1.0, "fail")
        db.session.rollback()


def test_sql_hundredths_are_pythons(app):
    """The SQL spelling of scoring.hundredths() gives Python's integer for every double,
    halves, near halves and the points of linear scores included."""
    from sqlalchemy import text

    from saas.domain.scoring import hundredths
    from saas.extensions import db
    from saas.services.scoring_sql import Dialect

    rng = random.Random(3)
    values = [0.0, 100.0, 0.005, 0.015, 0.125, 0.375, 2.675, 1.005, 0.285, 96.875, 99.995,
              74.995, 12.345, 10 * 0.2 / 0.3, 8 * 7 / 8]
    values += [n + k / 8 for n in range(0, 100, 7) for k in (1, 3, 5, 7)]
    values += [rng.uniform(0, 100) for _ in range(300)]
    values += [round(rng.uniform(0, 100), 3) for _ in range(300)]
    values += [math.nextafter(v, d) for v in values[:60] for d in (0.0, 101.0)]
    expression = Dialect(app.config["BACKEND"]).hundredths("CAST(:x AS DOUBLE PRECISION)")
    with acting(app, "a_bureau_admin"):
        got = [db.session.execute(text(f"SELECT {expression}"), {"x": x}).scalar_one()
               for x in values]
        db.session.rollback()
    mismatches = [(x, g, hundredths(x)) for x, g in zip(values, got, strict=True)
                  if g != hundredths(x)]
    assert not mismatches, mismatches[:5]


def test_sql_points_are_the_domains(app):
    """The SQL points expression gives score_indicator()'s points, in hundredths, for
    values on, near and far past every line, both directions, with and without a zero
    line, and for boolean, missing and not-applicable values."""
    from sqlalchemy import text

    from saas.domain import scoring
    from saas.extensions import db
    from saas.services.bulk_scoring import IND_COLUMNS, IND_TYPES, _indicator_row
    from saas.services.scoring_sql import Dialect, score_indicator

    rng = random.Random(11)
    cases = []
    for _ in range(150):
        direction = rng.choice(["lower_better", "higher_better"])
        target = round(rng.uniform(0, 100), rng.choice([0, 1, 2, 3]))
        away = 1 if direction == "lower_better" else -1
        zero = rng.choice([None, target + away * round(rng.uniform(0.01, 50), 2),
                           target - away * 5, target])
        mp = max(0.01, round(rng.uniform(0.01, 20), rng.choice([0, 1, 2])))
        rule = scoring.IndicatorRule("x", "process", direction, target, None, zero, mp)
        values = [target, zero, rng.uniform(-50, 150), math.inf, -math.inf]
        values += [math.nextafter(v, d) for v in (target, zero) if v is not None
                   for d in (-math.inf, math.inf)]
        cases += [(rule, v) for v in values if v is not None]
    for ok in (True, False, None, scoring.NOT_APPLICABLE):
        cases.append((scoring.IndicatorRule("b", "process", "boolean", None, None, None, 5), ok))
    sql = Dialect(app.config["BACKEND"])
    columns = ", ".join(f"CAST(:{c} AS {t}) AS {c}"
                        for c, t in zip(IND_COLUMNS, IND_TYPES, strict=True))
    statement = text(f"SELECT {score_indicator(sql)} FROM (SELECT CAST(:value AS DOUBLE PRECISION)"
                     f" AS value, :na AS not_applicable) AS m, (SELECT {columns}) AS i")
    mismatches = []
    with acting(app, "a_bureau_admin"):
        for rule, value in cases:
            row = _indicator_row(1, 1, "monthly", rule.perspective, rule.direction,
                                 rule.target, rule.zero, rule.max_points)
            na = value is scoring.NOT_APPLICABLE
            number = None if na or value is None else float(value)
            got = db.session.execute(statement, {**dict(zip(IND_COLUMNS, row, strict=True)),
                                                 "value": number, "na": na}).scalar_one()
            points = scoring.score_indicator(rule, value).score
            expected = None if points is None else scoring.hundredths(points)
            if got != expected:
                mismatches.append((rule, value, got, expected))
        db.session.rollback()
    assert not mismatches, mismatches[:5]


def _enforce_one(region_id: int) -> None:
    """A confirmed finding with its points, a notified measure with a step, and a
    notification, in the seeded region."""
    from datetime import datetime

    from saas.extensions import db
    from saas.models import (
        Agreement,
        Assessment,
        Finding,
        Measure,
        MeasureEvent,
        Notification,
        PointsEntry,
        User,
    )
    from tenants.context import TenantContext, acting_as

    with acting_as(TenantContext(region_id=region_id)):
        assessment = db.session.execute(select(Assessment)).scalars().first()
        agreement = db.session.get(Agreement, assessment.agreement_id)
        finding = Finding(institution_id=agreement.institution_id, assessment_id=assessment.id,
                          category="other", severity="general", description="x",
                          status="confirmed")
        measure = Measure(institution_id=agreement.institution_id, agreement_id=agreement.id,
                          measure="interview", status="notified", basis="x",
                          notified_at=datetime(2026, 5, 1))
        db.session.add_all([finding, measure])
        db.session.flush()
        user = db.session.execute(select(User).where(User.region_id == region_id)).scalars().first()
        db.session.add_all([
            PointsEntry(institution_id=agreement.institution_id, agreement_id=agreement.id,
                        year=2026, finding_id=finding.id, kind="confirmation",
                        reason="finding_confirmed", severity="general", factor=1, points=5),
            MeasureEvent(institution_id=agreement.institution_id, measure_id=measure.id,
                         action="notify", to_status="notified", notified_at=datetime(2026, 5, 1)),
            Notification(user_id=user.id, kind="measure_proposed", subject_msgid="x",
                         subject_params={})])
        db.session.commit()


def test_seed_scale_builds_a_region_that_scores_like_the_reference(app):
    from saas.extensions import db
    from saas.models import Region, User
    from saas.tools.seed_scale import SeedRefused, seed_scale

    with app.app_context():
        report = seed_scale(12, 2, "339901", seed=4, echo=lambda _m: None)
        counts = report.counts
        assert {k: counts[k] for k in ("institutions", "agreements", "assessments",
                                       "measurements")} == {
            "institutions": 12, "agreements": 12, "assessments": 24, "measurements": 24 * 30}
        # enforcement for a share: a finding per item and per points line, every measure
        # with its steps
        assert counts["inspections"] >= 1 and counts["findings"] >= counts["inspections"]
        assert counts["rectification_items"] == counts["findings"] == counts["points_entries"]
        assert counts["measure_events"] >= counts["measures"]
        assert report.recompute["assessments_updated"] == 24 + counts["inspections"]
        with pytest.raises(SeedRefused):
            seed_scale(12, 2, "339901")
        _enforce_one(report.region_id)  # reset deletes what enforcement made too
        again = seed_scale(6, 1, "339901", reset=True, seed=4, echo=lambda _m: None)
        assert again.counts["institutions"] == 6 and again.region_id == report.region_id
        email = db.session.execute(select(User.email).join(Region).where(
            Region.code == "339901")).scalar_one()
        db.session.remove()
    assert _check_region(app, email) == 6 + again.counts["inspections"]
    if app.config["BACKEND"] == "sqlite":
        with app.app_context(), pytest.raises(SeedRefused, match="PostgreSQL"):
            seed_scale(201, 1, "339902")


def test_seed_scale_command(app):
    result = app.test_cli_runner().invoke(
        args=["seed-scale", "--institutions", "4", "--months", "1", "--region-code", "339903",
              "--indicators", "20"])
    assert result.exit_code == 0, result.output
    assert "4 institutions" in result.output and "80 measurements" in result.output
    again = app.test_cli_runner().invoke(
        args=["seed-scale", "--institutions", "4", "--months", "1", "--region-code", "339903"])
    assert again.exit_code == 2 and "--reset" in again.output


def test_results_written_by_the_scoring_service_compare_equal(app):
    """The per-assessment service and the bulk recompute store the same bytes: after the
    service has rewritten every assessment, the bulk recompute finds nothing to write."""
    from saas.extensions import db
    from saas.models import Assessment
    from saas.services import scoring
    from saas.services.bulk_scoring import recompute_region

    region_id = _build(app, 13)
    with acting(app, "a_bureau_admin"):
        recompute_region(region_id)
    with acting(app, "a_bureau_admin"):
        for a in db.session.scalars(select(Assessment)).all():
            a.perspectives = None
            db.session.flush()
            scoring.recompute(a)
        db.session.commit()
        stats = recompute_region(region_id)
    assert stats["assessments_updated"] == 0


def test_a_changed_perspective_is_rewritten_though_total_and_grade_are_the_same(app):
    """The recompute compares each perspective's hundredths: a stored perspective that
    differs (here: one swapped with another, so the total and grade stay) is rewritten,
    and the next recompute finds nothing to write."""
    from saas.extensions import db
    from saas.models import Assessment
    from saas.services.bulk_scoring import recompute_region

    region_id = _build(app, 19)
    with acting(app, "a_bureau_admin"):
        recompute_region(region_id)
        db.session.commit()
        a = next(a for a in db.session.scalars(select(Assessment).order_by(Assessment.id))
                 if a.perspectives and a.perspectives["financial"] != a.perspectives["patient"])
        right = dict(a.perspectives)
        wrong = {**right, "financial": right["patient"], "patient": right["financial"]}
        a.perspectives = wrong
        db.session.commit()
        stats = recompute_region(region_id)
        db.session.commit()
        db.session.refresh(a)
        assert stats["assessments_updated"] == 1
        assert a.perspectives == right
        assert recompute_region(region_id)["assessments_updated"] == 0


def test_ranks_of_one_kind_are_ranked_within_their_whole_rank_group(app):
    """routine and flight inspections rank together (RANK_GROUPS): asking for one kind
    filters the rows, not the competitors."""
    from saas.services.bulk_scoring import recompute_region
    from saas.services.ranks import region_ranks

    region_id = _build(app, 17)
    with acting(app, "a_bureau_admin"):
        recompute_region(region_id)
        everything = {r["id"]: r for r in region_ranks(region_id)}
        routine = region_ranks(region_id, ["2026-Q1"], kinds=("routine",))
    assert routine and {r["kind"] for r in routine} == {"routine"}
    for r in routine:
        assert (r["rank_region"], r["rank_peer"]) == (
            everything[r["id"]]["rank_region"], everything[r["id"]]["rank_peer"])


def test_scores_commands(app):
    from saas.extensions import db
    from saas.models import Region

    region_id = _build(app, 19)
    with app.app_context():
        code = db.session.get(Region, region_id).code
        db.session.remove()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scores", "recompute", "--region", code])
    assert result.exit_code == 0, result.output
    assert f"{3 * len(PLAN)} assessments" in result.output
    ranks = runner.invoke(args=["scores", "ranks", "--region", code, "--period", "2026-01"])
    assert ranks.exit_code == 0, ranks.output
    lines = ranks.output.strip().splitlines()
    assert lines[0] == ("rank_region,rank_peer,institution_code,institution_name,"
                        "assessment_id,total")
    assert len(lines) == 1 + 3 and lines[1].startswith("1,1,")
    codes = {line.split(",")[2] for line in lines[1:]}
    assert "" not in codes and len(codes) == 3
    missing = runner.invoke(args=["scores", "recompute", "--region", "000000"])
    assert missing.exit_code == 2 and "no region" in missing.output
