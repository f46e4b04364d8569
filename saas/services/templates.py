"""协议范本: store a template version, read it back as the spec's plain mapping, list,
compare, import (YAML or .xlsx) and export (.xlsx).

Published versions never change: there is no update. A change is an import whose content
differs from the latest version, and it becomes the next version; agreements keep the
version they were signed with.
"""

from __future__ import annotations

from pathlib import PurePath

import yaml
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import selectinload

from saas.domain import templates as rules
from saas.domain.messages import N_
from saas.domain.permissions import can
from saas.errors import Forbidden, Invalid, NotFound
from saas.extensions import db
from saas.models import Clause, Indicator, Institution, Template
from saas.services import audit
from saas.services.base import find, transaction
from tenants.context import current, require

INDICATOR_FIELDS = ("code", "name", "name_en", "perspective", "unit", "direction", "target",
                    "warning", "zero", "min", "max", "max_points", "frequency", "data_source",
                    "evidence_required")
COLUMN_OF = {"min": "value_min", "max": "value_max"}
"""Spec keys stored under another column name."""
SETTING_KEYS = ("perspective_weights", "grade_bands", "points", "thresholds")


def latest_version(code: str) -> Template | None:
    return db.session.execute(
        select(Template).where(Template.code == code).order_by(Template.version.desc()).limit(1)
    ).scalar_one_or_none()


def content(template: Template) -> dict:
    """The template as the spec's mapping (clauses flat, in order): for export and diffs."""
    by_clause: dict[int, list[dict]] = {}
    for ind in template.indicators:  # one query for all, not one per clause
        by_clause.setdefault(ind.clause_id, []).append(
            {f: getattr(ind, COLUMN_OF.get(f, f)) for f in INDICATOR_FIELDS})
    clauses = [{"number": clause.number, "title": clause.title, "text": clause.text,
                "indicators": by_clause.get(clause.id, [])} for clause in template.clauses]
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
                                     **{COLUMN_OF.get(f, f): ind.get(f)
                                        for f in INDICATOR_FIELDS if ind.get(f) is not None}))
            position += 1
    db.session.flush()


def _normalise(value):
    """Compare numbers as floats and drop None-vs-missing differences."""
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, int | float):  # bools too: a yes/no target is stored as 1.0
        return float(value)
    return value


def version_count() -> int:
    return db.session.execute(select(func.count()).select_from(Template)).scalar_one()


# ------------------------------------------------------------------------------ reading


def list_statement(code: str | None = None, latest: bool = False):
    """Template versions the context may see (its region's), by code then newest first."""
    statement = select(Template).order_by(Template.code, Template.version.desc())
    kind = _callers_kind()
    if kind is not None:  # an institution sees the templates for its kind only
        statement = statement.where(cast(Template.applies_to, String).like(f'%"{kind}"%'))
    if code:
        statement = statement.where(Template.code == code)
    if latest:
        newest = (select(Template.code, func.max(Template.version).label("version"))
                  .group_by(Template.code).subquery())
        statement = statement.join(newest, (Template.code == newest.c.code)
                                   & (Template.version == newest.c.version))
    return statement


def get(template_id: int) -> Template:
    """One version; for an institution user, only one for its kind (else NotFound)."""
    template = find(Template, template_id)
    kind = _callers_kind()
    if kind is not None and kind not in template.applies_to:
        raise NotFound(N_("未找到该记录（%(table)s #%(id)s），或您无权查看",
                          table="templates", id=template_id))
    return template


def _callers_kind() -> str | None:
    """The kind of the caller's institution (hospital, clinic, pharmacy); None for the
    bureau, which sees every template of its region."""
    ctx = current()
    if ctx is None or ctx.institution_id is None:
        return None
    return db.session.execute(
        select(Institution.kind).where(Institution.id == ctx.institution_id)).scalar()


def versions(template: Template) -> list[Template]:
    return list(db.session.execute(
        select(Template).where(Template.code == template.code).order_by(Template.version)
    ).scalars())


def previous_version(template: Template) -> Template | None:
    return db.session.execute(
        select(Template).where(Template.code == template.code,
                               Template.version < template.version)
        .order_by(Template.version.desc()).limit(1)
    ).scalar_one_or_none()


