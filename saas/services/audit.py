"""审计日志: append-only entries chained by SHA-256, so any edit or deletion shows.

Each region's entries form a chain of their own (platform entries, without a region,
another), appended under that region's lock: regions write in parallel, and a bureau's
trail verifies on its own. Entries written before the chains were split (``chain`` =
"global") keep the one chain of the whole table they were written in."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, text

from saas.extensions import db
from saas.models import AuditEntry, User
from saas.timeutil import utcnow
from tenants.context import current

GENESIS = "0" * 64
_CHAIN_LOCK = 7_262_001  # with the region id: the pg advisory lock of a region's chain
_CHAIN_LOCK_STATEMENT = text(
    "select pg_advisory_xact_lock(CAST(:k AS integer), CAST(:r AS integer))")


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    payload = {
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "region_id": entry.region_id,
        "institution_id": entry.institution_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
    }
    if entry.chain != "global":  # the entries written before the split keep their hashes
        payload["chain"] = entry.chain
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def record(action: str, obj=None, *, before=None, after=None, object_type=None,
           object_id=None, actor: str | None = None) -> AuditEntry:
    """Add an entry to the current transaction (the caller's service commits it)."""
    session = db.session
    ctx = current()
    region_id = getattr(obj, "region_id", None) or (ctx.region_id if ctx else None)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_CHAIN_LOCK_STATEMENT, {"k": _CHAIN_LOCK, "r": region_id or 0})
    user = session.get(User, ctx.user_id) if ctx and ctx.user_id else None
    last = session.execute(
        select(AuditEntry.hash).where(_in_chain(region_id))
        .order_by(AuditEntry.id.desc()).limit(1)
    ).scalar()
    entry = AuditEntry(
        at=utcnow().replace(microsecond=0),
        actor_id=user.id if user else None,
        actor=actor or (user.email if user else "system"),
        region_id=region_id,
        institution_id=_institution_of(obj) or (ctx.institution_id if ctx else None),
        action=action,
        object_type=object_type or (type(obj).__name__ if obj is not None else "-"),
        object_id=str(object_id if object_id is not None else getattr(obj, "id", "") or ""),
        before=before,
        after=after,
        prev_hash=last or GENESIS,
        chain="region",
    )
    entry.hash = _digest(entry.prev_hash, entry)
    session.add(entry)
    return entry


def _in_chain(region_id: int | None):
    return AuditEntry.region_id.is_(None) if region_id is None else \
        AuditEntry.region_id == region_id


def _institution_of(obj):
    if obj is None:
        return None
    if type(obj).__name__ == "Institution":
        return obj.id
    return getattr(obj, "institution_id", None)


def verify() -> tuple[bool, int, str]:
    """Walk the chains: (ok, entries checked, message naming the first broken entry).

    A "region" entry follows the entry before it of its own region (or of the platform,
    without one); a "global" entry the entry before it of the whole table."""
    last_of_all, last_of_region = GENESIS, {}
    count = 0
    for entry in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
        prev = last_of_all if entry.chain == "global" else \
            last_of_region.get(entry.region_id, GENESIS)
        if entry.prev_hash != prev:
            return False, count, f"entry {entry.id}: previous-hash link broken (deleted or reordered)"
        if _digest(prev, entry) != entry.hash:
            return False, count, f"entry {entry.id}: content changed after it was written"
        last_of_all = last_of_region[entry.region_id] = entry.hash
        count += 1
    return True, count, f"{count} entries, chain intact"
