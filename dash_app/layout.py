"""区域总览: the first dashboard. Every figure comes from services, scoped by the tenant."""

from __future__ import annotations

from dash import Input, Output, dcc, html
from flask_babel import gettext as _


def layout():
    return html.Div(
        className="container-fluid p-3",
        children=[
            html.H1(_("区域总览"), className="h4"),
            html.P(_("本页数据按当前登录用户的权限范围统计。"), className="text-muted small"),
            dcc.Location(id="url"),
            html.Div(id="summary", className="row g-3 mb-3"),
            dcc.Graph(id="grades"),
            html.A("← " + _("返回工作台"), href="/"),
        ],
    )


def register_callbacks(app) -> None:
    @app.callback(Output("summary", "children"), Output("grades", "figure"),
                  Input("url", "pathname"))
    def _overview(_path):
        from dash_app.data import region_overview

        data = region_overview()
        cards = [
            html.Div(className="col-6 col-md-3", children=html.Div(className="card card-body", children=[
                html.Div(_(label), className="text-muted small"), html.Div(str(value), className="h4 mb-0")]))
            for label, value in data["cards"]
        ]
        figure = {
            "data": [{"type": "bar", "x": [_(grade) for grade in data["grades"]],
                      "y": list(data["grades"].values())}],
            "layout": {"title": {"text": _("最近考核等次分布")}, "height": 320},
        }
        return cards, figure
