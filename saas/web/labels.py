"""Chinese names of the API's English enum values, as the pages show them."""

from flask_babel import gettext as _

ROLE_LABELS = {
    "bureau_admin": "医保局管理员", "bureau_inspector": "医保检查员",
    "institution_admin": "机构医保办", "institution_staff": "科室责任人",
    "mock_inspector": "模拟检查组",
}
LABELS = {
    "kind": {"hospital": "医院", "clinic": "诊所/卫生服务中心", "pharmacy": "零售药店"},
    "agreement_status": {"draft": "草拟", "active": "履行中", "suspended": "已中止",
                         "rescinded": "已解除", "expired": "已到期"},
    "grade": {"excellent": "优秀", "pass": "合格", "basic": "基本合格", "fail": "不合格"},
    "color": {"green": "绿", "yellow": "黄", "red": "红", "no_data": "无数据"},
    "perspective": {"financial": "财务", "patient": "患者", "process": "内部流程",
                    "learning": "学习与成长"},
    "direction": {"lower_better": "越低越好 ≤", "higher_better": "越高越好 ≥",
                  "boolean": "是/否"},
    "frequency": {"monthly": "每月", "quarterly": "每季度", "annual": "每年"},
    "data_source": {"self_report": "机构自报", "claims": "结算数据", "survey": "问卷调查",
                    "inspection": "现场检查"},
    "assessment_kind": {"self": "自查", "mock": "模拟检查", "routine": "日常检查",
                        "special": "专项检查", "flight": "飞行检查", "random": "双随机检查",
                        "annual": "年度考核"},
    "assessment_status": {"draft": "草稿", "submitted": "已提交", "finalized": "已定稿"},
    "severity": {"minor": "轻微", "general": "一般", "serious": "严重", "fraud": "欺诈"},
    "finding_status": {"draft": "待确认", "confirmed": "已确认", "dismissed": "已驳回"},
}


def label(group: str, value) -> str:
    if value is None:
        return "—"
    return _(LABELS.get(group, {}).get(value, str(value)))
