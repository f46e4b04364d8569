"""工作台: the landing page after sign-in. Each figure of saas.services.workbench links to
the list that shows exactly what it counts."""

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l

from saas.domain.lifecycle import DEFAULT_RENEWAL_MONTHS_BEFORE
from saas.services import workbench
from saas.web import web

# key: (label, list endpoint, Bootstrap colour when there is something to do)
FIGURES = {
    "findings_draft": (_l("待确认的检查发现"), "web.findings", "warning"),
    "findings_confirmed": (_l("已确认、待整改的检查发现"), "web.findings", "warning"),
    "institutions_red": (_l("本期有红色预警指标的机构"), "web.institutions", "danger"),
    "institutions_fail": (_l("本期考核不合格的机构"), "web.institutions", "danger"),
    "institutions_self_missing": (_l("本期自查未提交的机构"), "web.institutions", "warning"),
    "agreements_expiring": (_l("进入续签窗口的协议（%(months)s 个月内到期）",
                                months=DEFAULT_RENEWAL_MONTHS_BEFORE), "web.agreements", "info"),
    "red_indicators": (_l("最近一次自查的红色指标"), "web.scorecard", "danger"),
    "self_drafts": (_l("未提交的自查（草稿）"), "web.assessments", "warning"),
    "rectifications_overdue": (_l("已逾期的整改事项"), "web.rectifications", "danger"),
    "rectifications_submitted": (_l("待复核的整改事项"), "web.rectifications", "warning"),
    "rectifications_mine": (_l("我负责的整改事项"), "web.rectifications", "info"),
    "rectifications_mine_overdue": (_l("我负责的已逾期整改事项"), "web.rectifications", "danger"),
    "mock_drafts": (_l("进行中的模拟检查"), "web.assessments", "info"),
}


def _card(figure: dict) -> dict:
    label, endpoint, tone = FIGURES[figure["key"]]
    if "assessment_id" in figure:
        href = url_for(endpoint, assessment_id=figure["assessment_id"])
    else:
        href = url_for(endpoint, **figure["filters"])
    return {**figure, "label": label, "href": href,
            "tone": tone if figure["count"] else "success"}


@web.get("/")
def index():
    found = workbench.figures()
    return render_template("workbench.html", cards=[_card(f) for f in found["items"]],
                           period=found["period"], own=found["self_inspection"])
