"""An application's 办理记录 as each reader sees it.

Every event is shown in Chinese (one label table), runs of the same action by the same person are folded
("保存申报表 7 次"), and a reader on the applicant's side sees what happened and which office did it:
never an expert's or a stranger's name, and none of the offices' internal working steps (panel draws,
pledges, score sheets, read grants, exports). Refused access attempts belong to the audit view of the
secretariat and supervision (the admin's 审计记录), never to this page.
"""
from dataclasses import dataclass

from qualityaward.accounts.models import AuditEvent

from .models import RuleProfile, State
from .rules import relationships_held
from .workflow import TRANSITIONS

# action code -> (label, office that acts, shown to the applicant's side)
ACTIONS = {
    "application:create": ("创建申报", "申报人", True),
    "form:save": ("保存申报表", "申报人", True),
    "form:upload": ("上传附件", "申报人", True),
    "form:remove_upload": ("删除附件", "申报人", True),
    "publicity:internal": ("登记内部公示情况", "申报人", True),
    "prereview:return": ("退回修改（逐部分说明）", "推荐单位", True),
    "prereview:checklist": ("核实申报材料", "推荐单位", False),
    "prereview:solicit": ("征求部门意见", "推荐单位", False),
    "prereview:answer": ("登记部门意见", "推荐单位", False),
    "prereview:publicity": ("登记推荐前公示", "推荐单位", False),
    "prereview:opinion_draft": ("起草初审意见", "推荐单位", False),
    "prereview:sign": ("签署初审意见", "推荐单位", True),
    "prereview:government_opinion": ("上传政府意见", "推荐单位", False),
    "grant:read_application": ("授予单项查阅权限", "推荐单位", False),
    "grant:revoke_read_application": ("收回单项查阅权限", "推荐单位", False),
    "panel:draw": ("抽取评审专家", "秘书处", False),
    "panel:replace": ("替换回避专家", "秘书处", False),
    "pledge:accept": ("专家签署承诺书", "评审专家组", False),
    "pledge:conflict": ("专家申明回避", "评审专家组", False),
    "recusal:secretariat": ("秘书处工作人员声明回避", "秘书处", False),
    "recusal:authority": ("推荐单位工作人员声明回避", "推荐单位", False),
    "scoring:save": ("保存评分", "评审专家组", False),
    "scoring:submit": ("提交评分表", "评审专家组", False),
    "scoring:correct_expert": ("更正专家评分", "评审专家组", False),
    "scoring:correct_panel": ("记录专家组意见", "评审专家组", False),
    "scoring:onsite_visit": ("记录现场评审", "评审专家组", True),
    "scoring:conclude": ("评审阶段定稿", "评审专家组", True),
    "scoring:release_report": ("发布评审反馈报告", "秘书处", True),
    "print:decision": ("印制决定文件", "秘书处", False),
    "award:recovery": ("登记撤销后收回证书、奖牌或奖金", "秘书处", True),
    "award:sanction": ("登记对获奖单位的处理（警告、通报）", "秘书处", True),
    "dossier:campaign": ("批量生成推荐材料", "秘书处", False),
    "dossier:campaign_retry": ("重新生成失败的推荐材料", "秘书处", False),
    "export:background": ("后台导出 Excel", "秘书处", False),
    "eligibility:compute": ("自动核查申报条件", "秘书处", False),
    "eligibility:exclusions": ("核查否决情形", "秘书处", False),
    "eligibility:flag": ("标记须核实的事项", "秘书处", False),
    "notice:settle_item": ("公示期满，登记公示结果", "秘书处", True),
    "review:defense_scheduled": ("安排陈述答辩", "秘书处", True),
    "review:defense_session": ("记录陈述答辩", "评审专家组", True),
    "review:plenary_defense": ("记录评委会全体会议的现场展示和陈述答辩", "评委会", True),
    "decision:committee": ("登记评委会决定", "秘书处", True),
    "decision:government": ("登记政府审定结果", "秘书处", True),
    "dossier:request": ("生成推荐材料", "秘书处", False),
    "dossier:retry": ("重新生成推荐材料", "秘书处", False),
    "certificate:request": ("生成获奖证书", "秘书处", False),
    "award:self_assessment": ("提交年度自评报告", "申报人", True),
    "award:self_assessment_reminder": ("提醒提交年度自评报告", "秘书处", True),
}
OTHER = ("其他办理事项", "秘书处", False)
SYSTEM_LABEL = "系统"
HIDDEN_FROM_PAGE = {"access:denied"}  # the audit view's business only


@dataclass
class Entry:
    at: object
    who: str
    label: str
    state: str = ""
    reason: str = ""
    times: int = 1


def describe(action, outcome=""):
    """(label, office, shown to the applicant's side) for an action code, in the words of a program with
    ``outcome`` (RuleProfile.outcome)."""
    if action.startswith("transition:"):
        transition = TRANSITIONS.get(action.partition(":")[2])
        if transition is not None:
            label = RuleProfile.outcome_word(outcome, transition.name, transition.label)
            return label, transition.who.split("（")[0].split("或")[0], True
    return ACTIONS.get(action, OTHER)


def state_label(code, outcome=""):
    """A state's label, in the words of a program with ``outcome`` (RuleProfile.outcome)."""
    try:
        label = State(code).label
    except ValueError:
        return ""
    return RuleProfile.outcome_word(outcome, code, label)


def history_for(*, application, user):
    """The entries of ``application``'s 办理记录 that ``user`` may read, oldest first, runs folded."""
    applicant_side = set(relationships_held(user, application)) <= {"owner"}
    events = (AuditEvent.objects.filter(content_type__app_label="applications", content_type__model="application",
                                        object_id=str(application.pk))
              .exclude(action__in=HIDDEN_FROM_PAGE).order_by("created_at", "id")
              .values("created_at", "actor_id", "actor_label", "action", "to_state", "reason"))
    outcome = application.campaign.program.profile.outcome
    members = set(application.organization.members.values_list("pk", flat=True)) if application.organization_id \
        else set()
    members.add(application.owner_id)
    entries, last_key = [], None
    for e in events:
        label, office, public = describe(e["action"], outcome)
        if applicant_side and not public:
            continue
        if e["actor_id"] is None:
            who = SYSTEM_LABEL
        elif applicant_side and e["actor_id"] not in members:
            who = office
        else:
            who = e["actor_label"] or office
        key = (e["actor_id"], e["action"], e["to_state"])
        if key == last_key and not e["reason"] and not entries[-1].reason:
            entries[-1].times += 1
            entries[-1].at = e["created_at"]
            continue
        entries.append(Entry(at=e["created_at"], who=who, label=label, state=state_label(e["to_state"], outcome),
                             reason=e["reason"]))
        last_key = key
    return entries
