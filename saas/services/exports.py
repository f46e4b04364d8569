"""导出: the ledger as .xlsx or the 整改报告 PDF, for one institution or the region, with
the view's filters. Up to EXPORT_INLINE_ROWS rows the file is made in the request; a
larger export becomes an ExportFile built by a job (inline without Redis) that records
its progress, stores the file through the storage adapter and is fetched when ready.
A user sees their own exports only."""

from __future__ import annotations

from dataclasses import asdict

from flask import current_app
from sqlalchemy import select

from saas.domain.messages import N_
from saas.errors import Conflict
from saas.extensions import db
from saas.labels import LABELS
from saas.models import ExportFile, Institution, RectificationItem, Region
from saas.services import ledger_files, rectifications
from saas.services.base import not_found, transaction
from saas.storage import get_storage
from saas.timeutil import today_local, utcnow
from tenants.context import TenantContext, acting_as, require

FORMATS = ("xlsx", "pdf")
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "pdf": "application/pdf"}
CHUNK = 1000  # rows read (and progress recorded) at a time


def ledger(filters: rectifications.Filters, fmt: str):
    """("file", filename, bytes) made now, or ("job", ExportFile) for a large export."""
    if rectifications.count(filters) <= current_app.config["EXPORT_INLINE_ROWS"]:
        return ("file", _filename(fmt), _render(rectifications.rows(filters), filters, fmt))
    ctx = require()
    with transaction():
        export = ExportFile(region_id=ctx.region_id, user_id=ctx.user_id, kind="rectifications",
                            fmt=fmt, filters=asdict(filters), status="queued")
        db.session.add(export)
    from saas.jobs import enqueue

    enqueue(build, export.id, ctx.region_id, ctx.institution_id, ctx.user_id, ctx.role)
    return ("job", get(export.id))


def build(export_id: int, region_id: int, institution_id: int | None, user_id: int,
          role: str) -> str:
    """The job: read the rows a chunk at a time (recording progress), render the file,
    store it. Runs as the user who asked, so it exports exactly what they may see."""
    from saas.jobs import app_context

    with app_context(), acting_as(TenantContext(region_id=region_id,
                                                 institution_id=institution_id,
                                                 user_id=user_id, role=role)):
        export = get(export_id)
        filters = rectifications.Filters(**export.filters)
        try:
            with transaction():
                export.status, export.total_rows = "running", rectifications.count(filters)
            items = _rows_with_progress(export, filters)
            data = _render(items, filters, export.fmt)
            key = f"exports/{region_id}/{export.id}/{_filename(export.fmt)}"
            get_storage(current_app.config).put(key, data, MEDIA_TYPES[export.fmt])
            with transaction():
                export.status, export.storage_key = "done", key
                export.filename, export.finished_at = _filename(export.fmt), utcnow()
        except Exception as exc:
            db.session.rollback()
            with transaction():
                export.status, export.error, export.finished_at = "failed", str(exc)[:500], utcnow()
            raise
        return export.status


def _rows_with_progress(export: ExportFile, filters) -> list[RectificationItem]:
    items: list[RectificationItem] = []
    statement = rectifications.list_statement(filters)
    while True:
        chunk = rectifications.rows_after(statement, items[-1] if items else None, CHUNK)
        items.extend(chunk)
        with transaction():
            export.done_rows = len(items)
        if len(chunk) < CHUNK:
            return items


def get(export_id: int) -> ExportFile:
    """The acting user's own export; anyone else's is not found."""
    export = db.session.execute(select(ExportFile).where(
        ExportFile.id == export_id, ExportFile.user_id == require().user_id)).scalar_one_or_none()
    if export is None:
        raise not_found(ExportFile, export_id)
    return export


def content(export_id: int) -> tuple[ExportFile, bytes]:
    export = get(export_id)
    if export.status != "done":
        raise Conflict(N_("导出尚未完成"))
    return export, get_storage(current_app.config).get(export.storage_key)


def _render(items, filters, fmt: str) -> bytes:
    title, scope = _title(filters)
    if fmt == "pdf":
        one = bool(require().institution_id or filters.institution_id)
        return ledger_files.report_pdf(items, title, scope, _described(filters), one)
    return ledger_files.workbook(items, title)


def _title(filters) -> tuple[str, str]:
    """The document's title and whose ledger it is, in Chinese (an official document)."""
    ctx = require()
    institution_id = ctx.institution_id or filters.institution_id
    if institution_id:
        name = db.session.execute(select(Institution.name).where(
            Institution.id == institution_id)).scalar()
        return f"{name}医保问题整改台账", name
    region = db.session.get(Region, ctx.region_id)
    return f"{region.name}定点医药机构整改台账", region.name


def _described(filters) -> list[str]:
    """The filters in words, printed on the report."""
    from saas.domain import rectification as rules

    words = []
    if filters.status:
        words.append(f"状态：{rules.STATE_LABELS_ZH[filters.status]}")
    if filters.overdue is not None:
        words.append("仅逾期" if filters.overdue else "未逾期")
    if filters.department:
        words.append(f"责任部门：{filters.department}")
    for field, name, group in (("severity", "严重程度", "severity"),
                               ("source", "来源", "rectification_source")):
        value = getattr(filters, field)
        if value:  # the Chinese names (saas.labels), as the document is written in Chinese
            words.append(f"{name}：{LABELS[group].get(value, value)}")
    return words


def _filename(fmt: str) -> str:
    kind = "整改报告" if fmt == "pdf" else "整改台账"
    return f"{kind}-{today_local().isoformat()}.{fmt}"
