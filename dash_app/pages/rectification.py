"""整改进度: ledger items by state, and the overdue ones by how long they are late."""

from __future__ import annotations

from flask_babel import gettext as _

from dash_app.common import bar, empty, graph, shell
from saas.domain.rectification import STATES
from saas.labels import label
from saas.services import dashboards

PATH = "/rectification"
STATE_COLOURS = {"open": "#6c757d", "in_progress": "#0d6efd", "submitted": "#ffc107",
                 "closed": "#198754"}


def layout(**query):
    view = dashboards.View.of(query)
    found = dashboards.rectification(view)
    if not sum(found["states"].values()):
        return shell(PATH, view, empty(_("暂无整改事项。检查发现确认后会自动生成整改事项。")))
    return shell(PATH, view,
        graph("rectification-states", bar(
            _("整改事项状态（项）"), [label("rectification_status", s) for s in STATES],
            [found["states"][s] for s in STATES], [STATE_COLOURS[s] for s in STATES], _("项"))),
        graph("rectification-ageing", bar(
            _("逾期账龄（项）"), [ageing(a) for a in found["ageing"]],
            [a["count"] for a in found["ageing"]], ["#dc3545"] * len(found["ageing"]), _("项"))))


def ageing(bucket: dict) -> str:
    if bucket["to"] is None:
        return _("逾期 %(n)s 天以上", n=bucket["from"] - 1)
    return _("逾期 %(a)s–%(b)s 天", a=bucket["from"], b=bucket["to"])


def sheets(view):
    found = dashboards.rectification(view)
    return [(_("整改进度"), [_("状态"), _("数量")],
             [[label("rectification_status", s), found["states"][s]] for s in STATES]),
            (_("逾期账龄"), [_("逾期天数"), _("数量")],
             [[ageing(a), a["count"]] for a in found["ageing"]])]
