"""区域总览: one row per institution (score, grade, colour, points, agreement, ledger,
latest measure) in a server-side grid, with the counts by grade and by measure."""

from __future__ import annotations

from html import escape

import dash_ag_grid as dag
from dash import html
from flask_babel import gettext as _

from dash_app.common import COLOURS, GRADE_COLOURS, bar, card, empty, graph, href, shell
from saas.domain.scoring import GRADES
from saas.labels import label
from saas.services import dashboards

PATH = "/"
COLOUR_ORDER = ("red", "yellow", "green", "no_data")
COLOUR_BADGES = {"red": "danger", "yellow": "warning", "green": "success", "no_data": "secondary"}


def layout(**query):
    view = dashboards.View.of(query)
    figures = dashboards.overview(view)
    if not figures["institutions"]:
        return shell(PATH, view, empty(_("该筛选条件下没有定点机构。请清除筛选，或在「定点机构」中添加机构。")))
    grades = [g for g in (*GRADES, None) if figures["grades"].get(g)]
    measures = sorted(figures["measures"].items(), key=lambda kv: -kv[1])
    return shell(PATH, view,
        html.Div(className="row g-3 mb-3", id="summary", children=[
            card(_("定点机构"), figures["institutions"]),
            card(_("本期有红色预警的机构"), figures["red"], "border-danger"),
            card(_("未销号的整改事项"), figures["open_items"]),
            card(_("已逾期的整改事项"), figures["overdue_items"], "border-danger")]),
        html.Div(className="row g-3", children=[
            html.Div(className="col-lg-4", children=graph("colours", bar(
                _("本期三色预警（家）"), [label("color", c) for c in COLOUR_ORDER],
                [figures["colours"][c] for c in COLOUR_ORDER],
                [COLOURS[c] for c in COLOUR_ORDER], _("家")))),
            html.Div(className="col-lg-4", children=graph("grades", bar(
                _("最近考核等次分布"), [label("grade", g) if g else _("未考核") for g in grades],
                [figures["grades"][g] for g in grades], [GRADE_COLOURS[g] for g in grades],
                _("家")))),
            html.Div(className="col-lg-4", children=graph("measures", bar(
                _("正在进行的协议处理"), [label("measure", m) for m, _n in measures],
                [n for _m, n in measures], unit=_("件"))) if measures else empty(
                _("暂无正在进行的协议处理。"))),
        ]),
        html.H2(_("机构一览"), className="h6 mt-3"),
        html.P(_("点击表头排序，在「机构」列筛选名称；点击机构名称查看详情。"), className="small text-muted"),
        dag.AgGrid(
            id="grid", rowModelType="infinite", columnDefs=columns(),
            defaultColDef={"sortable": True, "resizable": True, "filter": False},
            dashGridOptions={"cacheBlockSize": 100, "maxBlocksInCache": 10, "rowBuffer": 0,
                             "infiniteInitialRowCount": 1, "pagination": True,
                             "paginationPageSize": 100, "paginationPageSizeSelector": False,
                             "localeText": grid_words()},
            dangerously_allow_code=True, className="ag-theme-alpine",
            style={"height": "560px"}),
    )


def columns() -> list[dict]:
    sortable = set(dashboards.GRID_SORTS)
    names = (("name", _("机构"), 260), ("kind", _("类型"), 90), ("level", _("等级"), 80),
             ("district", _("区县/街道"), 110), ("score", _("得分"), 80),
             ("grade", _("等次"), 90), ("colour", _("预警"), 80), ("points", _("本年记分"), 90),
             ("agreement_status", _("协议状态"), 100), ("open_items", _("未销号整改"), 100),
             ("overdue_items", _("逾期整改"), 90), ("measure", _("最近处理"), 150))
    defs = [{"field": f, "headerName": h, "width": w, "sortable": f in sortable}
            for f, h, w in names]
    for d in defs:
        if d["field"] in ("name", "colour"):
            d["cellRenderer"] = "markdown"
        if d["field"] == "name":
            d.update(filter="agTextColumnFilter", filterParams={
                "filterOptions": ["contains"], "maxNumConditions": 1, "buttons": ["reset"]})
    return defs


def grid_words() -> dict:
    """AG Grid's own words (paging, filter, loading) in the user's language."""
    return {"page": _("第"), "of": _("共"), "to": _("至"), "more": _("更多"),
            "firstPage": _("首页"), "previousPage": _("上一页"), "nextPage": _("下一页"),
            "lastPage": _("末页"), "loadingOoo": _("加载中…"), "noRowsToShow": _("没有数据"),
            "filterOoo": _("筛选…"), "contains": _("包含"), "resetFilter": _("重置")}


def grid_block(request: dict | None, view_query: dict | None) -> dict:
    """The grid's infinite row model asks for rows startRow..endRow with its sort and
    filter: one block, sorted and counted in SQL."""
    request = request if isinstance(request, dict) else {}
    view = dashboards.View.of(view_query)
    sort = _first(request.get("sortModel"))
    search = _mapping(_mapping(request.get("filterModel")).get("name")).get("filter")
    start, end = _number(request.get("startRow"), 0), _number(request.get("endRow"), 100)
    found = dashboards.grid_page(view, str(sort.get("colId", "score")),
                                 sort.get("sort") != "asc", start, end,
                                 search[:50] if isinstance(search, str) and search else None)
    return {"rowData": [shown(row, view) for row in found["rows"]], "rowCount": found["total"]}


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _first(value) -> dict:
    return _mapping(value[0]) if isinstance(value, list) and value else {}


def _number(value, default: int) -> int:
    return value if isinstance(value, int) and 0 <= value < 10**9 else default


def shown(row: dict, view: dashboards.View) -> dict:
    """A grid row in the user's language; the name links to the drill-down."""
    name = escape(row["name"]).replace("[", "&#91;").replace("]", "&#93;")
    link = href(f"/institution/{row['id']}", view)
    colour = row["colour"]
    measure = row["measure"]
    return {**row,
            "name": f"[{name}]({link})",
            "kind": label("kind", row["kind"]),
            "grade": label("grade", row["grade"]) if row["grade"] else _("未考核"),
            "colour": f'<span class="badge text-bg-{COLOUR_BADGES[colour]}">'
                      f'{escape(label("color", colour))}</span>',
            "agreement_status": label("agreement_status", row["agreement_status"]),
            "measure": (f'{label("measure", measure["measure"])} · '
                        f'{label("measure_status", measure["status"])}') if measure else "—",
            "points": round(row["points"] or 0, 2)}


def sheets(view: dashboards.View) -> list:
    figures = dashboards.overview(view)
    rows = dashboards.grid_page(view, "score", True, 0, dashboards.PAGE_LIMIT)["rows"]
    return [(_("区域总览"), [_("项目"), _("数量")], [
                [_("定点机构"), figures["institutions"]],
                *[[label("color", c), figures["colours"][c]] for c in COLOUR_ORDER],
                [_("未销号的整改事项"), figures["open_items"]],
                [_("已逾期的整改事项"), figures["overdue_items"]]]),
            (_("机构一览"), [_("机构"), _("得分"), _("等次"), _("预警"), _("本年记分"),
                          _("未销号整改"), _("逾期整改")],
             [[r["name"], r["score"], label("grade", r["grade"]), label("color", r["colour"]),
               r["points"], r["open_items"], r["overdue_items"]] for r in rows])]
