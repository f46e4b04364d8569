"""`pact seed-scale`: a synthetic, province-sized region for benchmarks.

The region, its bureau user and its agreement templates go through the normal path
(:func:`saas.services.provisioning.provision` with a spec built here from the shipped
templates ``tenants/specs/templates/*.yaml``, validated by :mod:`tenants.spec`). Each
template is extended with a synthetic chapter of department / business-line breakdown
indicators (科室/条线分解指标) so that every template has ``indicators`` indicators
(default 30, as a province's real templates do).

Then, in one transaction and under the region's tenant context (the tables have FORCE
ROW LEVEL SECURITY, so the transaction carries ``app.region_id`` and ``app.scope=region``),
it bulk-loads, with PostgreSQL ``COPY`` (SQLite: ``executemany``):

* institutions: a mix of hospitals (三级 / 二级 / 一级), clinics and pharmacies;
* one signed 2026 agreement per institution (the template of its kind);
* one finalized ``self`` assessment per institution per month (2026-01 … 2026-MM);
* one measurement per indicator due in the month (``saas.domain.measurements.due_in``)
  per assessment, with reproducible values (``--seed``):
  each institution has a quality level that makes green / yellow / red more or less
  likely; a few values are missing or not applicable.

* enforcement for a share of institutions (``ENFORCED_SHARE``): a finalized routine
  inspection (日常检查) in the last month with 1–3 confirmed findings, their points
  lines, the measures the year's points propose (as the thresholds of the template say),
  each with its steps, and one rectification item per finding, in every state, some
  overdue: what the dashboards and the ledger show at province scale.

Measurements hold values only (scores are computed when read); unless ``score=False``
the assessments' totals and grades are then computed by
:func:`saas.services.bulk_scoring.recompute_region`. Bulk rows are synthetic seed data:
they get one audit entry for the whole load, not one per row.
"""

from __future__ import annotations

import calendar
import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from saas.dbadmin import analyze
from saas.domain import templates as template_rules
from saas.domain.measurements import due_in
from saas.extensions import db
from saas.models import Indicator, Institution, Region, Template
from saas.services import audit
from saas.services.base import transaction
from tenants.context import TenantContext, acting_as

SPECS_DIR = Path(__file__).resolve().parent.parent.parent / "tenants" / "specs"
TEMPLATE_FILES = {"hospital": "templates/hospital-2026.yaml",
                  "clinic": "templates/clinic-2026.yaml",
                  "pharmacy": "templates/pharmacy-2026.yaml"}
DEFAULT_REGION_CODE = "339900"
SQLITE_MAX_INSTITUTIONS = 200
YEAR = 2026

# (kind, level, share of the region's institutions)
INSTITUTION_MIX: tuple[tuple[str, str | None, float], ...] = (
    ("hospital", "三级甲等", 0.006),
    ("hospital", "三级乙等", 0.004),
    ("hospital", "二级甲等", 0.015),
    ("hospital", "二级乙等", 0.010),
    ("hospital", "一级", 0.045),
    ("clinic", None, 0.520),
    ("pharmacy", None, 0.400),
)
KIND_NAMES = {"hospital": "医院", "clinic": "社区卫生服务站", "pharmacy": "大药房"}
PLACES = ("东城", "西城", "南湖", "北山", "江滨", "河口", "新城", "古镇", "青石", "白沙",
          "柳林", "桃源", "枫桥", "梅溪", "竹园", "松岗")

