"""The tenant context: who is acting, for which region and institution.

Set once per request (from the signed-in user) or per job/command (explicitly), never
from a client-supplied id. Held in a ContextVar so jobs and CLI commands work the same.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass

BUREAU_ROLES = frozenset({"bureau_admin", "bureau_inspector"})
INSTITUTION_ROLES = frozenset({"institution_admin", "institution_staff", "mock_inspector"})
ROLES = BUREAU_ROLES | INSTITUTION_ROLES


@dataclass(frozen=True)
class TenantContext:
    region_id: int
    institution_id: int | None = None  # None: the whole region (bureau users, region jobs)
    user_id: int | None = None
    role: str | None = None

    @property
    def scope(self) -> str:
        return "region" if self.institution_id is None else "institution"

    @property
    def is_bureau(self) -> bool:
        return self.institution_id is None


_current: ContextVar[TenantContext | None] = ContextVar("tenant_context", default=None)


def current() -> TenantContext | None:
    return _current.get()


def require() -> TenantContext:
    ctx = _current.get()
    if ctx is None:
        raise PermissionError("no tenant context")
    return ctx


def set_context(ctx: TenantContext | None):
    return _current.set(ctx)


def reset_context(token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def acting_as(ctx: TenantContext | None):
    """Run a block (a job, a CLI command, a test) inside one tenant context."""
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def for_user(user) -> TenantContext:
    return TenantContext(
        region_id=user.region_id,
        institution_id=user.institution_id,
        user_id=user.id,
        role=user.role,
    )
