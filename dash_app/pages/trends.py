"""考核趋势: the region's mean score month by month, and how many institutions had each
grade."""

from __future__ import annotations

from flask_babel import gettext as _

from dash_app.common import GRADE_COLOURS, empty, graph, shell
from saas.domain.scoring import GRADES
from saas.labels import label
from saas.services import dashboards

PATH = "/trends"


def layout(**query):
    view = dashboards.View.of(query)
    rows = dashboards.trends(view)
    if not rows:
        return shell(PATH, view, empty(_("所选期间还没有已提交的考核。机构提交自查或完成检查后，这里显示趋势。")))
    periods = [r["period"] for r in rows]
    mean = {"data": [{"type": "scatter", "mode": "lines+markers", "x": periods,
                      "y": [r["mean"] for r in rows], "name": _("平均分")}],
            "layout": {"title": {"text": _("平均得分（分）")}, "height": 320,
                       "xaxis": {"type": "category"},
                       "yaxis": {"title": {"text": _("分")}, "range": [0, 100]}}}
    spread = {"data": [{"type": "bar", "name": label("grade", g), "x": periods,
                        "y": [r["grades"].get(g, 0) for r in rows],
                        "marker": {"color": GRADE_COLOURS[g]}} for g in GRADES],
              "layout": {"title": {"text": _("各等次机构数（家）")}, "barmode": "stack",
                         "xaxis": {"type": "category"},
                         "height": 320, "yaxis": {"title": {"text": _("家")}}}}
    return shell(PATH, view, graph("trend-mean", mean), graph("trend-grades", spread))


def sheets(view):
    rows = dashboards.trends(view)
    return [(_("考核趋势"), [_("期间"), _("平均分"), _("参评机构"),
                          *[label("grade", g) for g in GRADES]],
             [[r["period"], r["mean"], r["assessed"], *[r["grades"].get(g, 0) for g in GRADES]]
              for r in rows])]
