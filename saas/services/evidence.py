"""Evidence files (证据): checked by their bytes, kept by the storage adapter under
``evidence/<region>/<institution>/<sha256>`` (same content, same object), described by an
Evidence row with its SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from saas.domain.filetypes import sniff
from saas.domain.messages import N_
from saas.errors import Conflict, DomainError, Invalid
from saas.extensions import db
from saas.models import Evidence, Institution, MeasureEvent, Measurement, RectificationItem
from saas.services import audit
from saas.services.base import column_snapshot, find, transaction
from saas.storage import get_storage
from tenants.context import require


class TooLarge(DomainError):
    """A file beyond EVIDENCE_MAX_MB (413)."""


@dataclass
class Upload:
    """A file as the view received it."""

    filename: str
    data: bytes
    content_type: str = ""


def _clean_name(filename: str) -> str:
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return (name or "file")[:255]


def check_size(data: bytes) -> None:
    """413 beyond EVIDENCE_MAX_MB, 422 for an empty file."""
    megabytes = current_app.config["EVIDENCE_MAX_MB"]
    if len(data) > megabytes * 1024 * 1024:
        raise TooLarge(N_("文件超过 %(mb)s MB", mb=megabytes),
                       {"file": [N_("文件大小不能超过 %(mb)s MB", mb=megabytes)]})
    if not data:
        raise Invalid(N_("文件为空"), {"file": [N_("文件为空")]})


def check(upload: Upload) -> str:
    """The file's real media type, or 413/422: size limit, type whitelist, magic bytes."""
    check_size(upload.data)
    media_type = sniff(upload.data, upload.filename)
    allowed = current_app.config["EVIDENCE_TYPES"]
    if media_type is None or media_type not in allowed:
        raise Invalid(N_("不支持的文件类型"), {"file": [N_("只接受 JPG、PNG、PDF、XLSX、CSV 文件")]})
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared in allowed and declared != media_type:
        raise Invalid(N_("文件内容与声明的类型不符"), {"file": [N_("文件内容与扩展名或类型不符")]})
    return media_type


def _institution_for(institution_id: int | None) -> Institution:
    """The institution the file belongs to: an institution user's own; a bureau user
    names one of its region (another tenant's id is simply not found)."""
    ctx = require()
    wanted = institution_id or ctx.institution_id
    if wanted is None:
        raise Invalid(N_("请指定机构"), {"institution_id": [N_("医保局用户上传证据时需指定机构")]})
    return find(Institution, wanted)


# Files written in the session's transaction: removed if it rolls back, so a refused
# or failed request leaves no orphan file in storage.
_NEW_FILES = "pact_new_files"


@event.listens_for(Session, "after_commit")
def _keep_new_files(session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_rollback")
def _remove_new_files(session) -> None:
    for storage, key in session.info.pop(_NEW_FILES, []):
        try:
            storage.delete(key)
        except Exception:  # the rollback's own error is the one to report
            current_app.logger.exception("could not remove %s after a rollback", key)


def store(upload: Upload, institution: Institution) -> Evidence:
    """Check, store and describe one file, inside the caller's transaction."""
    media_type = check(upload)
    digest = hashlib.sha256(upload.data).hexdigest()
    key = f"evidence/{institution.region_id}/{institution.id}/{digest}"
    storage = get_storage(current_app.config)
    version = None
    if not storage.exists(key):  # same content, same object: an existing file stays
        version = storage.put(key, upload.data, media_type)
        db.session.info.setdefault(_NEW_FILES, []).append((storage, key))
    evidence = Evidence(filename=_clean_name(upload.filename), content_type=media_type,
                        size=len(upload.data), sha256=digest, storage_key=key,
                        storage_version=version,
                        uploaded_by=require().user_id, institution_id=institution.id,
                        region_id=institution.region_id)
    db.session.add(evidence)
    db.session.flush()
    audit.record("evidence.uploaded", evidence, after=column_snapshot(evidence))
    return evidence


def attach(evidence: Evidence, owner) -> None:
    """Make ``evidence`` prove a measurement, a finding, an appeal (a measure's step) or
    a rectification; the evidence of a private one (a mock inspection's) becomes private
    with it."""
    if isinstance(owner, Measurement):
        evidence.measurement_id = owner.id
    elif isinstance(owner, MeasureEvent):
        evidence.measure_event_id = owner.id
    elif isinstance(owner, RectificationItem):
        evidence.rectification_item_id = owner.id
    else:
        evidence.finding_id = owner.id
    evidence.private = evidence.private or getattr(owner, "private", False)


def unattached(evidence: Evidence) -> bool:
    """Whether ``evidence`` proves nothing yet (an upload waiting for its use)."""
    return (evidence.measurement_id is None and evidence.finding_id is None
            and evidence.measure_event_id is None and evidence.rectification_item_id is None)


def upload(upload: Upload, institution_id: int | None = None) -> Evidence:
    """POST /evidence: one file for an institution."""
    with transaction():
        return store(upload, _institution_for(institution_id))


def for_institution(ids: list[int], institution_id: int) -> tuple[list[Evidence], list[int]]:
    """(found, missing): the evidence among ``ids`` that belongs to the institution.
    An id of another institution is missing, i.e. refused as input (422)."""
    wanted = sorted(set(ids))
    if not wanted:
        return [], []
    found = db.session.execute(
        select(Evidence).where(Evidence.id.in_(wanted),
                               Evidence.institution_id == institution_id)).scalars().all()
    present = {e.id for e in found}
    return list(found), [i for i in wanted if i not in present]


class Corrupted(Conflict):
    """The stored file no longer matches the SHA-256 recorded at upload (409)."""


def content(evidence_id: int) -> tuple[Evidence, str | None, bytes | None]:
    """(evidence, url, None) with a short-lived presigned link (S3), else
    (evidence, None, the bytes); either only once the stored file's SHA-256 still is the
    one recorded at upload."""
    evidence = find(Evidence, evidence_id)
    storage = get_storage(current_app.config)
    key, version = evidence.storage_key, evidence.storage_version
    url = storage.url(key, evidence.filename, expires=300, version=version)
    data = None if url else storage.get(key, version)
    stored = hashlib.sha256(data).hexdigest() if data is not None else storage.sha256(key, version)
    if stored != evidence.sha256:
        current_app.logger.error("evidence %s: stored file's SHA-256 differs", evidence.id)
        raise Corrupted(N_("文件校验失败：存储的文件与上传时的 SHA-256 不一致"))
    return evidence, url, data
