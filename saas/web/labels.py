"""Chinese names of the API's English enum values, as the pages show them."""

from flask_babel import gettext as _

from saas.domain.findings import CATEGORIES

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
    "finding_category": {c.code: c.label_zh for c in CATEGORIES.values()},
    "unit": {"%": "%", "count": "次", "CNY": "元", "days": "天", "hours": "小时",
             "yes/no": "是/否", "score": "分"},
    "agreement_action": {"sign": "签订", "renew": "续签", "suspend": "中止",
                         "resume": "恢复履行", "rescind": "解除", "expire": "到期终止"},
    "agreement_event": {"agreement.created": "创建协议（草拟）", "agreement.signed": "签订",
                        "agreement.renewed": "续签（生成后续协议）",
                        "agreement.suspended": "中止", "agreement.resumed": "恢复履行",
                        "agreement.rescinded": "解除", "agreement.expired": "到期终止"},
    "change_field": {"name": "机构名称", "legal_representative": "法定代表人", "address": "地址",
                     "departments": "诊疗科目/科室设置", "level": "机构等级"},
    "diff_kind": {"template": "范本设置", "clause": "条款", "indicator": "指标"},
    "diff_change": {"added": "新增", "removed": "删除", "changed": "修改"},
    "measure": {"interview": "约谈", "rectification_order": "限期整改",
                "public_notice": "通报批评", "payment_suspension": "暂停结算",
                "suspension": "中止协议", "rescission": "解除协议", "penalty": "违约金"},
}


def label(group: str, value) -> str:
    if value is None:
        return "—"
    return _(LABELS.get(group, {}).get(value, str(value)))
