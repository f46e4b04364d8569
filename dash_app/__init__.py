"""Bureau dashboards (Plotly Dash, multi-page with Dash pages) mounted on the Flask server
under /dashboards/.

Login is required; layouts and callbacks run inside the Flask request, so the tenant
context and the ORM filter scope every number exactly as they scope the API. Pages live
in dash_app/pages/ (one module each, registered here); the filters of every page are in
its URL; each page's export button writes its figures to .xlsx.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html
from flask import current_app, redirect, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user

from dash_app.common import PREFIX

PAGE_MODULES = ("overview", "trends", "findings", "pipeline", "rectification", "peers",
                "institution")


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
        use_pages=True,
        pages_folder="",  # the pages are registered below, by module
        suppress_callback_exceptions=True,  # each page brings its own components
        serve_locally=True,  # no CDN: bureau networks are closed
        update_title=None,  # Dash's "Updating..." would be English on Chinese pages
        external_stylesheets=["/static/vendor/bootstrap/bootstrap.min.css"],
        on_error=_refused,
    )
    _register_pages()
    app.layout = html.Div([dcc.Location(id="go", refresh="callback-nav"),
                           dash.page_container])
    register_callbacks(app)
    # the only inline scripts the site runs, allowed by hash (saas.headers); read per
    # response, as the pages' router adds its own on the first request
    server.extensions["pact_dashboards"] = app

    @server.before_request
    def _dashboards_need_login():
        if request.path.startswith(PREFIX) and not current_user.is_authenticated:
            if request.path.startswith(PREFIX + "_dash"):
                return (gettext("请先登录"), 401)
            return redirect(url_for("web.login", next=request.path))
        if request.path == PREFIX + "_dash-update-component" and not _known_callback(app):
            return (gettext("看板请求无效"), 400)


def _known_callback(app) -> bool:
    """Whether a callback request names outputs some page's callback has (a crafted one
    would fail inside Dash with a 500)."""
    body = request.get_json(silent=True)
    return isinstance(body, dict) and isinstance(body.get("output"), str) and \
        body["output"] in app.callback_map


def _refused(error: Exception) -> None:
    """A callback given inputs no page sends (a crafted request) changes nothing: logged,
    answered without an update, never a 500."""
    current_app.logger.warning("dashboards: callback refused its inputs: %r", error)


def _pages() -> list:
    from importlib import import_module

    return [import_module(f"dash_app.pages.{name}") for name in PAGE_MODULES]


def _register_pages() -> None:
    from dash_app.common import DRILL_DOWN, PAGES

    titles = dict(PAGES)
    for module in _pages():
        where = ({"path_template": module.PATH_TEMPLATE} if hasattr(module, "PATH_TEMPLATE")
                 else {"path": module.PATH})
        title = titles.get(getattr(module, "PATH", None), DRILL_DOWN)
        dash.register_page(module.__name__, layout=module.layout,
                           title=lambda title=title, **_vars: gettext(title), **where)


def register_callbacks(app) -> None:
    from dash_app import common
    from dash_app.pages import overview
    from saas.services import dashboards

    @app.callback(Output("go", "href"), Input("apply", "n_clicks"),
                  State("f-period", "value"), State("f-kind", "value"),
                  State("f-level", "value"), State("f-district", "value"),
                  State("_pages_location", "pathname"), prevent_initial_call=True)
    def _apply_filters(_clicks, period, kind, level, district, pathname):
        """The filters go into the URL: the page is built again from it, and the address
        can be shared."""
        view = dashboards.View.of({"period": period, "kind": kind, "level": level,
                                   "district": district})
        path = str(pathname or PREFIX).removeprefix(PREFIX.rstrip("/")) or "/"
        return common.href(path, view)

    @app.callback(Output("grid", "getRowsResponse"), Input("grid", "getRowsRequest"),
                  State("view", "data"), prevent_initial_call=True)
    def _grid_rows(block, view):
        return overview.grid_block(block, view)

    @app.callback(Output("download", "data"), Input("export", "n_clicks"),
                  State("_pages_location", "pathname"), State("_pages_location", "search"),
                  prevent_initial_call=True)
    def _export(_clicks, pathname, search):
        return export(str(pathname or PREFIX), str(search or ""))


def export(pathname: str, search: str) -> dict | None:
    """The page's figures as .xlsx, the page found from its address (its filters too)."""
    from urllib.parse import parse_qsl

    from dash_app import common
    from dash_app.pages import institution
    from saas.services import dashboards

    path = "/" + pathname.removeprefix(PREFIX).strip("/")
    view = dashboards.View.of(dict(parse_qsl(search.lstrip("?"))))
    if path.startswith("/institution/"):
        sheets = institution.sheets(view, path.rsplit("/", 1)[-1])
    else:
        by_path = {m.PATH: m for m in _pages() if hasattr(m, "PATH")}
        sheets = by_path[path].sheets(view) if path in by_path else []
    if not sheets:
        return None
    name = (path.strip("/").replace("/", "-") or "overview") + f"-{view.period}.xlsx"
    return dcc.send_bytes(common.xlsx(sheets), name)
