"""机构详情 (drill-down): the radar of the four perspectives, the indicators' colours
month by month, the points of the year, the measures and the ledger items."""

from __future__ import annotations

from dash import html
from flask_babel import gettext as _

from dash_app.common import COLOURS, empty, graph, shell
from saas.domain.limits import parse_id
from saas.domain.scoring import PERSPECTIVES
from saas.labels import label
from saas.services import dashboards

PATH_TEMPLATE = "/institution/<institution_id>"
COLOUR_LEVEL = {"no_data": 0, "green": 1, "yellow": 2, "red": 3}


def layout(institution_id=None, **query):
    view = dashboards.View.of(query)
    found = _found(institution_id, view)
    if found is None:
        return shell("/institution", view, empty(_("未找到该机构，或您无权查看。")),
                     one_institution=True)
    return shell("/institution", view,
        html.H2(f"{found['name']}", className="h5", id="institution-name"),
        html.P(" · ".join(x for x in (label("kind", found["kind"]), found["level"] or "",
                                       found["district"] or "") if x),
               className="text-muted small"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-lg-5", children=graph("radar", radar(found))),
            html.Div(className="col-lg-7", children=graph("heatmap", heatmap(found))
                     if found["heatmap"]["periods"] else empty(_("还没有已评分的考核。")))]),
        html.Div(className="row g-3", children=[
            html.Div(className="col-lg-5", children=graph("points", points(found))),
            html.Div(className="col-lg-7", children=[
                html.H3(_("协议处理"), className="h6"), listing(found["measures"], measure_line,
                                                            _("暂无协议处理。")),
                html.H3(_("整改事项"), className="h6 mt-3"),
                listing(found["items"], item_line, _("暂无整改事项。"))])]),
        one_institution=True)


def _found(institution_id, view):
    wanted = parse_id(str(institution_id or ""))
    return dashboards.institution(wanted, view) if wanted else None


def radar(found) -> dict:
    names = [label("perspective", p) for p in PERSPECTIVES]
    values = [found["radar"].get(p) or 0 for p in PERSPECTIVES]
    return {"data": [{"type": "scatterpolar", "r": [*values, values[0]],
                      "theta": [*names, names[0]], "fill": "toself", "name": _("得分")}],
            "layout": {"title": {"text": _("四个维度得分（分）")}, "height": 340,
                       "polar": {"radialaxis": {"range": [0, 100]}}}}


def heatmap(found) -> dict:
    grid = found["heatmap"]
    return {"data": [{"type": "heatmap", "x": grid["periods"],
                      "y": [name for _code, name in grid["indicators"]],
                      "z": [[COLOUR_LEVEL[c] for c in row] for row in grid["colours"]],
                      "text": [[label("color", c) for c in row] for row in grid["colours"]],
                      "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
                      # four levels, each its own band of the scale: no data, green,
                      # yellow, red (the 三色预警 colours of the pages)
                      "zmin": -0.5, "zmax": 3.5, "showscale": False, "xgap": 2, "ygap": 2,
                      "colorscale": [[0, COLOURS["no_data"]], [0.25, COLOURS["no_data"]],
                                     [0.25, COLOURS["green"]], [0.5, COLOURS["green"]],
                                     [0.5, COLOURS["yellow"]], [0.75, COLOURS["yellow"]],
                                     [0.75, COLOURS["red"]], [1, COLOURS["red"]]]}],
            "layout": {"title": {"text": _("指标预警（按月）")}, "xaxis": {"type": "category"},
                       "height": max(320, 22 * len(grid["indicators"]) + 120),
                       "margin": {"l": 180}}}


def points(found) -> dict:
    lines = found["points"]
    return {"data": [{"type": "scatter", "mode": "lines+markers", "line": {"shape": "hv"},
                      "x": [p["at"] for p in lines], "y": [p["total"] for p in lines],
                      "name": _("累计记分")}],
            "layout": {"title": {"text": _("本年记分（分）")}, "height": 300,
                       "xaxis": {"type": "category"},
                       "yaxis": {"title": {"text": _("分")}}}}


def listing(rows, line, nothing) -> html.Ul:
    if not rows:
        return html.P(nothing, className="small text-muted")
    return html.Ul([html.Li(line(r), className="small") for r in rows])


def measure_line(m) -> html.A:
    return html.A(f"{label('measure', m['measure'])} · {label('measure_status', m['status'])}"
                  f" · {m['at']}", href=f"/measures/{m['id']}")


def item_line(i) -> html.A:
    late = f" · {_('已逾期')}" if i["overdue"] else ""
    return html.A(f"{i['number']} · {label('rectification_status', i['status'])} · "
                  f"{i['due_date']}{late}", href=f"/rectifications/{i['id']}",
                  className="text-danger" if i["overdue"] else "")


def sheets(view, institution_id=None):
    found = _found(institution_id, view)
    if found is None:
        return []
    return [(_("指标预警"), [_("指标"), *found["heatmap"]["periods"]],
             [[name, *[label("color", c) for c in row]] for (_c, name), row in
              zip(found["heatmap"]["indicators"], found["heatmap"]["colours"], strict=True)]),
            (_("本年记分"), [_("日期"), _("记分"), _("累计")],
             [[p["at"], p["points"], p["total"]] for p in found["points"]])]
