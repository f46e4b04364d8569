"""Server-rendered pages (Jinja + vendored Bootstrap), Chinese by default."""

import functools

from flask import Blueprint, request, url_for
from flask_login import current_user

from saas.auth import is_public
from saas.extensions import login_manager

web = Blueprint("web", __name__, template_folder="templates")


@web.before_request
def _sign_in_required():
    """Every page needs a signed-in user unless saas.auth.PUBLIC lists it: to the
    sign-in page, and back here afterwards."""
    if not current_user.is_authenticated and not is_public(request.endpoint, request.method):
        return login_manager.unauthorized()


def row_url(endpoint: str, **ids: int) -> str:
    """``url_for(endpoint, **ids)`` for a route whose only values are row ids: a list
    calls it for every row, and url_for costs about 10 µs a call (a page of 50 rows, two
    links each, spent a millisecond on it). The route's pattern is built once by
    url_for itself and filled in per row."""
    pattern = _id_url_pattern(endpoint, tuple(sorted(ids)), request.script_root)
    return pattern.format(**{key: int(value) for key, value in ids.items()})


_SENTINEL = 2_000_000_000  # an id no path holds otherwise (ids stop at 2 147 483 647)


@functools.lru_cache(maxsize=256)
def _id_url_pattern(endpoint: str, keys: tuple, script_root: str) -> str:
    """The route's URL with ``{key}`` where each id goes (a str.format pattern)."""
    sentinels = {key: _SENTINEL + n for n, key in enumerate(keys)}
    pattern = url_for(endpoint, **sentinels).replace("{", "{{").replace("}", "}}")
    for key, sentinel in sentinels.items():
        pattern = pattern.replace(str(sentinel), "{" + key + "}")
    return pattern


# Views register on the blueprint when imported.
from saas.web import (  # noqa: F401
    agreements,
    assessments,
    auth,
    findings,
    institutions,
    measures,
    notifications,
    rectifications,
    templates_pages,
    users,
    workbench,
)


@web.app_context_processor
def _helpers():
    from flask_babel import get_locale, pgettext
    from flask_babel import gettext as _

    from saas.domain.permissions import ACCOUNT_MANAGERS
    from saas.domain.scoring import PERSPECTIVES
    from saas.i18n import text
    from saas.labels import ROLE_LABELS, label, name_of

    def nav_items():
        # Short English in the top bar ("nav" context), fuller names on the pages.
        return [("web.institutions", pgettext("nav", "定点机构")),
                ("web.templates", pgettext("nav", "协议范本")),
                ("web.agreements", pgettext("nav", "服务协议")), ("web.assessments", _("考核评估")),
                ("web.findings", _("检查发现")), ("web.measures", pgettext("nav", "协议处理")),
                ("web.rectifications", pgettext("nav", "整改台账"))]

    def unread_notifications():
        from saas.services.notifications import unread_count
        from tenants.context import current

        # an error page may render before the request's tenant context exists
        return unread_count() if current() is not None else 0

    return {"nav_items": nav_items, "unread_notifications": unread_notifications, "get_locale": get_locale, "role_label": lambda r: _(ROLE_LABELS.get(r, r)),
            "label": label, "name_of": name_of, "text": text, "perspectives": PERSPECTIVES,
            "account_managers": ACCOUNT_MANAGERS, "row_url": row_url}
