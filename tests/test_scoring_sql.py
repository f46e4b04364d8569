"""Each SQL scoring expression (saas.services.scoring_sql) against the domain function it
is named after, on generated inputs, on both backends (PostgreSQL is what a province runs)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from conftest import acting
from saas.domain import scoring
from saas.extensions import db
from saas.services import scoring_sql
from saas.services.bulk_scoring import IND_COLUMNS, IND_TYPES, _indicator_row

PERSPECTIVES = scoring.PERSPECTIVES
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
HUNDREDTHS = st.integers(0, 10**6)


def _select(app, expression: str, columns: dict[str, tuple[str, object]]):
    """SELECT expression FROM one row of the given (type, value) columns."""
    row = ", ".join(f"CAST(:{name} AS {sqltype}) AS {name}"
                    for name, (sqltype, _value) in columns.items())
    with acting(app, "a_bureau_admin"):
        got = db.session.execute(text(f"SELECT {expression} FROM (SELECT {row}) AS r"),
                                 {n: v for n, (_t, v) in columns.items()}).scalar_one()
        db.session.rollback()
    return got


@SETTINGS
@given(x=st.floats(0, 1e6, allow_nan=False))
def test_hundredths(app, x):
    sql = scoring_sql.Dialect(app.config["BACKEND"])
    assert _select(app, sql.hundredths("x"), {"x": ("DOUBLE PRECISION", x)}) == \
        scoring.hundredths(x)


@SETTINGS
@given(direction=st.sampled_from(["lower_better", "higher_better", "boolean"]),
       target=st.floats(-1e4, 1e4, allow_nan=False).map(lambda t: round(t, 3)),
       zero_gap=st.one_of(st.none(), st.floats(-50, 500, allow_nan=False)),
       max_points=st.integers(1, 5000).map(lambda h: h / 100),
       value=st.one_of(st.none(), st.just(scoring.NOT_APPLICABLE),
                       st.floats(-2e4, 2e4, allow_nan=False)))
def test_score_indicator(app, direction, target, zero_gap, max_points, value):
    boolean = direction == "boolean"
    zero = None if boolean or zero_gap is None else target + (
        zero_gap if direction == "lower_better" else -zero_gap)
    rule = scoring.IndicatorRule("x", "process", direction, None if boolean else target,
                                 None, zero, max_points)
    if boolean and isinstance(value, float):
        value = value > 0
    points = scoring.score_indicator(rule, value).score
    expected = None if points is None else scoring.hundredths(points)
    row = _indicator_row(1, 1, "monthly", "process", direction, rule.target, zero, max_points)
    na = value is scoring.NOT_APPLICABLE
    number = None if na or value is None else float(value)
    columns = {f"i_{c}": (t, v) for c, t, v in zip(IND_COLUMNS, IND_TYPES, row, strict=True)}
    columns |= {"m_value": ("DOUBLE PRECISION", number), "m_not_applicable": ("BOOLEAN", na)}
    sql = scoring_sql.Dialect(app.config["BACKEND"])
    expression = scoring_sql.score_indicator(sql, "m", "i").replace("m.", "m_").replace(
        "i.", "i_")
    assert _select(app, expression, columns) == expected


@SETTINGS
@given(pairs=st.lists(st.tuples(HUNDREDTHS, HUNDREDTHS), min_size=4, max_size=4))
def test_perspective_hundredths(app, pairs):
    """earned / possible × 100 per perspective, half up; no points possible: NULL."""
    rules, scores, columns = [], [], {}
    for k, (perspective, (earned, possible)) in enumerate(zip(PERSPECTIVES, pairs, strict=True)):
        earned = min(earned, possible)
        columns |= {f"e{k}": ("BIGINT", earned), f"p{k}": ("BIGINT", possible)}
        if possible:
            rules.append(scoring.IndicatorRule(f"I{k}", perspective, "boolean", None, None,
                                               None, possible / 100))
            scores.append(scoring.IndicatorScore(f"I{k}", True, earned / 100, possible / 100,
                                                 "green", "scored"))
    expected = scoring._perspective_hundredths(rules, scores)
    for k, perspective in enumerate(PERSPECTIVES):
        expression = scoring_sql.perspective_hundredths().split(", ")[k].removesuffix(
            f" AS s{k}")
        assert _select(app, expression, columns) == expected[perspective]


@SETTINGS
@given(scores=st.lists(st.one_of(st.none(), st.integers(0, 10000)), min_size=4, max_size=4),
       weights=st.lists(st.integers(0, 10000), min_size=4, max_size=4))
def test_weighted_total(app, scores, weights):
    columns = {f"s{k}": ("BIGINT", s) for k, s in enumerate(scores)}
    columns |= {f"w{k}": ("BIGINT", w) for k, w in enumerate(weights)}
    expected = scoring._weighted_total(dict(zip(PERSPECTIVES, scores, strict=True)),
                                       {p: w / 100 for p, w in zip(PERSPECTIVES, weights, strict=True)})
    assert _select(app, scoring_sql.weighted_total(), columns) == expected


@SETTINGS
@given(total=st.one_of(st.none(), st.integers(0, 10000).map(lambda h: h / 100)),
       bands=st.lists(st.integers(0, 100), min_size=3, max_size=3).map(
           lambda b: sorted(b, reverse=True)))
def test_grade_for(app, total, bands):
    excellent, pass_, basic = bands
    columns = {"total": ("DOUBLE PRECISION", total),
               "excellent": ("DOUBLE PRECISION", excellent),
               "pass_": ("DOUBLE PRECISION", pass_), "basic": ("DOUBLE PRECISION", basic)}
    expected = scoring.grade_for(total, scoring.GradeBands(excellent, pass_, basic))
    assert _select(app, scoring_sql.grade_for(), columns) == expected
