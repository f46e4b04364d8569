"""How a request says who it is: the session cookie (pages) or a bearer token (API)."""

from __future__ import annotations

from saas.extensions import db
from saas.models import User


def load_user_from_session(user_id: str):
    user = db.session.get(User, int(user_id))
    return user if user and user.active else None


def load_user_from_request(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    from saas.services.auth import user_for_token

    return user_for_token(header.removeprefix("Bearer ").strip())
