"""处理流程: how many measures at each step, and what waits for whom."""

from __future__ import annotations

from dash import html
from flask_babel import gettext as _

from dash_app.common import bar, card, empty, graph, shell
from saas.domain.measures import STATUSES
from saas.domain.messages import N_
from saas.labels import label
from saas.services import dashboards

PATH = "/pipeline"
WAITS = (("notify", N_("待告知（医保局）")), ("decide", N_("待决定（医保局）")),
         ("overdue", N_("申诉期满未决定（医保局）")), ("appeal", N_("申诉期内（机构）")))


def layout(**query):
    view = dashboards.View.of(query)
    found = dashboards.pipeline(view)
    if not found["rows"]:
        return shell(PATH, view, empty(_("暂无协议处理。记分达到阈值时系统会自动提出处理，也可以在协议页面手动提出。")))
    statuses = [s for s in STATUSES if any(r["status"] == s for r in found["rows"])]
    kinds = sorted({r["measure"] for r in found["rows"]})
    steps = {"data": [{"type": "bar", "name": label("measure", m),
                       "x": [label("measure_status", s) for s in statuses],
                       "y": [sum(r["count"] for r in found["rows"] if r["measure"] == m
                                 and r["status"] == s) for s in statuses]} for m in kinds],
             "layout": {"title": {"text": _("各环节的处理（件）")}, "barmode": "stack",
                        "height": 360, "yaxis": {"title": {"text": _("件")}}}}
    reached = [s for s in statuses if found["institutions"].get(s)]
    return shell(PATH, view,
        html.Div(className="row g-3 mb-3", id="waiting", children=[
            card(_(title), found["waiting"][step]) for step, title in WAITS]),
        html.Div(className="row g-3", children=[
            html.Div(className="col-lg-7", children=graph("pipeline-steps", steps)),
            html.Div(className="col-lg-5", children=graph("pipeline-institutions", bar(
                _("各环节涉及的机构（家）"), [label("measure_status", s) for s in reached],
                [found["institutions"][s] for s in reached], unit=_("家"))))]))


def sheets(view):
    found = dashboards.pipeline(view)
    return [(_("处理流程"), [_("处理方式"), _("环节"), _("数量")],
             [[label("measure", r["measure"]), label("measure_status", r["status"]), r["count"]]
              for r in found["rows"]]),
            (_("待办"), [_("环节"), _("数量")],
             [[_(title), found["waiting"][step]] for step, title in WAITS])]
