"""Bureau dashboards (Plotly Dash) mounted on the Flask server under /dashboards/.

Login is required; callbacks run inside the Flask request, so the tenant context and the
ORM filter scope every number exactly as they scope the API.
"""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

PREFIX = "/dashboards/"


def mount_dashboards(server) -> None:
    import dash

    app = dash.Dash(
        __name__,
        server=server,
        url_base_pathname=PREFIX,
        serve_locally=True,  # no CDN: bureau networks are closed
        title="Pact 数据看板",
        external_stylesheets=["/static/vendor/bootstrap/bootstrap.min.css"],
    )
    from dash_app.layout import layout, register_callbacks

    app.layout = layout
    register_callbacks(app)

    @server.before_request
    def _dashboards_need_login():
        if request.path.startswith(PREFIX) and not current_user.is_authenticated:
            if request.path.startswith(PREFIX + "_dash"):
                return ("请先登录", 401)
            return redirect(url_for("web.login", next=request.path))