# Breakdown units of the synthetic chapter, by institution kind.
UNITS_BY_KIND = {
    "hospital": (("NK", "内科"), ("WK", "外科"), ("FCK", "妇产科"), ("EK", "儿科"),
                 ("JZK", "急诊科"), ("ZYK", "中医科"), ("KFK", "康复科"), ("YJK", "医技科室")),
    "clinic": (("QK", "全科门诊"), ("ZY", "中医诊室"), ("YF", "药房"), ("JK", "公共卫生"),
               ("MB", "慢病管理"), ("KF", "康复理疗")),
    "pharmacy": (("CF", "处方药"), ("FCF", "非处方药"), ("ZY", "中药饮片"), ("QX", "医疗器械"),
                 ("MB", "慢病药品"), ("TS", "特殊药品")),
}
# Breakdown indicators: (code, name, perspective, unit, direction, target, warning, zero,
# max_points). Lines follow the seeds (违规费用占比 ≤ 0.5 %, 满意度, 处方点评率 …).
BREAKDOWN_INDICATORS: tuple[tuple, ...] = (
    ("VIOL-RATIO", "违规费用占比", "financial", "%", "lower_better", 0.5, 0.4, 1.0, 5),
    ("SATISFACTION", "患者满意度", "patient", "score", "higher_better", 90, 92, 70, 4),
    ("RX-REVIEW", "处方点评率", "process", "%", "higher_better", 100, None, 80, 4),
    ("TRAIN-COVERAGE", "医保政策培训覆盖率", "learning", "%", "higher_better", 100, None, 80, 3),
    ("DRUG-RATIO", "药占比", "financial", "%", "lower_better", 30, 28, 40, 4),
    ("COMPLAINT-24H", "投诉 24 小时响应率", "patient", "%", "higher_better", 100, None, 90, 3),
    ("DATA-UPLOAD", "数据按规上传率", "process", "%", "higher_better", 100, None, 95, 3),
    ("SELF-CHECK", "自查按期完成", "learning", "yes/no", "boolean", None, None, None, 2),
)


class SeedRefused(Exception):
    """The seed will not run (wrong backend for the size, region already has data, …)."""


@dataclass
class SeedReport:
    region_id: int
    region_code: str
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    recompute: dict | None = None

    def summary(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items())
        times = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        return f"region {self.region_code} (id {self.region_id}): {counts}\n  timings: {times}"


# --------------------------------------------------------------------------- spec


def scale_templates(indicators: int = 30) -> dict[str, dict]:
    """The shipped templates (validated through the tenant spec loader), each extended with
    breakdown indicators up to ``indicators`` indicators. Keyed by institution kind."""
    from tenants.spec import parse_spec

    includes = "\n".join(f"  - {{file: {path}}}" for path in TEMPLATE_FILES.values())
    spec = parse_spec(
        f'region: {{code: "{DEFAULT_REGION_CODE}", name: 规模测试区}}\ntemplates:\n{includes}\n',
        name="seed-scale.yaml", base_dir=SPECS_DIR)
    out = {}
    for kind, template in zip(TEMPLATE_FILES, spec["templates"], strict=True):
        out[kind] = _extend(template, kind, indicators)
    return out


