"""Words the published documents use: titles and column headers, in Chinese and English.

Data stays as the register writes it; only these labels change with `--lang en`.
"""

from __future__ import annotations

from collections.abc import Callable

LABELS: dict[str, tuple[str, str]] = {
    # documents
    "doc.power-catalogue": ("职权目录", "Power catalogue"),
    "doc.flow-catalogue": ("业务流程目录", "Catalogue of business flows"),
    "doc.flows": ("权力运行流程图", "Flows of power"),
    "doc.risk-list": ("风险点及防控措施公示表", "Risk points and controls (disclosure list)"),
    "doc.ledger": ("廉政风险防控台帐", "Integrity-risk ledger"),
    "doc.statistics": ("统计", "Statistics"),
    "doc.rules": ("制度目录", "Rule catalogue"),
    "doc.commitments": ("廉政风险防范承诺书", "Commitment letters"),
    "doc.withheld": ("不公开事项及理由", "Items withheld from the public, with reasons"),
    "doc.form-000-1": ("部门廉能风险识别防控表", "Department integrity-risk identification form"),
    "doc.form-000-2": ("个人廉能风险识别防控表", "Personal integrity-risk identification form"),
    "doc.form-004-1": ("部门权力登记表", "Department power register"),
    "doc.form-004-2": ("部门职务犯罪风险点自查登记表", "Department self-check of risk points"),
    "doc.form-004-3": ("个人职务犯罪风险点自查登记表", "Personal self-check of risk points"),
    "doc.form-004-4": ("部门风险防控措施登记表", "Department control register"),
    "doc.form-003": ("廉政风险自查表", "Integrity-risk self-check form"),
    "doc.index": ("文件目录", "Documents"),
    "doc.controls-filing": ("报送备案的防控措施", "Controls filed with the party group"),
    "doc.warnings": ("预警处置台账", "Warnings and actions"),
    # columns
    "col.no": ("序号", "No."),
    "col.tags": ("标记", "Tags"),
    "col.consequence": ("可能后果", "Consequence"),
    "col.business_class": ("业务类别", "Business class"),
    "col.criteria": ("评级标准", "Criteria met"),
    "col.id": ("编号", "Id"),
    "col.target": ("预警对象", "Target"),
    "col.signal": ("线索类型", "Signal"),
    "col.warning_level": ("预警等级", "Level"),
    "col.action": ("处置方式", "Action"),
    "col.issued_on": ("发出日期", "Issued"),
    "col.deadline": ("整改期限", "Deadline"),
    "col.closed_on": ("关闭日期", "Closed"),
    "col.outcome": ("处置结果", "Outcome"),
    "col.warning_status": ("状态", "Status"),
    "col.code": ("职权编码", "Code"),
    "col.power": ("职权名称", "Power item"),
    "col.power_category": ("职权类别", "Category"),
    "col.basis": ("行使依据", "Legal basis"),
    "col.department": ("责任部门", "Department"),
    "col.unit_department": ("单位(科室)", "Unit (department)"),
    "col.posts": ("责任岗位", "Posts"),
    "col.exposed_posts": ("涉及岗位", "Posts exposed"),
    "col.commitment": ("服务承诺", "Service commitment"),
    "col.discipline": ("工作纪律", "Work discipline"),
    "col.time_limit": ("办理时限", "Time limit"),
    "col.fee_basis": ("收费依据", "Fee basis"),
    "col.complaint": ("监督投诉方式", "Complaints"),
    "col.flow": ("流程名称", "Flow"),
    "col.steps": ("办理环节", "Steps"),
    "col.step": ("环节", "Step"),
    "col.handler": ("承办岗位", "Handled by"),
    "col.conditions": ("办理条件", "Conditions"),
    "col.supervision": ("监督制约", "Supervision"),
    "col.rights": ("相对人权利", "Counter-party's rights"),
    "col.step_risks": ("风险点(等级)", "Risk points (level)"),
    "col.category": ("风险类别", "Category"),
    "col.nature": ("风险性质", "Nature"),
    "col.risk": ("风险点", "Risk point"),
    "col.manifestation": ("主要内容及表现形式", "How it shows"),
    "col.causes": ("产生原因", "Causes"),
    "col.level": ("风险等级", "Level"),
    "col.controls": ("防控措施", "Controls"),
    "col.leader": ("责任领导", "Responsible leader"),
    "col.department_head": ("部门责任人", "Department head"),
    "col.people": ("直接责任人", "Persons directly responsible"),
    "col.found_by": ("查找方式", "Found by"),
    "col.important_step": ("重要环节", "Key step"),
    "col.control_type": ("措施类型", "Type"),
    "col.timing": ("防控时段", "Timing"),
    "col.owner": ("责任岗位", "Owner"),
    "col.due": ("完成期限", "Due"),
    "col.status": ("落实状态", "Status"),
    "col.rule": ("制度名称", "Rule"),
    "col.number": ("文号", "Number"),
    "col.issued": ("印发日期", "Issued"),
    "col.rule_status": ("状态", "Status"),
    "col.reason": ("理由", "Reason"),
    "col.count": ("数量", "Count"),
    "col.share": ("占比", "Share"),
    "col.item": ("项目", "Item"),
    "col.value": ("情况", "Value"),
    "col.post": ("岗位", "Post"),
    "col.duties": ("岗位职责", "Duties"),
    "col.scope": ("风险层面", "Scope"),
    "col.supervisor": ("监督责任岗位", "Supervised by"),
    # words
    "word.unit": ("单位", "Unit"),
    "word.department": ("部门", "Department"),
    "word.post": ("岗位", "Post"),
    "word.period": ("周期", "Period"),
    "word.filled": ("填报单位", "Filed by"),
    "word.none": ("无", "none"),
    "word.withheld": ("〔内部事项〕", "[internal]"),
    "word.yes": ("是", "yes"),
    "word.no": ("否", "no"),
    "word.power_public": ("是否公开", "Public"),
    "word.by_level": ("按风险等级", "By level"),
    "word.by_category": ("按风险类别", "By category"),
    "word.by_department": ("按部门", "By department"),
    "word.by_nature": ("按风险性质", "By nature"),
    "word.by_business_class": ("按业务类别", "By business class"),
    "word.heat_map": ("发生机率 × 危害程度", "Likelihood × impact"),
    "word.likelihood": ("发生机率", "likelihood"),
    "word.impact": ("危害程度", "impact"),
    "word.coverage": ("覆盖情况", "Coverage"),
    "word.powers_assessed": ("已评估的职权事项", "Power items assessed"),
    "word.risks_controlled": ("有防控措施的风险点", "Risk points with controls"),
    "word.controls_done": ("已落实的防控措施", "Controls in place"),
    "word.total_risks": ("风险点总数", "Risk points"),
    "word.unassigned": ("(未指定部门)", "(no department)"),
    "word.audience.public": ("向社会公开", "public"),
    "word.audience.filing": ("报上级备案", "for filing"),
    "word.audience.internal": ("本单位内部", "internal"),
    "word.audience.aggregate": ("下级单位备案汇总", "combined filings of subordinate units"),
    "word.supervising_body": ("上级纪检监察机构", "supervising body"),
    "word.generated": ("由 lianneng 根据登记册生成", "Generated by lianneng from the register"),
    "word.rule_text": ("制度正文", "Text"),
    "word.answers": ("防控风险点", "Answers risk points"),
    "word.signed": ("签订日期", "Signed"),
    "word.no_flow_risks": ("本流程未标注风险点", "No risk points marked on this flow"),
    "word.legend": ("图例", "Legend"),
}


def words_for(lang: str) -> Callable[[str, str], str]:
    """Picks the word of a (Chinese, English) pair that documents in `lang` use."""
    return _english if lang == "en" else _chinese


def _chinese(zh: str, en: str) -> str:
    return zh


def _english(zh: str, en: str) -> str:
    return en


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh
