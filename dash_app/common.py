"""What every dashboard page shares: the page list, the filter bar (its values kept in the
URL, so a view can be shared), the three-colour palette, labels in the user's language,
empty states, and the export of a page's figures to .xlsx."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from dash import dcc, html
from flask_babel import gettext as _

from saas.domain.messages import N_
from saas.domain.periods import last_closed_month
from saas.labels import label
from saas.services import dashboards
from saas.timeutil import today_local

PREFIX = "/dashboards/"
#: (path, title msgid) of the pages, in the order of the menu
DRILL_DOWN = N_("机构详情")
PAGES = (("/", N_("区域总览")), ("/trends", N_("考核趋势")), ("/findings", N_("检查发现")),
         ("/pipeline", N_("处理流程")), ("/rectification", N_("整改进度")),
         ("/peers", N_("同类排名")))
#: 三色预警, as the pages show them (Bootstrap's success / warning / danger)
COLOURS = {"green": "#198754", "yellow": "#ffc107", "red": "#dc3545", "no_data": "#adb5bd"}
GRADE_COLOURS = {"excellent": "#198754", "pass": "#0d6efd", "basic": "#ffc107",
                 "fail": "#dc3545", None: "#adb5bd"}


def href(path: str, view: dashboards.View | None = None, **extra) -> str:
    """A dashboard page's address with the view's filters in its query string."""
    query = {**(view.query() if view else {}), **extra}
    return PREFIX + path.lstrip("/") + (f"?{urlencode(query)}" if query else "")


def shell(path: str, view: dashboards.View, *body, one_institution: bool = False) -> html.Div:
    """The page: its menu, its filters, its body, the export button and a way back. One
    institution's page filters by period only (the others are kept for the way back)."""
    menu = html.Ul(className="nav nav-pills mb-2 d-print-none", children=[
        html.Li(className="nav-item", children=dcc.Link(
            _(title), href=href(p, view),
            className="nav-link" + (" active" if p == path else "")))
        for p, title in PAGES])
    return html.Div(className="container-fluid p-3", children=[
        html.Div(className="d-flex flex-wrap align-items-center gap-2 mb-2", children=[
            html.H1(_(dict(PAGES).get(path, DRILL_DOWN)), className="h4 mb-0 me-auto"),
            html.Button(_("导出 Excel"), id="export", className="btn btn-sm btn-outline-secondary"
                        " d-print-none"),
            html.A(_("返回工作台"), href="/", className="btn btn-sm btn-link d-print-none")]),
        menu, filter_bar(view, one_institution), dcc.Store(id="view", data=view.query()),
        dcc.Download(id="download"), *body])


def months(n: int = 24) -> list[str]:
    period = last_closed_month(today_local())
    out = []
    for _i in range(n):
        out.append(str(period))
        period = period.previous()
    return out


def filter_bar(view: dashboards.View, period_only: bool = False) -> html.Div:
    """Period, kind, level and district; 应用 puts them in the URL (saas: callbacks).
    ``period_only``: the others stay as they are, hidden, without reading their choices."""
    found = {"levels": [view.level] if view.level else [],
             "districts": [view.district] if view.district else []} if period_only \
        else dashboards.choices()
    periods = sorted(set(months()) | {view.period}, reverse=True)

    def select(id_, value, options, placeholder):
        hidden = period_only and id_ != "f-period"
        return html.Div(className="col-6 col-lg-2", hidden=hidden, children=dcc.Dropdown(
            id=id_, value=value, options=options, placeholder=placeholder, clearable=True))

    return html.Div(className="row g-2 mb-3 d-print-none", id="filters", children=[
        select("f-period", view.period, [{"label": p, "value": p} for p in periods],
               _("期间")),
        select("f-kind", view.kind, [{"label": label("kind", k), "value": k}
                                     for k in dashboards.KINDS], _("全部类型")),
        select("f-level", view.level, [{"label": v, "value": v} for v in found["levels"]],
               _("全部等级")),
        select("f-district", view.district, [{"label": v, "value": v}
                                             for v in found["districts"]], _("全部区县/街道")),
        html.Div(className="col-auto", children=html.Button(
            _("应用"), id="apply", className="btn btn-sm btn-primary")),
    ])


def card(title: str, value, tone: str = "") -> html.Div:
    return html.Div(className="col-6 col-md-3", children=html.Div(
        className=f"card card-body {tone}", children=[
            html.Div(title, className="text-muted small"),
            html.Div(str(value), className="h4 mb-0 figure-value")]))


def empty(message: str) -> html.Div:
    """An empty state that says what to do next."""
    return html.Div(message, className="alert alert-light border empty-state")


def bar(title: str, x: list, y: list, colours: list | None = None, unit: str = "") -> dict:
    """A bar chart with its title, axis unit and colours (the palette above)."""
    return {"data": [{"type": "bar", "x": x, "y": y, "marker": {"color": colours}
                      if colours else {}, "hovertemplate": "%{x}: %{y}" + unit + "<extra></extra>"}],
            "layout": {"title": {"text": title}, "height": 320, "margin": {"t": 48, "b": 48},
                       # counts: whole ticks, even when they are few
                       "yaxis": {"title": {"text": unit}, "rangemode": "tozero",
                                 **({"dtick": 1} if max(y, default=0) <= 10 else {})}}}


def graph(id_: str, figure: dict) -> dcc.Graph:
    return dcc.Graph(id=id_, figure=figure, config={"displaylogo": False, "locale": "zh-CN"})


def xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """The figures of a page as a workbook: one sheet per table, a bold frozen header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(8, width * 2), 50)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
