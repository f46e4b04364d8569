"""检查发现: this year's confirmed findings by category and severity, and by institution
kind."""

from __future__ import annotations

from flask_babel import gettext as _

from dash_app.common import empty, graph, shell
from saas.domain.templates import SEVERITIES
from saas.labels import label
from saas.services import dashboards

PATH = "/findings"
SEVERITY_COLOURS = {"minor": "#6c757d", "general": "#ffc107", "serious": "#fd7e14",
                    "fraud": "#dc3545"}


def layout(**query):
    view = dashboards.View.of(query)
    rows = dashboards.findings(view)["rows"]
    if not rows:
        return shell(PATH, view, empty(_("本年度截至所选期间没有已确认的检查发现。检查人员登记并确认问题后，这里按类别和严重程度统计。")))
    categories = sorted({r["category"] for r in rows})
    by_category = {"data": [{"type": "bar", "name": label("severity", s),
                             "x": [label("finding_category", c) for c in categories],
                             "y": [sum(r["count"] for r in rows if r["category"] == c
                                       and r["severity"] == s) for c in categories],
                             "marker": {"color": SEVERITY_COLOURS[s]}} for s in SEVERITIES],
                   "layout": {"title": {"text": _("问题类别与严重程度（个）")}, "barmode": "stack",
                              "height": 360, "yaxis": {"title": {"text": _("个")}}}}
    kinds = sorted({r["kind"] for r in rows})
    by_kind = {"data": [{"type": "bar", "x": [label("kind", k) for k in kinds],
                         "y": [sum(r["count"] for r in rows if r["kind"] == k) for k in kinds]}],
               "layout": {"title": {"text": _("按机构类型（个）")}, "height": 320,
                          "yaxis": {"title": {"text": _("个")}}}}
    return shell(PATH, view, graph("findings-category", by_category),
                 graph("findings-kind", by_kind))


def sheets(view):
    rows = dashboards.findings(view)["rows"]
    return [(_("检查发现"), [_("问题类别"), _("严重程度"), _("机构类型"), _("数量")],
             [[label("finding_category", r["category"]), label("severity", r["severity"]),
               label("kind", r["kind"]), r["count"]] for r in rows])]
