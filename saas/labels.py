"""Chinese names of the API's English enum values, as the pages and the dashboards show them
(a neutral module: the dashboards may not reach the views, tests/test_dash_imports.py)."""

from flask import g
from flask_babel import gettext as _

from saas.domain.messages import Name
from saas.i18n import text


def N_(text: str) -> str:
    """Marks a label for extraction; label() translates it when shown."""
    return text


ROLE_LABELS = {
    "bureau_admin": N_("医保局管理员"), "bureau_inspector": N_("医保检查员"),
    "institution_admin": N_("机构医保办"), "institution_staff": N_("科室责任人"),
    "mock_inspector": N_("模拟检查组"),
}
LABELS = {
    "kind": {"hospital": N_("医院"), "clinic": N_("诊所/卫生服务中心"), "pharmacy": N_("零售药店")},
    "agreement_status": {"draft": N_("草拟"), "active": N_("履行中"), "suspended": N_("已中止"),
                         "rescinded": N_("已解除"), "expired": N_("已到期"),
                         "terminated": N_("已终止")},
    "attention": {"red": N_("有红色预警指标"), "fail": N_("考核不合格"),
                  "self_missing": N_("自查未提交")},
    "grade": {"excellent": N_("优秀"), "pass": N_("合格"), "basic": N_("基本合格"), "fail": N_("不合格")},
    "color": {"green": N_("绿"), "yellow": N_("黄"), "red": N_("红"), "no_data": N_("无数据")},
    "perspective": {"financial": N_("财务"), "patient": N_("患者"), "process": N_("内部流程"),
                    "learning": N_("学习与成长")},
    "direction": {"lower_better": N_("越低越好 ≤"), "higher_better": N_("越高越好 ≥"),
                  "boolean": N_("是/否")},
    "frequency": {"monthly": N_("每月"), "quarterly": N_("每季度"), "annual": N_("每年")},
    "data_source": {"self_report": N_("机构自报"), "claims": N_("结算数据"), "survey": N_("问卷调查"),
                    "inspection": N_("现场检查")},
    "assessment_kind": {"self": N_("自查"), "mock": N_("模拟检查"), "routine": N_("日常检查"),
                        "special": N_("专项检查"), "flight": N_("飞行检查"), "random": N_("双随机检查"),
                        "annual": N_("年度考核")},
    "assessment_status": {"draft": N_("草稿"), "submitted": N_("已提交"), "finalized": N_("已定稿")},
    "severity": {"minor": N_("轻微"), "general": N_("一般"), "serious": N_("严重"), "fraud": N_("欺诈")},
    "finding_status": {"draft": N_("待确认"), "confirmed": N_("已确认"), "dismissed": N_("已驳回")},
    # The same names as saas.domain.findings.CATEGORIES, spelled here for extraction.
    "finding_category": {"split_admission": N_("分解住院"), "bed_hanging": N_("挂床住院"),
                         "duplicate_charge": N_("重复收费"), "over_standard_charge": N_("超标准收费"),
                         "item_swap": N_("串换项目"), "excess_prescription": N_("超量开药"),
                         "uninformed_self_pay": N_("目录外未告知"), "impersonation": N_("冒名就医"),
                         "fictitious_service": N_("虚构服务"), "other": N_("其他")},
    "unit": {"%": "%", "count": N_("次"), "CNY": N_("元"), "days": N_("天"), "hours": N_("小时"),
             "yes/no": N_("是/否"), "score": N_("分")},
    "agreement_action": {"sign": N_("签订"), "renew": N_("续签"), "suspend": N_("中止"),
                         "resume": N_("恢复履行"), "rescind": N_("解除"), "expire": N_("到期终止")},
    "agreement_event": {"agreement.created": N_("创建协议（草拟）"), "agreement.signed": N_("签订"),
                        "agreement.renewed": N_("续签（生成后续协议）"),
                        "agreement.suspended": N_("中止"), "agreement.resumed": N_("恢复履行"),
                        "agreement.rescinded": N_("解除"), "agreement.expired": N_("到期终止")},
    "change_field": {"name": N_("机构名称"), "legal_representative": N_("法定代表人"), "address": N_("地址"),
                     "departments": N_("诊疗科目/科室设置"), "level": N_("机构等级")},
    "diff_kind": {"template": N_("范本设置"), "clause": N_("条款"), "indicator": N_("指标")},
    "diff_change": {"added": N_("新增"), "removed": N_("删除"), "changed": N_("修改")},
    "measure": {"warning": N_("提醒"), "interview": N_("约谈"),
                "rectification_order": N_("限期整改"), "public_notice": N_("通报批评"),
                "payment_suspension": N_("暂停结算"), "payment_refusal": N_("不予支付"),
                "clawback": N_("追回医保基金"), "deposit_deduction": N_("扣除质量保证金"),
                "contractual_penalty": N_("违约金"), "suspension": N_("中止协议"),
                "rescission": N_("解除协议")},
    "measure_status": {"proposed": N_("拟处理"), "notified": N_("已告知"),
                       "appealed": N_("申诉中"), "decided": N_("已决定"),
                       "effective": N_("执行中"), "lifted": N_("已提前解除"),
                       "ended": N_("已期满"), "revoked": N_("已撤销")},
    "measure_action": {"propose": N_("提出"), "notify": N_("告知"), "appeal": N_("申诉"),
                       "decide": N_("决定"), "take_effect": N_("生效"),
                       "lift": N_("提前解除"), "end": N_("期满"), "revoke": N_("撤销")},
    "decision": {"uphold": N_("维持"), "overturn": N_("撤销处理")},
    "rescission_ground": {
        "repeat_suspension": N_("同一协议期内第二次中止协议"),
        "rectification_incomplete": N_("中止期间未完成整改"),
        "fraud": N_("经查实存在欺诈骗保行为"), "consecutive_fail": N_("连续两个年度考核不合格"),
        "designation_by_fraud": N_("以弄虚作假等不正当手段申请取得定点资格"),
        "non_designated_settlement": N_("为非定点医药机构提供医保费用结算"),
        "obstructing_inspection": N_("拒绝、阻挠或不配合医保部门开展监督检查"),
        "unreported_closure": N_("停业、歇业或变更地址未按规定报告"),
        "licence_revoked": N_("执业许可证或营业执照被吊销、注销"),
        "major_change_unreported": N_("重大信息变更未按规定申报"),
        "representative_bad_faith": N_("法定代表人、主要负责人或实际控制人存在严重失信行为"),
        "penalty_not_carried_out": N_("未依法履行医疗保障行政处罚决定"),
        "own_request": N_("医药机构主动申请解除协议")},
    "request_kind": {"suspension": N_("申请中止协议"), "rescission": N_("申请解除协议"),
                     "non_renewal": N_("申请不再续签")},
    "request_status": {"pending": N_("待审核"), "accepted": N_("已同意"), "refused": N_("未同意")},
    "ownership": {"public": N_("公立"), "private": N_("非公立")},
    "points_reason": {"finding_confirmed": N_("问题确认"), "finding_dismissed": N_("复核驳回"),
                      "measure_revoked": N_("处理撤销"),
                      "rectification_reopened": N_("整改不力或虚假整改")},
    # the same names as saas.domain.rectification's, spelled here for extraction
    "rectification_status": {"open": N_("待整改"), "in_progress": N_("整改中"),
                             "submitted": N_("待复核"), "closed": N_("已销号")},
    "rectification_action": {"open": N_("立项"), "start": N_("开始整改"), "submit": N_("提交复核"),
                             "verify": N_("复核销号"), "return": N_("退回"),
                             "reopen": N_("重新整改"), "assign": N_("指派"),
                             "extend": N_("调整时限")},
    "rectification_source": {"finding": N_("检查发现"), "mock_inspection": N_("模拟检查"),
                             "self_inspection": N_("自查自纠"), "internal_audit": N_("内部审计")},
}


def label(group: str, value) -> str:
    """The label of an enum value in the request's language, translated once per request
    (a list shows the same few values in every row)."""
    if value is None:
        return "—"
    shown = g.setdefault("labels_shown", {})
    key = (group, value)
    if key not in shown:
        shown[key] = _(LABELS.get(group, {}).get(value, str(value)))
    return shown[key]


def name_of(item) -> str:
    """An indicator's or template's name: its English name (name_en) on English pages when
    it has one, else the Chinese name it was written with."""
    get = item.get if isinstance(item, dict) else lambda key: getattr(item, key, None)
    return text(Name(get("name"), get("name_en")))