def _extend(template: dict, kind: str, wanted: int) -> dict:
    """Add monthly breakdown indicators until ``wanted`` indicators are due each month."""
    have = sum(1 for c in template["clauses"] for i in c["indicators"]
               if due_in(i.get("frequency") or "monthly", "month"))
    extra = max(0, wanted - have)
    if not extra:
        return template
    template = dict(template, clauses=list(template["clauses"]))
    template["name"] = f"{template['name']}（规模测试扩展）"
    chapter = str(max(int(c["number"].split(".")[0]) for c in template["clauses"]) + 1)
    template["clauses"].append({"number": chapter, "title": "科室/条线分解指标（规模测试）",
                                "text": "协议指标按科室或业务条线分解考核（合成数据）。",
                                "parent": None, "indicators": []})
    units = UNITS_BY_KIND[kind]
    for n in range(extra):
        unit_code, unit_name = units[n % len(units)]
        code, name, perspective, unit, direction, target, warning, zero, points = \
            BREAKDOWN_INDICATORS[(n // len(units) + n) % len(BREAKDOWN_INDICATORS)]
        number = f"{chapter}.{n + 1}"
        indicator = {"code": f"{code}-{unit_code}", "name": f"{name}（{unit_name}）",
                     "perspective": perspective, "unit": unit, "direction": direction,
                     "max_points": points, "frequency": "monthly", "data_source": "self_report",
                     "evidence_required": False}
        if direction != "boolean":
            indicator.update(target=target, zero=zero)
            if warning is not None:
                indicator["warning"] = warning
        template["clauses"].append({"number": number, "title": f"{name}（{unit_name}）",
                                    "text": "", "parent": chapter, "indicators": [indicator]})
    problems = template_rules.validate_template(template)
    if problems:
        raise SeedRefused(f"extended template {template['code']} is invalid: {problems[:3]}")
    return template


def region_spec(region_code: str, indicators: int = 30) -> dict:
    templates = scale_templates(indicators)
    return {
        "region": {"code": region_code, "name": f"规模测试区 {region_code}（合成数据）"},
        "users": [{"email": f"bureau@r{region_code}.scale.example", "name": "规模测试医保局",
                   "role": "bureau_admin"}],
        "templates": list(templates.values()),
        "institutions": [],
    }


# --------------------------------------------------------------------------- seeding


def seed_scale(institutions: int, months: int, region_code: str = DEFAULT_REGION_CODE, *,
               reset: bool = False, seed: int = 2026, indicators: int = 30,
               score: bool = True, echo: Callable[[str], None] | None = None) -> SeedReport:
    """Build the synthetic region (see the module docstring). Refuses when the region
    already has institutions, unless ``reset`` (then the region's institutions and
    everything they own are deleted first; templates stay, as published versions do)."""
    say = echo or (lambda _msg: None)
    if institutions < 1:
        raise SeedRefused("--institutions must be at least 1")
    if not 1 <= months <= 12:
        raise SeedRefused(f"--months must be 1..12 (the months of {YEAR})")
    dialect = db.engine.dialect.name
    if dialect == "sqlite" and institutions > SQLITE_MAX_INSTITUTIONS:
        raise SeedRefused(
            f"{institutions} institutions on SQLite: the embedded database is for at most "
            f"{SQLITE_MAX_INSTITUTIONS}. Set DATABASE_URL to PostgreSQL, e.g. "
            "DATABASE_URL=postgresql+psycopg://pact_app@127.0.0.1/pact_bench "
            "(migrate it first: pact db upgrade with DATABASE_OWNER_URL).")
    if dialect not in ("sqlite", "postgresql"):
        raise SeedRefused(f"unsupported database {dialect}")

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    region = db.session.execute(
        select(Region).where(Region.code == region_code)).scalar_one_or_none()
    if region is not None:
        with acting_as(TenantContext(region_id=region.id)):
            existing = db.session.execute(select(func.count(Institution.id))).scalar_one()
            db.session.rollback()
            if existing and not reset:
                raise SeedRefused(
                    f"region {region_code} already has {existing} institutions; "
                    "use --reset to delete them and seed again")
            if existing:
                say(f"deleting the {existing} institutions of region {region_code} …")
                _reset(region.id)
                timings["reset"] = time.perf_counter() - t0

    from saas.services.provisioning import provision

    t = time.perf_counter()
    provision(region_spec(region_code, indicators))
    region = db.session.execute(select(Region).where(Region.code == region_code)).scalar_one()
    region_id = region.id
    timings["provision"] = time.perf_counter() - t
    report = SeedReport(region_id=region_id, region_code=region_code)
    rng = random.Random(seed)

    with acting_as(TenantContext(region_id=region_id)), transaction():
        loader = _PgLoader() if dialect == "postgresql" else _SqliteLoader()
        templates = _templates_by_kind(indicators)
        t = time.perf_counter()
        insts = _institution_rows(rng, institutions, region_id)
        loader.load("institutions", insts)
        agreements = _agreement_rows(insts, templates, region_id, region_code)
        loader.load("agreements", agreements)
        assessments = _assessment_rows(agreements, months, region_id)
        loader.load("assessments", assessments)
        timings["institutions+agreements+assessments"] = time.perf_counter() - t
        say(f"{len(insts)} institutions, {len(agreements)} agreements, "
            f"{len(assessments)} assessments loaded; measurements …")
        t = time.perf_counter()
        quality = {row["id"]: row.pop("_quality") for row in insts}
        n_measurements = loader.load_measurements(
            _measurement_batches(rng, assessments, agreements, templates, quality, region_id))
        timings["measurements"] = time.perf_counter() - t
        t = time.perf_counter()
        enforced = _enforcement_rows(rng, agreements, templates, months, region_id)
        for table in ENFORCEMENT_TABLES:  # parents first: their ids are known when loaded
            loader.load(table, [_with_parent_ids(row) for row in enforced[table]])
        timings["enforcement"] = time.perf_counter() - t
        report.counts = {"institutions": len(insts), "agreements": len(agreements),
                         "assessments": len(assessments), "measurements": n_measurements,
                         "inspections": len(enforced["assessments"]),
                         **{t: len(enforced[t]) for t in ENFORCEMENT_TABLES[1:]}}
        audit.record("seed_scale.loaded", region, object_type="Region",
                     after={**report.counts, "months": months, "seed": seed,
                            "indicators": indicators}, actor="seed-scale")
        t = time.perf_counter()
    timings["commit"] = time.perf_counter() - t
    say(f"{n_measurements} measurements loaded")
    analyze(("templates", "clauses", "indicators", "institutions", "agreements",
             "assessments", "measurements", *ENFORCEMENT_TABLES[1:]))
    if score:
        from saas.services.bulk_scoring import recompute_region

        t = time.perf_counter()
        report.recompute = recompute_region(region_id)
        analyze(("assessments",))  # the totals were all empty at the first ANALYZE
        timings["score"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    report.timings = timings
    return report


def _templates_by_kind(indicators: int) -> dict[str, tuple[Template, list[Indicator]]]:
    """The latest version of each scale template and its indicators (in position order)."""
    wanted = scale_templates(indicators)
    out = {}
    for kind, spec in wanted.items():
        template = db.session.execute(
            select(Template).where(Template.code == spec["code"])
            .order_by(Template.version.desc()).limit(1)).scalar_one()
        out[kind] = (template, list(template.indicators))
    return out


def _reset(region_id: int) -> None:
    """Delete the region's institutions and what they own (not templates, not audit)."""
    with transaction():
        db.session.execute(text("DELETE FROM re_entry_bars WHERE region_id = :r"),
                           {"r": region_id})
        for table in ("export_files", "evidence", "points_entries", "rectification_events",
                      "rectification_items", "agreement_requests", "measure_events",
                      "measures", "findings", "measurements", "assessments",
                      "information_changes", "agreements", "notifications"):
            db.session.execute(text(f"DELETE FROM {table} WHERE region_id = :r"),
                               {"r": region_id})
        db.session.execute(text(
            "DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE"
            " institution_id IN (SELECT id FROM institutions WHERE region_id = :r))"),
            {"r": region_id})
        db.session.execute(text(
            "DELETE FROM users WHERE institution_id IN"
            " (SELECT id FROM institutions WHERE region_id = :r)"), {"r": region_id})
        db.session.execute(text("DELETE FROM institutions WHERE region_id = :r"),
                           {"r": region_id})


# --------------------------------------------------------------------------- rows


def _institution_rows(rng: random.Random, n: int, region_id: int) -> list[dict]:
    now = datetime(YEAR - 1, 12, 1, 2, 0, 0)
    weights = [share for _k, _l, share in INSTITUTION_MIX]
    rows = []
    for i in range(1, n + 1):
        kind, level, _ = rng.choices(INSTITUTION_MIX, weights)[0]
        place = PLACES[rng.randrange(len(PLACES))]
        rows.append({
            "region_id": region_id, "code": f"S{i:06d}",
            "name": f"{place}第{i:05d}号{KIND_NAMES[kind]}（合成）", "kind": kind,
            "level": level, "credit_code": None, "address": None, "district": f"{place}区",
            "legal_representative": None, "created_at": now, "updated_at": now,
            # quality of the institution's data: more green, fewer red (not stored)
            "_quality": rng.betavariate(5, 2),
        })
    return rows


def _agreement_rows(insts: list[dict], templates: dict, region_id: int,
                    region_code: str) -> list[dict]:
    signed = datetime(YEAR - 1, 12, 20, 2, 0, 0)
    return [{"region_id": region_id, "institution_id": inst["id"],
             "template_id": templates[inst["kind"]][0].id,
             "number": f"{region_code}-{YEAR}-{inst['code'][1:]}",
             "start": date(YEAR, 1, 1), "end": date(YEAR, 12, 31), "status": "active",
             "signed_at": signed, "predecessor_id": None, "suspensions": 0,
             "suspended_at": None, "status_reason": None, "created_at": signed,
             "_kind": inst["kind"]}
            for inst in insts]


def _assessment_rows(agreements: list[dict], months: int, region_id: int) -> list[dict]:
    rows = []
    for month in range(1, months + 1):
        start = date(YEAR, month, 1)
        end = date(YEAR, month, calendar.monthrange(YEAR, month)[1])
        created = datetime.combine(end, datetime.min.time()) + timedelta(hours=1)
        submitted = created + timedelta(days=3)
        finalized = created + timedelta(days=8)
        for ag in agreements:
            rows.append({"region_id": region_id, "institution_id": ag["institution_id"],
                         "agreement_id": ag["id"], "kind": "self", "period": f"{YEAR}-{month:02d}",
                         "period_start": start, "period_end": end, "status": "finalized",
                         "created_by": None, "submitted_at": submitted,
                         "finalized_at": finalized, "total": None, "grade": None,
                         "created_at": created})
    return rows


def _value_plan(ind: Indicator) -> tuple:
    """What the value generator needs of one indicator, oriented "lower is better"."""
    if ind.direction == "boolean":
        return ("boolean", ind.id)
    sign = 1.0 if ind.direction == "lower_better" else -1.0
    target = float(ind.target)
    warning = None if ind.warning is None else sign * (float(ind.warning) - target)
    zero = abs(float(ind.zero) - target) if ind.zero is not None else max(1.0, abs(target) * 0.2)
    high = 100.0 if ind.unit in ("%", "score") else None
    decimals = 0 if ind.unit == "count" else (1 if ind.unit in ("days", "hours") else 2)
    return ("numeric", ind.id, sign, target, warning, zero, high, decimals)


def _value(rng: random.Random, plan: tuple, quality: float) -> tuple[float | None, bool]:
    """(value, not_applicable) for one measurement."""
    u = rng.random()
    if u < 0.003:
        return None, True
    if u < 0.008:
        return None, False
    if plan[0] == "boolean":
        return (1.0 if rng.random() < 0.80 + 0.18 * quality else 0.0), False
    _, _id, sign, target, warning, zero, high, decimals = plan
    u = rng.random()
    red = 0.02 + 0.20 * (1.0 - quality)
    yellow = (0.04 + 0.20 * (1.0 - quality)) if warning is not None else 0.0
    if u < red:
        d = rng.random() * zero * 1.2  # 1 in 6 reds beyond the zero line
    elif u < red + yellow:
        d = warning * rng.random()  # between the warning line and the target
    else:
        edge = warning if warning is not None else 0.0
        d = edge - rng.random() * zero * 0.6
    value = target + sign * d
    value = max(0.0, value if high is None else min(high, value))
    return round(value, decimals), False


def _measurement_batches(rng: random.Random, assessments: list[dict], agreements: list[dict],
                         templates: dict, quality: dict, region_id: int, batch: int = 200_000):
    """Lists of (region_id, institution_id, assessment_id, indicator_id, value,
    not_applicable), about ``batch`` rows each."""
    plans = {kind: [_value_plan(ind) for ind in inds if due_in(ind.frequency, "month")]
             for kind, (_t, inds) in templates.items()}
    kind_of = {ag["id"]: ag["_kind"] for ag in agreements}
    rows: list[tuple] = []
    value = _value
    for a in assessments:
        inst = a["institution_id"]
        q = quality[inst]
        aid = a["id"]
        for plan in plans[kind_of[a["agreement_id"]]]:
            v, na = value(rng, plan, q)
            rows.append((region_id, inst, aid, plan[1], v, na))
        if len(rows) >= batch:
            yield rows
            rows = []
    if rows:
        yield rows


# ---------------------------------------------------------------------- enforcement

ENFORCED_SHARE = 0.12  # institutions with a routine inspection and its consequences
ENFORCEMENT_TABLES = ("assessments", "findings", "points_entries", "measures",
                      "measure_events", "rectification_items")
SEVERITY_MIX = (("minor", 0.35), ("general", 0.4), ("serious", 0.2), ("fraud", 0.05))
ITEM_STATES = (("open", 0.3), ("in_progress", 0.25), ("submitted", 0.15), ("closed", 0.3))


def _enforcement_rows(rng: random.Random, agreements: list[dict], templates: dict,
                      months: int, region_id: int) -> dict[str, list[dict]]:
    """Rows of every enforcement table for ENFORCED_SHARE of the agreements, parents
    before children (the loaders give ids in order; children point at them by position)."""
    from saas.domain import measures as measure_rules
    from saas.domain.findings import CATEGORY_CODES, short_code
    from saas.domain.points import PointsRules

    out: dict[str, list[dict]] = {t: [] for t in ENFORCEMENT_TABLES}
    end = date(YEAR, months, calendar.monthrange(YEAR, months)[1])
    decided = datetime.combine(end, datetime.min.time()) + timedelta(days=10, hours=2)
    chosen = [ag for ag in agreements if rng.random() < ENFORCED_SHARE] or agreements[:1]
    for ag in chosen:
        settings = templates[ag["_kind"]][0].settings or {}
        inspection = _row(region_id, ag, kind="routine", period=f"{YEAR}-{months:02d}",
                          period_start=end.replace(day=1), period_end=end, status="finalized",
                          agreement_id=ag["id"], created_by=None, submitted_at=decided,
                          finalized_at=decided, total=None, grade=None, created_at=decided)
        out["assessments"].append(inspection)
        found = [_finding(rng, region_id, ag, inspection, decided, CATEGORY_CODES)
                 for _ in range(rng.randint(1, 3))]
        out["findings"] += found
        points = PointsRules.from_settings(settings)
        lines = [_row(region_id, ag, agreement_id=ag["id"], year=YEAR, _finding=f,
                      kind="confirmation", reason="finding_confirmed", severity=f["severity"],
                      factor=1.0, points=points.points(f["severity"], False),
                      measure_id=None, created_by=None, created_at=decided) for f in found]
        out["points_entries"] += lines
        total = sum(line["points"] for line in lines)
        proposals = [(t["measure"], t.get("months"), f"{t['points']:g}")
                     for t in measure_rules.crossed_thresholds(
                         settings.get("thresholds") or [], 0, total, [])]
        for measure, months_, points_line in proposals:
            _measure(rng, out, region_id, ag, measure, months_, decided,
                     measure_rules.proposal_key("points", YEAR, points_line),
                     f"{YEAR} 年度记分累计 {total:g} 分，达到 {points_line} 分的处理线")
        serials: dict[str, int] = {}
        for f in found:
            code = short_code(f["category"])
            serials[code] = serials.get(code, 0) + 1
            out["rectification_items"].append(
                _item(rng, region_id, ag, inspection, f, decided, code, serials[code]))
    return out


PARENTS = {"_assessment": "assessment_id", "_finding": "finding_id", "_measure": "measure_id"}


def _with_parent_ids(row: dict) -> dict:
    """The row, in place, with its parents' ids (``_finding`` → ``finding_id``), once they
    are loaded (the loader writes each row's own id into it)."""
    for ref, column in PARENTS.items():
        if ref in row:
            row[column] = row.pop(ref)["id"]
    return row


def _row(region_id: int, ag: dict, **values) -> dict:
    return {"region_id": region_id, "institution_id": ag["institution_id"], **values}


def _finding(rng, region_id, ag, inspection, decided, categories) -> dict:
    severity = rng.choices([s for s, _w in SEVERITY_MIX], [w for _s, w in SEVERITY_MIX])[0]
    return _row(region_id, ag, _assessment=inspection, clause_id=None, indicator_id=None,
                category=rng.choice(categories), severity=severity, self_reported=False,
                amount_fen=rng.randrange(0, 500_000, 100), description="抽查病历发现的问题（合成）",
                location=None, status="confirmed", found_by=None, decided_by=None,
                decided_at=decided, dismiss_reason=None, created_at=decided, private=False)


def _measure(rng, out, region_id, ag, measure, months, decided, key, basis) -> None:
    """One proposed measure; an interview is often notified already (with its step)."""
    notified = measure == "interview" and rng.random() < 0.6
    row = _row(region_id, ag, agreement_id=ag["id"], measure=measure,
               status="notified" if notified else "proposed", months=months, amount_fen=None,
               basis=basis, clause_number=None, article=None, finding_id=None, ground=None,
               proposal_key=key, year=YEAR, proposed_by=None, decided_by=None,
               appeal_until=(decided + timedelta(days=14)).date() if notified else None,
               effective_on=None, ends_on=None, created_at=decided, updated_at=decided,
               notified_at=decided if notified else None)
    out["measures"].append(row)
    steps = [("propose", None, "proposed")] + ([("notify", "proposed", "notified")]
                                               if notified else [])
    for action, before, after in steps:
        out["measure_events"].append(_row(
            region_id, ag, _measure=row, action=action, from_status=before, to_status=after,
            decision=None, reason=basis if action == "propose" else None, by=None,
            at=decided, notified_at=row["notified_at"]))


def _item(rng, region_id, ag, inspection, finding, decided, code, serial) -> dict:
    status = rng.choices([s for s, _w in ITEM_STATES], [w for _s, w in ITEM_STATES])[0]
    due = decided.date() + timedelta(days={"minor": 14, "general": 28}.get(
        finding["severity"], 42))
    done = decided + timedelta(days=rng.randint(5, 40))
    return _row(region_id, ag, number=f"{YEAR}-{code}-{serial:03d}", _finding=finding,
                _assessment=inspection, source="finding", bureau_verifies=True,
                category=finding["category"], severity=finding["severity"],
                description=finding["description"], measures_to_take=None,
                department=rng.choice(("医务科", "财务科", "医保办", "药剂科", "护理部")),
                owner_id=None, due_date=due, status=status,
                statement="已整改（合成）" if status in ("submitted", "closed") else None,
                submitted_by=None, submitted_at=done if status in ("submitted", "closed") else None,
                closed_by=None, closed_at=done if status == "closed" else None,
                created_by=None, created_at=decided, private=False)


# --------------------------------------------------------------------------- loaders

COLUMNS = {
    "institutions": ("id", "region_id", "code", "name", "kind", "level", "credit_code",
                     "address", "district", "legal_representative", "created_at",
                     "updated_at"),
    "agreements": ("id", "region_id", "institution_id", "template_id", "number", "start",
                   "end", "status", "signed_at", "predecessor_id", "suspensions",
                   "suspended_at", "status_reason", "created_at"),
    "assessments": ("id", "region_id", "institution_id", "agreement_id", "kind", "period",
                    "period_start", "period_end", "status", "created_by", "submitted_at",
                    "finalized_at", "total", "grade", "created_at"),
}
def _model_columns(table: str) -> tuple[str, ...]:
    return tuple(c.name for c in db.Model.metadata.tables[table].columns)


COLUMNS.update({t: _model_columns(t) for t in ENFORCEMENT_TABLES[1:]})
MEASUREMENT_COLUMNS = ("region_id", "institution_id", "assessment_id", "indicator_id", "value",
                       "not_applicable", "updated_at")


class _PgLoader:
    """COPY inside the session's own transaction (same connection, same RLS settings).

    PostgreSQL refuses COPY FROM into a table with row-level security for a role subject
    to it, so rows are copied into a temporary staging table (no RLS) and moved with
    ``INSERT … SELECT``, which the policies check row by row. Ids are reserved from the
    table's sequence first, so children can point at their parents."""

    def __init__(self):
        db.session.execute(text("SELECT 1"))  # the transaction's RLS settings: this region
        self.conn = db.session.connection()
        self.raw = self.conn.connection.driver_connection

    def _reserve(self, table: str, n: int) -> list[int]:
        seq = self.conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                {"t": table}).scalar_one()
        return list(self.conn.execute(text("SELECT nextval(:s) FROM generate_series(1, :n)"),
                                      {"s": seq, "n": n}).scalars())

    def _stage(self, table: str, columns: tuple[str, ...]) -> tuple[str, str]:
        quoted = ", ".join(f'"{c}"' for c in columns)
        stage = f"pact_seed_{table}"
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {stage}")
        self.conn.exec_driver_sql(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {quoted} FROM {table} LIMIT 0")
        return stage, quoted

    def _move(self, table: str, stage: str, quoted: str) -> None:
        self.conn.exec_driver_sql(f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {stage}")
        self.conn.exec_driver_sql(f"TRUNCATE {stage}")

    def load(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        for row, new_id in zip(rows, self._reserve(table, len(rows)), strict=True):
            row["id"] = new_id
        columns = COLUMNS[table]
        stage, quoted = self._stage(table, columns)
        with self.raw.cursor() as cur, cur.copy(f"COPY {stage} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        self._move(table, stage, quoted)

    def load_measurements(self, batches) -> int:
        stage, quoted = self._stage("measurements", MEASUREMENT_COLUMNS)
        tail = f"\t{datetime(YEAR, 1, 1).isoformat(sep=' ')}\n"
        null = "\\N"
        n = 0
        for rows in batches:
            buf = io.StringIO()
            write = buf.write
            for region, inst, aid, ind, value, na in rows:
                write(f"{region}\t{inst}\t{aid}\t{ind}\t"
                      f"{null if value is None else repr(value)}\t"
                      f"{'t' if na else 'f'}{tail}")
            with self.raw.cursor() as cur, \
                    cur.copy(f"COPY {stage} ({quoted}) FROM STDIN") as copy:
                copy.write(buf.getvalue())
            self._move("measurements", stage, quoted)
            n += len(rows)
        return n


class _SqliteLoader:
    """executemany with explicit ids (the embedded database, small regions only)."""

    def __init__(self):
        self.conn = db.session.connection()

    def load(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        start = (self.conn.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 0) + 1
        for i, row in enumerate(rows):
            row["id"] = start + i
        columns = COLUMNS[table]
        quoted = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.conn.exec_driver_sql(f"INSERT INTO {table} ({quoted}) VALUES ({marks})",
                                  [tuple(_sqlite_value(row[c]) for c in columns)
                                   for row in rows])

    def load_measurements(self, batches) -> int:
        stamp = _sqlite_value(datetime(YEAR, 1, 1))
        n = 0
        sql = (f"INSERT INTO measurements ({', '.join(MEASUREMENT_COLUMNS)}) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)")
        for rows in batches:
            self.conn.exec_driver_sql(sql, [(*row, stamp) for row in rows])
            n += len(rows)
        return n


def _sqlite_value(value):
    """Dates and times in the text format SQLAlchemy's SQLite types read back."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
