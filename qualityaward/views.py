"""Project-level pages: the per-role dashboard, composed from each app's sections, and error pages."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from applications import dashboard_cache
from applications.dashboard import SECTIONS
from publicity.notices.dashboard import calendar_alerts, publicity_section
from publicity.objections.dashboard import objection_section
from publicity.supervision.dashboard import sections as supervision_sections
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import role_assignments, roles_of
from review.committee import dashboard as committee_dashboard
from review.panels.dashboard import expert_section
from review.panels.rules import DISSOLVED
from review.panels.services import dissolved_seat
from review.insights.views import dashboard_section

DASHBOARD_SECTIONS = {**SECTIONS, Role.EXPERT: expert_section}
DASHBOARD_SECTIONS.update({Role.COMMITTEE: committee_dashboard.committee_section,
                           Role.SECRETARIAT: committee_dashboard.secretariat_section,
                           Role.APPLICANT: committee_dashboard.applicant_section})


def _build(user, roles):
    sections = [DASHBOARD_SECTIONS[role](user) for role in roles if role in DASHBOARD_SECTIONS]
    for role in (Role.SECRETARIAT, Role.AUTHORITY):  # notices they publish, with their countdown
        if role in roles:
            sections.append(publicity_section(user, role))
            break
    sections += [s for s in (objection_section(user), dashboard_section(user)) if s is not None]
    sections += supervision_sections(user)
    # cached as HTML: a hit costs a cache read, not the rendering of every row again
    html = render_to_string("dashboard_sections.html", {"sections": sections, "alerts": calendar_alerts(user, roles)})
    return {"sections_html": mark_safe(html), "has_sections": bool(sections)}


@login_required
def dashboard(request):
    """The sections are built once and then served from the cache until a change they read is made
    (applications.dashboard_cache: a transition, or any change of the data the sections show)."""
    user = request.user
    roles = roles_of(user)
    context = dashboard_cache.cached_dashboard(user, role_assignments(user), [str(r) for r in roles],
                                               lambda: _build(user, roles))
    return render(request, "dashboard.html", {**context, "roles": roles})


def _error(request, status, title, text, link=None):
    return render(request, "error.html", {"status": status, "title": title, "messages_list": [text], "link": link},
                  status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "请求有误", "提交的内容无法处理，请返回上一页检查后重试。")


def permission_denied(request, exception=None):
    text = str(exception) if exception and str(exception) else "您没有权限执行此操作。如需办理，请联系秘书处。"
    return _error(request, 403, "没有权限", text)


#: Pages of one application an expert of its panel opened, by URL name: the keyword naming the application
#: (``pk``) or the panel (``panel_pk``).
_APPLICATION_PAGES = ("applications:detail", "applications:form", "applications:form_docx", "applications:section",
                      "applications:narrative_image", "applications:transition")


def _dissolved_panel_page(request):
    """Whether the page not found is one of an application (or a panel) whose panel ``request.user`` sat on
    and which has dissolved with the campaign's decision (息县 第九条)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    name, kwargs = match.view_name, match.kwargs
    if name in ("review:pledge", "review:declare_conflict") and "panel_pk" in kwargs:
        return dissolved_seat(user=user, panel_id=kwargs["panel_pk"])
    if "pk" in kwargs and (name in _APPLICATION_PAGES or name.startswith("review:scoring_")
                           and name != "review:scoring_report_release"):
        return dissolved_seat(user=user, application_id=kwargs["pk"])
    return False


def page_not_found(request, exception=None):
    if _dissolved_panel_page(request):
        # 息县 第九条 评审组自动解散: still a 404 (the page is closed as to anyone), but the expert learns why
        return _error(request, 404, "评审材料不再开放", f"{DISSOLVED}。评审组已随本批次审定解散，您可在“我的评审任务”中查看其他评审任务。",
                      link={"url": reverse("review:my_panels"), "label": "我的评审任务"})
    return _error(request, 404, "页面不存在", "没有找到该页面或记录，或您无权查看。请从首页重新进入。")


def server_error(request):
    return _error(request, 500, "系统错误", "系统出现异常，已记录。请稍后重试；如仍有问题请联系管理员。")


def csrf_failure(request, reason=""):
    return _error(request, 403, "页面已过期",
                  "页面停留时间过长或浏览器禁用了 Cookie，提交未被接受。请刷新页面后重新提交（已填写的内容请先复制保存）。")
