"""同类排名: per institution kind and level, the month's group size, mean, best and worst."""

from __future__ import annotations

from dash import dash_table
from flask_babel import gettext as _

from dash_app.common import empty, shell
from saas.labels import label
from saas.services import dashboards

PATH = "/peers"


def layout(**query):
    view = dashboards.View.of(query)
    rows = dashboards.peers(view)
    if not rows:
        return shell(PATH, view, empty(_("所选期间还没有已提交的考核，暂无排名。")))
    header, body = table(rows)
    return shell(PATH, view, dash_table.DataTable(
        id="peers-table", columns=[{"name": h, "id": str(i)} for i, h in enumerate(header)],
        data=[{str(i): v for i, v in enumerate(r)} for r in body], sort_action="native",
        style_cell={"fontFamily": "inherit", "padding": "4px 8px"}))


def table(rows):
    header = [_("机构类型"), _("等级"), _("机构数"), _("平均分"), _("最高分"), _("最低分")]
    return header, [[label("kind", r["kind"]), r["level"] or "—", r["institutions"], r["mean"],
                     r["best"], r["worst"]] for r in rows]


def sheets(view):
    header, body = table(dashboards.peers(view))
    return [(_("同类排名"), header, body)]
