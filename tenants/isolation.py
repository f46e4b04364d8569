"""Layers 2 and 3 of tenant isolation.

Layer 2: every ORM select gets the tenant filter (do_orm_execute + with_loader_criteria),
and every insert is stamped with, and checked against, the tenant of the context.
Layer 3 (PostgreSQL): each transaction sets app.region_id / app.institution_id / app.scope
with set_config(..., true); RLS policies (migrations) read them and fail closed.
With no context, the filter matches nothing: a forgotten context is an empty page, not a leak.
"""

from __future__ import annotations

import contextlib
import weakref
from contextvars import ContextVar

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, event, false, text
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria

from tenants.context import current


class TenantViolation(PermissionError):
    """An attempt to write a row for another tenant."""


class RegionOwned:
    """A row owned by a region (its bureau): visible to every user of that region."""

    @declared_attr
    def region_id(cls) -> Mapped[int]:
        return mapped_column(Integer, ForeignKey("regions.id"), index=True, nullable=False)


class InstitutionOwned(RegionOwned):
    """A row owned by one institution: its users and its region's bureau see it."""

    @declared_attr
    def institution_id(cls) -> Mapped[int]:
        return mapped_column(Integer, ForeignKey("institutions.id"), index=True, nullable=False)


class InstitutionPrivate(InstitutionOwned):
    """A row the institution may keep to itself (``private``: a mock inspection's
    assessment, measurements, findings and evidence). Its region's bureau never sees a
    private row: neither through the ORM filter nor, on PostgreSQL, through RLS. The flag
    is on the row itself, so no policy needs a join."""

    @declared_attr
    def private(cls) -> Mapped[bool]:
        return mapped_column(Boolean, nullable=False, default=False, server_default=false())


class ShownOnceNotified(InstitutionOwned):
    """A row the bureau prepares before its institution may see it (a proposed measure
    and its history, 协议处理): the institution's users see it once ``notified_at`` is
    set, through the ORM filter and, on PostgreSQL, through RLS. The bureau sees it
    from the start."""

    @declared_attr
    def notified_at(cls):
        return mapped_column(DateTime, nullable=True)


class InstitutionRoot(RegionOwned):
    """The institutions table itself: an institution user sees only its own row."""

    mapped: type | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        InstitutionRoot.mapped = cls


_filter_enabled: ContextVar[bool] = ContextVar("orm_tenant_filter", default=True)


@contextlib.contextmanager
def orm_filter_disabled():
    """Switch layer 2 off (tests use it to prove RLS alone holds)."""
    token = _filter_enabled.set(False)
    try:
        yield
    finally:
        _filter_enabled.reset(token)


def _criteria(ctx):
    if ctx is None:
        return [with_loader_criteria(RegionOwned, lambda cls: false(), include_aliases=True)]
    region_id = ctx.region_id
    options = [
        with_loader_criteria(
            RegionOwned, lambda cls: cls.region_id == region_id, include_aliases=True
        )
    ]
    if ctx.institution_id is None:  # region scope: the institutions' private rows stay theirs
        options.append(with_loader_criteria(
            InstitutionPrivate, lambda cls: cls.private.is_(False), include_aliases=True))
    if ctx.institution_id is not None:
        institution_id = ctx.institution_id
        options += [
            with_loader_criteria(
                InstitutionOwned,
                lambda cls: cls.institution_id == institution_id,
                include_aliases=True,
            ),
            with_loader_criteria(
                InstitutionRoot.mapped, lambda cls: cls.id == institution_id,
                include_aliases=True,
            ),
            with_loader_criteria(
                ShownOnceNotified, lambda cls: cls.notified_at.is_not(None),
                include_aliases=True,
            ),
        ]
    return options


# A statement built once and run often (a module's cached statement) keeps its filtered
# copy per tenant scope, so SQLAlchemy's cache key of that copy is computed once, not on
# every execution. Weak keys: a statement built for one request leaves with it.
_FILTERED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FILTERED_SCOPES = 256


def _filtered(statement, ctx):
    scope = (ctx.region_id, ctx.institution_id) if ctx else None
    copies = _FILTERED.get(statement)
    if copies is None:
        copies = _FILTERED[statement] = {}
    copy = copies.get(scope)
    if copy is None:
        if len(copies) >= _FILTERED_SCOPES:
            copies.clear()
        copy = copies[scope] = statement.options(*_criteria(ctx))
    return copy


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_filter(state):
    if state.session.in_transaction():
        _apply_rls(state.session, state.session.connection())
    if not state.is_select or not _filter_enabled.get():
        return
    state.statement = _filtered(state.statement, current())


def _stamp(obj, ctx) -> None:
    if ctx is None:
        raise TenantViolation("no tenant context for a write")
    if obj.region_id is None:
        obj.region_id = ctx.region_id
    if obj.region_id != ctx.region_id:
        raise TenantViolation(f"{type(obj).__name__} belongs to another region")
    if isinstance(obj, InstitutionOwned):
        if obj.institution_id is None:
            obj.institution_id = ctx.institution_id
        if obj.institution_id is None:
            raise TenantViolation(f"{type(obj).__name__} needs an institution")
        if ctx.institution_id is not None and obj.institution_id != ctx.institution_id:
            raise TenantViolation(f"{type(obj).__name__} belongs to another institution")
    in_scope = ctx.institution_id is None or obj.id == ctx.institution_id
    if isinstance(obj, InstitutionRoot) and not in_scope:
        raise TenantViolation("institution users cannot write other institutions")


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session, flush_context, instances):
    if not _filter_enabled.get():
        return
    ctx = current()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, RegionOwned):
            _stamp(obj, ctx)


SET_TENANT = text("select set_config('app.region_id', :region, true),"
                  " set_config('app.institution_id', :institution, true),"
                  " set_config('app.scope', :scope, true)")
"""The tenant settings the RLS policies read, for one transaction (values: _rls_settings)."""


def _rls_settings(ctx) -> dict:
    return {
        "region": str(ctx.region_id) if ctx else "",
        "institution": str(ctx.institution_id) if ctx and ctx.institution_id else "",
        "scope": ctx.scope if ctx else "",
    }


def _apply_rls(session, connection) -> None:
    """Make the transaction's app.* settings match the current context (set_config local
    to the transaction, so a pooled connection never carries them to the next user)."""
    if connection.dialect.name != "postgresql":
        return
    settings = _rls_settings(current())
    if session.info.get("rls_settings") == settings:
        return
    if "rls_settings" not in session.info and not any(settings.values()):
        # A new transaction without a context: the settings are transaction-local, so
        # they are already unset, and unset fails closed. Saves a round trip on every
        # bearer request, whose token is looked up before the context is known.
        session.info["rls_settings"] = settings
        return
    connection.execute(SET_TENANT, settings)
    session.info["rls_settings"] = settings


@event.listens_for(Session, "after_begin")
def _set_rls_on_begin(session, transaction, connection):
    session.info.pop("rls_settings", None)
    _apply_rls(session, connection)


@event.listens_for(Session, "before_flush")
def _set_rls_before_flush(session, flush_context, instances):
    if session.in_transaction():
        _apply_rls(session, session.connection())
