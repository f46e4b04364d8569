"""Lists one page at a time, in SQL, at any size of region.

* Keyset paging: the next page starts after the last row shown (``WHERE (keys) > (the
  last row's keys)`` on the list's own ORDER BY), so a page costs the same at row 20 000
  as at row 1, and rows inserted meanwhile neither repeat nor skip a row. The cursor is
  the last row's keys, opaque to the client. Numbered pages (OFFSET) still work for the
  first pages of a list.
* The total is counted once and kept for :data:`COUNT_SECONDS` per list, filters and
  tenant scope, instead of recounting the region on every page: it is labelled with the
  time it was counted (``total_counted_at``). A write through this process's session
  drops the kept counts.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections import OrderedDict
from datetime import date, datetime

from sqlalchemy import and_, event, func, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import desc_op

from saas.domain.messages import N_
from saas.errors import Invalid
from saas.extensions import db
from saas.timeutil import utcnow
from tenants.context import current

COUNT_SECONDS = 60
_COUNTS_KEPT = 2000
_counts: OrderedDict = OrderedDict()
_counts_lock = threading.Lock()


def page_of(statement, page: int = 1, size: int = 50, after: str | None = None) -> dict:
    """One page of a select (already tenant-filtered by the ORM) whose ORDER BY ends on
    a unique column: ``{items, total, total_counted_at, page, page_size, next}``.
    ``after`` (a previous page's ``next``) starts after that page's last row; else
    ``page`` is counted from the start."""
    keys = _order_keys(statement)
    paged = statement.limit(size + 1)
    if after:
        paged = paged.where(_after(keys, _decode(after, keys)))
    else:
        paged = paged.offset((page - 1) * size)
    items = db.session.execute(paged).scalars().all()
    more = len(items) > size
    items = items[:size]
    total, counted_at = cached_count(statement)
    return {"items": items, "total": total, "total_counted_at": counted_at, "page": page,
            "page_size": size,
            "next": _encode(items[-1], keys) if more and items else None}


def cached_count(statement) -> tuple[int, datetime]:
    """The number of rows of ``statement`` in the acting scope and when it was counted:
    counted again when older than COUNT_SECONDS."""
    ctx = current()
    key = (_statement_key(statement), ctx.region_id if ctx else None,
           ctx.institution_id if ctx else None, ctx.role if ctx else None,
           db.engine.url.render_as_string())
    now = time.monotonic()
    with _counts_lock:
        kept = _counts.get(key)
    if kept and now - kept[0] < COUNT_SECONDS:
        return kept[1], kept[2]
    total = db.session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    with _counts_lock:
        _counts[key] = (now, total, utcnow())
        _counts.move_to_end(key)
        while len(_counts) > _COUNTS_KEPT:
            _counts.popitem(last=False)
        return total, _counts[key][2]


def _statement_key(statement) -> tuple:
    """What identifies a list and its filters: SQLAlchemy's own cache key of the statement
    (its structure) and the values of its parameters, without compiling it to SQL."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # a construct SQLAlchemy does not cache: the compiled text
        compiled = statement.compile(dialect=db.engine.dialect)
        return (str(compiled), repr(sorted(compiled.params.items())))
    return (cache_key.key, tuple(repr(p.effective_value) for p in cache_key.bindparams))


def forget_counts() -> None:
    """Drop every kept count."""
    with _counts_lock:
        _counts.clear()


@event.listens_for(Session, "after_flush")
def _forget_on_write(session, flush_context):
    """A write in this process drops the kept counts, so whoever added or changed a row
    sees it counted; other processes count again within COUNT_SECONDS."""
    if session.new or session.dirty or session.deleted:
        forget_counts()


# --------------------------------------------------------------------------- keyset


def _order_keys(statement) -> list[tuple]:
    """The statement's ORDER BY as (column, descending) pairs."""
    keys = []
    for clause in statement._order_by_clauses:
        if isinstance(clause, UnaryExpression) and clause.modifier is desc_op:
            keys.append((clause.element, True))
        else:
            keys.append((clause, False))
    return keys


def _after(keys: list[tuple], values: list):
    """Rows after ``values`` in the order of ``keys``: one row comparison when every key
    runs the same way (an index range), else the expanded OR."""
    if len({descending for _, descending in keys}) == 1:
        columns, bound = tuple_(*[c for c, _ in keys]), tuple_(*values)
        return columns < bound if keys[0][1] else columns > bound
    branches = []
    for n, (column, descending) in enumerate(keys):
        equal = [c == v for (c, _), v in zip(keys[:n], values[:n], strict=True)]
        branches.append(and_(*equal, column < values[n] if descending else column > values[n]))
    return or_(*branches)


def _encode(row, keys: list[tuple]) -> str:
    values = [getattr(row, column.key) for column, _ in keys]
    text = json.dumps([v.isoformat() if isinstance(v, date) else v for v in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, keys: list[tuple]) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError(cursor)
        return [_typed(v, column) for v, (column, _) in zip(values, keys, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        message = N_("翻页位置无效，请从第一页重新开始")
        raise Invalid(message, {"after": [message]}) from None


def _typed(value, column):
    python_type = column.type.python_type
    if value is None:
        return None
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if not isinstance(value, python_type) or isinstance(value, bool):
        raise TypeError(value)
    return value
