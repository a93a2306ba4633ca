"""E-mails sent after a transition has committed. Every message is Chinese and says what to do next."""
from django.conf import settings
from django.core.mail import send_mail

from .models import Application

#: transition -> (subject, body); {name}, {number}, {program}, {state} are filled in.
MESSAGES = {
    "submit": ("申报已提交：{number}", "您的{program}申报（{name}）已提交至{reviewer}，编号 {number}。"
               "回执可在平台“我的申报”中下载。请留意{reviewer}的审核意见。"),
    "resubmit": ("申报已重新提交：{number}", "您修改后的{program}申报（{name}）已重新提交，请等待{reviewer}审核。"),
    "return_for_correction": ("申报被退回修改：{number}", "{reviewer}退回了您的{program}申报（{name}），"
                              "请登录平台查看退回理由，按要求修改后重新提交。"),
    "recommend": ("申报已推荐：{number}", "推荐单位已将您的{program}申报（{name}）推荐至秘书处。"),
    "accept": ("申报已受理：{number}", "秘书处已受理您的{program}申报（{name}）。"),
    "reject": ("申报未予受理：{number}", "秘书处未受理您的{program}申报（{name}），请登录平台查看理由。"),
    "award": ("获奖通知：{number}", "祝贺！您的{program}申报（{name}）当前状态：{state}。"),
    "disqualify": ("申报资格被取消：{number}", "您的{program}申报（{name}）已被取消资格，请登录平台查看理由。"),
    "revoke": ("奖励被撤销：{number}", "您的{program}奖励（{name}）已被撤销，请登录平台查看理由。"),
}


def transition_done(*, application_id, transition_name):
    message = MESSAGES.get(transition_name)
    if message is None:
        return
    app = Application.objects.select_related("owner", "campaign__program__profile").get(pk=application_id)
    if not app.owner.email:
        return
    values = {"name": app.applicant_name, "number": app.number or "（未编号）", "program": app.campaign.program.name,
              "state": app.get_state_display(),
              # who checks a submission first: the recommender, or the secretariat where the document has none
              "reviewer": "推荐单位" if app.campaign.program.profile.has_recommender_step else "秘书处"}
    subject, body = message
    send_mail(subject.format(**values), body.format(**values), settings.DEFAULT_FROM_EMAIL, [app.owner.email],
              fail_silently=True)
