import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import (
    IndividualRegistrationForm, InvitationForm, InvitationRegistrationForm, LoginForm, OrganizationRegistrationForm,
)
from .models import Invitation, User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


# =============================================================================================
# Registration, e-mail confirmation and invitations (thin: the writes are in services)
# =============================================================================================
def _guest_only(view):
    """Registration pages are for visitors; a signed-in user is sent to the dashboard."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("dashboard")
        return view(request, *args, **kwargs)

    return wrapper


def _base_url(request):
    return request.build_absolute_uri("/")


def _link_error(request, error, *, token=""):
    return render(request, "registration/link_error.html",
                  {"error": error, "token": token if error.can_resend else ""}, status=error.status)


REGISTRATION_SESSION_KEY = "accounts_registration"
#: registrations from one IP address per hour (each sends an e-mail); offices behind one NAT stay well below
REGISTRATIONS_PER_IP_PER_HOUR = 20
REGISTRATION_THROTTLED = "同一网络1小时内的注册次数已达上限，请稍后再试；如需为多人开通账号，可由已注册的同事在“组织成员与邀请”页面邀请。"


def _registration_allowed(request):
    ip = services.Actor.from_request(request).ip or "unknown"
    key = f"accounts:registrations:{ip}"
    cache.add(key, 0, 3600)
    return cache.get(key, 0) < REGISTRATIONS_PER_IP_PER_HOUR


def _count_registration(request):
    ip = services.Actor.from_request(request).ip or "unknown"
    try:
        cache.incr(f"accounts:registrations:{ip}")
    except ValueError:  # expired in between
        cache.add(f"accounts:registrations:{ip}", 1, 3600)


def _registered(request, result):
    _count_registration(request)
    request.session[REGISTRATION_SESSION_KEY] = {
        "user": result.user.pk if result.user else None, "attempt": secrets.token_urlsafe(16),
        "email": result.email, "username": result.username, "email_sent": result.email_sent,
    }
    return redirect("register_done")


@_guest_only
@require_GET
def register(request):
    return render(request, "registration/register.html")


@_guest_only
@require_http_methods(["GET", "POST"])
def register_organization(request):
    form = OrganizationRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not _registration_allowed(request):
            form.add_error(None, REGISTRATION_THROTTLED)
            return render(request, "registration/register_organization.html",
                          {"form": form}, status=429)
        try:
            result = services.register_organization(
                name=data["name"], credit_code=data["credit_code"], region=data["region"],
                contact_name=data["contact_name"], mobile=data["mobile"], email=data["email"],
                username=data["username"], password=data["password1"], base_url=_base_url(request),
                actor=services.Actor.from_request(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _registered(request, result)
    return render(request, "registration/register_organization.html", {"form": form})


@_guest_only
@require_http_methods(["GET", "POST"])
def register_individual(request):
    form = IndividualRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not _registration_allowed(request):
            form.add_error(None, REGISTRATION_THROTTLED)
            return render(request, "registration/register_individual.html",
                          {"form": form}, status=429)
        try:
            result = services.register_individual(
                full_name=data["full_name"], id_number=data["id_number"], employer=data["employer"],
                region=data["region"], mobile=data["mobile"], email=data["email"], username=data["username"],
                password=data["password1"], base_url=_base_url(request), actor=services.Actor.from_request(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _registered(request, result)
    return render(request, "registration/register_individual.html", {"form": form})


@require_http_methods(["GET", "POST"])
def register_done(request):
    """"Check your mailbox", with a button to send the confirmation e-mail again."""
    registration = request.session.get(REGISTRATION_SESSION_KEY)
    if request.method == "POST" and registration:
        user = User.objects.filter(pk=registration["user"]).first() if registration.get("user") else None
        try:
            if user is not None:
                masked = services.resend_confirmation(user=user, base_url=_base_url(request),
                                                      actor=services.Actor.from_request(request))
            else:  # a sign-up that created nothing answers the same way
                masked = services.resend_for_known_id_number(attempt=registration.get("attempt", ""),
                                                             email=registration["email"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except services.LinkError as exc:
            messages.error(request, exc.message)
        else:
            registration["email_sent"] = True
            request.session[REGISTRATION_SESSION_KEY] = registration
            messages.success(request, f"确认邮件已重新发送至 {masked}，请查收。")
        return redirect("register_done")
    return render(request, "registration/register_done.html", {
        "registration": registration, "valid_days": services.CONFIRM_EMAIL_MAX_AGE.days,
        # EMAIL_URL=consolemail:// (the default, e.g. under `make run`): nothing is mailed, the server prints it
        "console_mail": settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"})


@require_http_methods(["GET", "POST"])
def confirm_email(request, token):
    actor = services.Actor.from_request(request)
    if request.method == "POST":  # "send the confirmation e-mail again" from the expired-link page
        try:
            masked = services.resend_confirmation(token=token, base_url=_base_url(request), actor=actor)
        except services.LinkError as exc:
            return _link_error(request, exc, token=token)
        except ValidationError as exc:
            return render(request, "registration/confirm_email.html",
                          {"resend_failed": "；".join(exc.messages)}, status=400)
        return render(request, "registration/confirm_email.html", {"resent_to": masked})
    try:
        user, activated = services.confirm_email(token=token, actor=actor)
    except services.LinkError as exc:
        return _link_error(request, exc, token=token)
    return render(request, "registration/confirm_email.html", {"confirmed_user": user, "activated": activated})


def _invitation_rows(organization):
    now = timezone.now()
    rows = []
    for invitation in organization.invitations.select_related("invited_by", "accepted_by")[:100]:
        if invitation.accepted_at:
            status = "已接受"
        elif invitation.revoked_at:
            status = "已撤销"
        elif not services.invitation_is_pending(invitation, now=now):
            status = "已过期"
        else:
            status = "待接受"
        rows.append({"invitation": invitation, "status": status, "pending": status == "待接受",
                     "expires_at": services.invitation_expires_at(invitation)})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def organization_invite(request):
    """Members of an organization, its invitations, and the form to invite a colleague."""
    organizations = list(request.user.organizations.select_related("region").order_by("name"))
    if not organizations:
        return render(request, "registration/organization_invite.html", {"organizations": []})
    wanted = request.POST.get("organization") or request.GET.get("org")
    organization = organizations[0]
    if wanted:
        organization = next((o for o in organizations if str(o.pk) == str(wanted)), None)
        if organization is None:
            raise Http404("没有找到该组织，或您不是该组织的成员。")
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.invite_colleague(actor=services.Actor.from_request(request), organization=organization,
                                             email=form.cleaned_data["email"], base_url=_base_url(request))
        except ValidationError as exc:
            form.add_error("email" if not hasattr(exc, "error_dict") else None, exc)
        else:
            email = sent.invitation.email
            if not sent.email_sent:
                messages.warning(request, f"邀请已创建，但发往 {email} 的邮件未能发出。请复制下方列表中的邀请链接，"
                                          "通过其他方式发给同事。")
            elif sent.created:
                messages.success(request, f"已向 {email} 发送邀请，有效期{services.INVITATION_MAX_AGE.days}天。")
            else:
                messages.success(request, f"{email} 已有一份未接受的邀请，已重新发送邀请邮件。")
            return redirect(f"{reverse('organization_invite')}?org={organization.pk}")
    members = organization.members.order_by("full_name", "username")
    return render(request, "registration/organization_invite.html", {
        "organizations": organizations, "organization": organization, "form": form, "members": members,
        "invitations": _invitation_rows(organization), "valid_days": services.INVITATION_MAX_AGE.days,
    })


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.select_related("organization"), pk=pk,
                                   organization__members=request.user)
    try:
        services.revoke_invitation(actor=services.Actor.from_request(request), invitation=invitation)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已撤销对 {invitation.email} 的邀请，原邀请链接已失效。")
    return redirect(f"{reverse('organization_invite')}?org={invitation.organization_id}")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Open an invitation: a signed-in user accepts it with one click; a visitor registers here."""
    try:
        invitation = services.invitation_for_token(token)
    except services.LinkError as exc:
        return _link_error(request, exc)
    organization = invitation.organization
    actor = services.Actor.from_request(request)
    context = {"invitation": invitation, "organization": organization,
               "expires_at": services.invitation_expires_at(invitation)}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.accept_invitation(token=token, actor=actor, user=request.user)
            except services.LinkError as exc:
                return _link_error(request, exc)
            messages.success(request, f"您已加入“{organization.name}”，可以与同事共同填写本单位的申报材料。")
            return redirect("dashboard")
        context["already_member"] = organization.members.filter(pk=request.user.pk).exists()
        context["email_differs"] = (request.user.email or "").lower() != invitation.email.lower()
        return render(request, "registration/invitation_accept.html", context)

    form = InvitationRegistrationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.accept_invitation(token=token, actor=actor, username=data["username"],
                                              password=data["password1"], full_name=data["full_name"],
                                              mobile=data["mobile"])
        except services.LinkError as exc:
            return _link_error(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"注册成功，您已加入“{organization.name}”。")
            return redirect("dashboard")
    context["form"] = form
    return render(request, "registration/invitation_accept.html", context)
