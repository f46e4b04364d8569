"""A status column that only its own service may change.

The service checks the state machine and the role, then opens the guard around the one
assignment and writes the audit entry. A status set anywhere else (a view, a script, a
careless test) raises StatusGuardError instead of skipping those steps.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar


class StatusGuardError(PermissionError):
    """A status was assigned outside the service that owns it."""


class StatusGuard:
    def __init__(self, owner: str):
        self.owner = owner
        self._open: ContextVar[bool] = ContextVar(f"{owner} status", default=False)

    @contextlib.contextmanager
    def allowed(self):
        token = self._open.set(True)
        try:
            yield
        finally:
            self._open.reset(token)

    def check(self, row, value):
        """For a @validates("status") hook: the new value, or StatusGuardError."""
        if row.status is not None and value != row.status and not self._open.get():
            raise StatusGuardError(f"{type(row).__name__}.status changes only in {self.owner}")
        return value
