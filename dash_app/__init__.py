"""Bureau dashboards (Plotly Dash) mounted on the Flask server under /dashboards/.

Login is required; callbacks run inside the Flask request, so the tenant context and the
ORM filter scope every number exactly as they scope the API.
"""

from __future__ import annotations

import dash
from flask import redirect, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user

PREFIX = "/dashboards/"


class _Dashboards(dash.Dash):
    """Dash whose page title and <html lang> follow the user's language, as the pages do."""

    def interpolate_index(self, **kwargs):
        kwargs["title"] = gettext("Pact 数据看板")
        lang = "en" if str(get_locale()) == "en" else "zh-CN"
        return super().interpolate_index(**kwargs).replace("<html>", f'<html lang="{lang}">', 1)


def mount_dashboards(server) -> None:
    app = _Dashboards(
        __name__,
        server=server,
        url_base_pathname=PREFIX,
        serve_locally=True,  # no CDN: bureau networks are closed
        update_title=None,  # Dash's "Updating..." would be English on Chinese pages
        external_stylesheets=["/static/vendor/bootstrap/bootstrap.min.css"],
    )
    from dash_app.layout import layout, register_callbacks

    app.layout = layout
    register_callbacks(app)
    # the only inline scripts the site runs: allowed by hash (saas.headers)
    server.config["DASH_SCRIPT_HASHES"] = list(app.csp_hashes())

    @server.before_request
    def _dashboards_need_login():
        if request.path.startswith(PREFIX) and not current_user.is_authenticated:
            if request.path.startswith(PREFIX + "_dash"):
                return (gettext("请先登录"), 401)
            return redirect(url_for("web.login", next=request.path))
