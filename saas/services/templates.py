"""协议范本: store a template version, read it back as the spec's plain mapping."""

from __future__ import annotations

from sqlalchemy import func, select

from saas.domain import templates as rules
from saas.extensions import db
from saas.models import Clause, Indicator, Template
from saas.services import audit

INDICATOR_FIELDS = ("code", "name", "name_en", "perspective", "unit", "direction", "target",
                    "warning", "zero", "max_points", "frequency", "data_source",
                    "evidence_required")
SETTING_KEYS = ("perspective_weights", "grade_bands", "points", "thresholds")


def latest_version(code: str) -> Template | None:
    return db.session.execute(
        select(Template).where(Template.code == code).order_by(Template.version.desc()).limit(1)
    ).scalar_one_or_none()


def content(template: Template) -> dict:
    """The template as the spec's mapping (clauses flat, in order): for export and diffs."""
    clauses = []
    for clause in template.clauses:
        clauses.append({
            "number": clause.number, "title": clause.title, "text": clause.text,
            "indicators": [
                {f: getattr(ind, f) for f in INDICATOR_FIELDS} for ind in clause.indicators
            ],
        })
    return {"code": template.code, "name": template.name, "applies_to": list(template.applies_to),
            **{k: template.settings.get(k) for k in SETTING_KEYS}, "clauses": clauses}


def comparable(spec: dict) -> dict:
    """The parts of a spec mapping that define a version (what content() returns)."""
    spec = rules.with_defaults(spec)
    clauses = [
        {"number": c["number"], "title": c["title"], "text": c.get("text") or "",
         "indicators": [{f: ind.get(f) for f in INDICATOR_FIELDS} for ind in c["indicators"]]}
        for c in rules.flatten_clauses(spec)
    ]
    return {"code": spec["code"], "name": spec["name"], "applies_to": list(spec["applies_to"]),
            **{k: spec.get(k) for k in SETTING_KEYS}, "clauses": clauses}


def publish(spec: dict) -> tuple[Template, bool]:
    """Store the spec as a new published version unless the latest version already says
    exactly this. Returns (template, created). Caller owns the transaction."""
    wanted = comparable(spec)
    latest = latest_version(spec["code"])
    if latest is not None and _normalise(content(latest)) == _normalise(wanted):
        return latest, False
    version = (latest.version + 1) if latest else int(spec.get("version") or 1)
    template = Template(code=wanted["code"], name=wanted["name"], version=version,
                        applies_to=wanted["applies_to"],
                        settings={k: wanted[k] for k in SETTING_KEYS}, status="published")
    db.session.add(template)
    db.session.flush()
    _add_clauses(template, wanted["clauses"])
    audit.record("template.published", template,
                 after={"code": template.code, "version": version,
                        "indicators": sum(len(c["indicators"]) for c in wanted["clauses"])})
    return template, True


def _add_clauses(template: Template, clauses: list[dict]) -> None:
    position = 0
    for clause_position, spec in enumerate(clauses):
        clause = Clause(template_id=template.id, number=spec["number"], title=spec["title"],
                        text=spec["text"], position=clause_position,
                        region_id=template.region_id)
        db.session.add(clause)
        db.session.flush()
        for ind in spec["indicators"]:
            db.session.add(Indicator(template_id=template.id, clause_id=clause.id,
                                     region_id=template.region_id, position=position,
                                     **{f: ind.get(f) for f in INDICATOR_FIELDS if
                                        ind.get(f) is not None}))
            position += 1
    db.session.flush()


def _normalise(value):
    """Compare numbers as floats and drop None-vs-missing differences."""
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def version_count() -> int:
    return db.session.execute(select(func.count()).select_from(Template)).scalar_one()
