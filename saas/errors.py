"""Domain errors: what a use case refuses, with a message for the user and, for bad
input, the fields it concerns. Services and jobs raise them.

Turning them into HTTP responses is the views' business: problem+json in saas.api.errors
(which also picks the status for each class), error pages and form messages in saas.web.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refused request: bad input, a refused transition, a missing permission."""

    def __init__(self, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class NotFound(DomainError):
    """No such row, or another tenant's: the caller cannot tell the two apart."""


class Forbidden(DomainError):
    """The caller's role may not do this."""


class Conflict(DomainError):
    """The object's state does not allow this now (a refused transition, a duplicate)."""


class Invalid(DomainError):
    """Bad input; ``errors`` maps each field to its messages."""