def clauses_statement(template_id: int):
    """The clauses of one version in document order, indicators loaded with them."""
    get(template_id)  # 404 for another tenant's template
    return (select(Clause).where(Clause.template_id == template_id)
            .options(selectinload(Clause.indicators)).order_by(Clause.position))


def detail(template_id: int) -> dict:
    """What the template page shows: the version, its siblings, its clause tree."""
    template = get(template_id)
    clauses = db.session.execute(clauses_statement(template_id)).scalars().all()
    return {"template": template, "versions": versions(template),
            "previous": previous_version(template), "clauses": clauses}


def diff(template_id: int, against_id: int | None = None) -> dict:
    """What changed from ``against`` (default: the previous version) to this version."""
    template = get(template_id)
    against = get(against_id) if against_id else previous_version(template)
    if against is None:
        raise Invalid(N_("没有可比较的上一版本"),
                      {"against": [N_("该范本只有一个版本，请指定比较对象")]})
    return {"template": template, "against": against,
            "changes": rules.diff_templates(content(against), content(template))}


# ------------------------------------------------------------------- import and export


def export_workbook(template_id: int) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of one version in the documented workbook layout."""
    from saas.services import template_workbook

    template = get(template_id)
    data = template_workbook.build_workbook({**content(template), "version": template.version})
    return f"{template.code}-v{template.version}.xlsx", data


def import_file(filename: str, data: bytes) -> tuple[Template, bool]:
    """Publish a template from an uploaded .xlsx workbook or .yaml file (bureau_admin).
    All or nothing: any problem raises Invalid naming where it is, and nothing is written.
    Returns (template, created); identical content returns the latest version unchanged."""
    ctx = require()
    if not can(ctx.role, "manage_templates"):
        raise Forbidden(N_("只有医保局管理员可以导入协议范本"))
    spec = _parse_upload(filename, data)
    with transaction():
        template, created = publish(spec)
    return template, created


def _parse_upload(filename: str, data: bytes) -> dict:
    from saas.services import template_workbook

    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xlsx":
        return template_workbook.parse_workbook(data)
    if suffix in (".yaml", ".yml"):
        return parse_yaml(data)
    raise Invalid(N_("只支持 .xlsx 或 .yaml 文件"),
                  {"file": [N_("不支持的文件类型：%(name)s", name=filename)]})


def parse_yaml(data: bytes) -> dict:
    """One template mapping (the format of tenants/specs/templates/*.yaml), validated;
    problems keyed by their path in the template, messages naming the line."""
    try:
        text = data.decode("utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        spec = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise Invalid(N_("文件不是 UTF-8 编码的文本"),
                      {"file": [N_("文件不是 UTF-8 编码的文本")]}) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None:
            raise Invalid(N_("YAML 语法错误：%(error)s", error=str(exc)),
                          {"file": [N_("YAML 语法错误")]}) from exc
        line = mark.line + 1
        raise Invalid(N_("YAML 语法错误：第 %(line)s 行：%(error)s", line=line, error=str(exc)),
                      {"file": [N_("第 %(line)s 行：YAML 语法错误", line=line)]}) from exc
    problems = rules.validate_template(spec)
    if problems:
        lines = _yaml_lines(node, "", {})
        errors: dict[str, list[str]] = {}
        for path, message in problems:
            line = _nearest(lines, path)
            errors.setdefault(path or "template", []).append(
                N_("第 %(line)s 行：%(message)s", line=line, message=message) if line
                else message)
        raise Invalid(N_("协议范本校验失败，共 %(n)s 个问题", n=len(problems)), errors)
    return spec


def _yaml_lines(node, path: str, lines: dict) -> dict:
    """path ("clauses[2].indicators[0].warning") → 1-based line, from the composed nodes."""
    if node is None:
        return lines
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            lines[child] = key.start_mark.line + 1
            _yaml_lines(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _yaml_lines(value, f"{path}[{i}]", lines)
    return lines


def _nearest(lines: dict, path: str) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return lines.get("")
