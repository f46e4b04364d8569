"""How a request says who it is: the session cookie (pages) or a bearer token (API), and
which routes anyone may reach without signing in."""

from __future__ import annotations

import time

from flask import current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface

from saas.extensions import db
from saas.models import User

# Every route needs a signed-in user except these: endpoint names, or "endpoint:METHOD"
# where only one method is open. Each blueprint checks this once, in before_request;
# tests/test_signin.py walks the whole URL map against it.
PUBLIC = frozenset({
    "static",
    "healthz",
    "readyz",
    "web.login",
    "web.switch_language",
    "web.public_rescissions",  # 解除协议公告: announced publicly (令第2号)
    "auth.Tokens:POST",  # exchanging a password for a token; revoking one needs the token
    "api-docs.openapi_json",
    "api-docs.openapi_redoc",
})


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a static file never sends the cookie
    back: a favicon fetched late would otherwise overwrite the cookie a newer request
    just set (a language switch, a sign-in) with the older one it was sent with."""

    def should_set_cookie(self, app, session) -> bool:
        if has_request_context() and request.endpoint == "static":
            return False
        return super().should_set_cookie(app, session)


def is_public(endpoint: str | None, method: str) -> bool:
    """Whether anyone may reach this endpoint (None: no route matched, so a 404 follows)."""
    return endpoint is None or endpoint in PUBLIC or f"{endpoint}:{method}" in PUBLIC


SIGNED_IN_AT = "signed_in_at"


def load_user_from_session(session_id: str):
    """The session's user while its session version is the user's (logout and a password
    change raise it) and the session is younger than SESSION_MAX_HOURS."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    signed_in = session.get(SIGNED_IN_AT, 0)
    if time.time() - signed_in > current_app.config["SESSION_MAX_HOURS"] * 3600:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def load_user_from_request(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    from saas.services.auth import user_for_token

    return user_for_token(header.removeprefix("Bearer ").strip())
