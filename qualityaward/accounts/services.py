"""Writes of the accounts app: the audit trail, role grants, registration (organizations and
individuals), e-mail confirmation and invitations into an organization."""
import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from .identifiers import (
    clean_credit_code, clean_id_number, clean_mobile, id_birth_date, id_gender, mask_email,
)
from .models import AuditEvent, IndividualProfile, Invitation, Organization, Role, RoleAssignment, User


def client_ip(request):
    """The address a request came from, as the audit trail, rate limits and django-axes count it.

    REMOTE_ADDR, unless the request arrived from a configured reverse proxy (``TRUSTED_PROXIES``): then
    X-Forwarded-For is read from the right, past every trusted proxy, and the first other address is the
    client. Entries a client wrote itself (to the left of that) are never believed.
    """
    trusted = set(settings.TRUSTED_PROXIES)
    address = request.META.get("REMOTE_ADDR") or None
    if address in trusted:
        hops = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        while hops and address in trusted:
            address = hops.pop()
    return address


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where. ``user`` is None for the system (scheduled jobs)."""

    user: object = None
    ip: str | None = None

    @classmethod
    def from_request(cls, request):
        return cls(user=request.user if request.user.is_authenticated else None, ip=client_ip(request))

    @property
    def label(self):
        return str(self.user) if self.user else "系统"


SYSTEM = Actor()


def record_event(*, actor, action, target=None, from_state="", to_state="", reason="", data=None):
    """Append one audit event. Call it inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label[:80],
        action=action,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        ip=actor.ip,
        data=data or {},
    )


#: Admin pages the secretariat works in (its programs' rules and campaigns; see applications/admin.py).
SECRETARIAT_GROUP = "秘书处"
SECRETARIAT_PERMISSIONS = [
    ("applications", "program", ["view", "change"]),
    ("applications", "ruleprofile", ["view", "change"]),
    ("applications", "campaign", ["view", "add", "change"]),
    ("applications", "awardtier", ["view", "add", "change", "delete"]),
    ("applications", "publicityrule", ["view", "add", "change", "delete"]),
    ("applications", "exclusionitem", ["view", "add", "change", "delete"]),
    ("applications", "departmentopinionrule", ["view", "add", "change", "delete"]),
    ("applications", "requiredopinion", ["view", "add", "change", "delete"]),
]


def secretariat_group():
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    if created:
        codenames = [f"{action}_{model}" for _app, model, actions in SECRETARIAT_PERMISSIONS for action in actions]
        group.permissions.set(Permission.objects.filter(content_type__app_label="applications", codename__in=codenames))
    return group


def grant_role(*, user, role, program=None, region=None, unit_name="", recommending_unit=None):
    """Give ``user`` a role; the secretariat also gets the admin pages of its programs' rules.

    ``recommending_unit``: the recommending authority of one of the program's other units (全国质量标杆 附件3) instead
    of a region; the program is the unit's when not given. A scope the model refuses raises ``ValidationError``."""
    if recommending_unit is not None:
        program = program or recommending_unit.profile.program
        unit_name = unit_name or recommending_unit.name
        RoleAssignment(user=user, role=role, program=program, region=region,
                       recommending_unit=recommending_unit).clean()
    lookup = dict(user=user, role=role, program=program, region=region, recommending_unit=recommending_unit)
    assignment, _ = RoleAssignment.objects.get_or_create(**lookup, defaults={"unit_name": unit_name})
    if role == Role.SECRETARIAT:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(secretariat_group())
    return assignment


# =============================================================================================
# Registration, e-mail confirmation and invitations
# =============================================================================================
logger = logging.getLogger(__name__)

CONFIRM_EMAIL_SALT = "qualityaward.accounts.confirm-email"
CONFIRM_EMAIL_MAX_AGE = timedelta(days=3)
CONFIRM_RESEND_INTERVAL = 60  # seconds between two confirmation e-mails to one account
INVITATION_MAX_AGE = timedelta(days=7)
INVITATIONS_PER_ORGANIZATION_PER_DAY = 30

EVENT_REGISTER_ORGANIZATION = "account:register_organization"
EVENT_REGISTER_INDIVIDUAL = "account:register_individual"
EVENT_REGISTER_KNOWN_ID_NUMBER = "account:register_known_id_number"
EVENT_CONFIRM_EMAIL = "account:confirm_email"
EVENT_PURGE_UNCONFIRMED = "account:purge_unconfirmed"
EVENT_INVITE = "organization:invite"
EVENT_INVITATION_REVOKE = "organization:revoke_invitation"
EVENT_JOIN = "organization:join"


class LinkError(Exception):
    """A confirmation or invitation link that cannot be used, with the Chinese page to show.

    ``reason``: "invalid", "expired", "used", "revoked" or "disabled"; ``can_resend`` says whether the
    page may offer to send a new confirmation e-mail.
    """

    STATUS = {"invalid": 404, "expired": 410, "used": 410, "revoked": 410, "disabled": 403}

    def __init__(self, reason, title, message, *, can_resend=False):
        super().__init__(message)
        self.reason = reason
        self.title = title
        self.message = message
        self.can_resend = can_resend
        self.status = self.STATUS.get(reason, 400)


@dataclass(frozen=True)
class Registration:
    """What the "check your mailbox" page shows. ``user`` is None when the sign-up created nothing
    (its 身份证号 was registered already): the page then looks exactly as for a new account."""

    user: object
    email: str
    username: str
    organization: object = None
    email_sent: bool = True


@dataclass(frozen=True)
class InvitationSent:
    invitation: object
    created: bool
    email_sent: bool


def _site_url(base_url):
    return getattr(settings, "SITE_URL", "") or base_url or "http://localhost:8000/"


def _absolute(base_url, path):
    return urljoin(_site_url(base_url), path)


def _send(subject, body, to):
    """Send one e-mail now; False (and a log line without the body) when the mail server fails."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    except (smtplib.SMTPException, OSError):
        logger.warning("could not send e-mail %r", subject, exc_info=True)
        return False
    return True


DUPLICATE_CREDIT_CODE_MESSAGE = ("该统一社会信用代码已注册，无需重复注册。请联系本单位已注册账号的同事邀请您加入；"
                                 "不知道由谁注册的，请联系秘书处，由秘书处核实后转告该账号的管理人。")
DUPLICATE_EMAIL_MESSAGE = "该邮箱已被其他账号使用，请换一个邮箱；如是您本人的账号，请用“忘记密码”找回。"
DUPLICATE_USERNAME_MESSAGE = "该用户名已被使用，请换一个用户名。"


def _was_confirmed(user):
    return AuditEvent.objects.filter(action=EVENT_CONFIRM_EMAIL, content_type=ContentType.objects.get_for_model(User),
                                     object_id=str(user.pk)).exists()


def _is_stale_unconfirmed(user):
    """Registered, never confirmed, and the confirmation link has expired: the registration is void."""
    return (not user.is_active and user.last_login is None
            and user.date_joined < timezone.now() - CONFIRM_EMAIL_MAX_AGE and not _was_confirmed(user))


def _purge(users, *, organization=None, actor, reason):
    """Delete a void registration (inactive, never-confirmed accounts). False when anything protects it."""
    try:
        with transaction.atomic():
            record_event(actor=actor, action=EVENT_PURGE_UNCONFIRMED, reason=reason,
                         data={"usernames": [u.username for u in users],
                               "organization": organization.name if organization else ""})
            for user in users:
                user.delete()
            if organization is not None:
                organization.delete()
    except ProtectedError:
        return False
    return True


def _purge_stale_organization(organization, *, actor):
    members = list(organization.members.all())
    if not members or not all(_is_stale_unconfirmed(u) for u in members):
        return False
    return _purge(members, organization=organization, actor=actor,
                  reason=f"统一社会信用代码 {organization.credit_code} 的注册未在有效期内确认，已作废")


def _check_username(username):
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": DUPLICATE_USERNAME_MESSAGE})


def _check_email(email):
    if User.email_in_use(email):
        raise ValidationError({"email": DUPLICATE_EMAIL_MESSAGE})


def _new_user(*, username, password, email, full_name, mobile, employer, is_active):
    user = User(username=username, email=User.objects.normalize_email(email), full_name=full_name, mobile=mobile,
                employer=employer, is_active=is_active)
    user.set_password(password)
    user.save()
    return user


# --- e-mail confirmation -------------------------------------------------------------------------
def _email_digest(email):
    return hashlib.sha256((email or "").strip().lower().encode("utf-8")).hexdigest()[:16]


def confirmation_token(user):
    """A signed, timestamped token naming the account and the e-mail address it confirms."""
    return signing.TimestampSigner(salt=CONFIRM_EMAIL_SALT).sign_object({"u": user.pk, "e": _email_digest(user.email)})


def send_confirmation_email(*, user, base_url="", organization=None):
    url = _absolute(base_url, reverse("confirm_email", args=[confirmation_token(user)]))
    unit = f"，申报组织：{organization.name}" if organization is not None else ""
    body = (f"{user.display_name}，您好：\n\n"
            f"您在质量奖申报评审平台注册了账号（用户名：{user.username}{unit}）。"
            f"请在{CONFIRM_EMAIL_MAX_AGE.days}天内打开以下链接确认邮箱、激活账号：\n\n{url}\n\n"
            "激活后即可使用用户名和密码登录。链接过期后，打开它可以重新发送确认邮件。\n"
            "如果这不是您本人的操作，请忽略本邮件，账号不会被激活。\n")
    return _send("请确认您的邮箱，激活质量奖申报评审平台账号", body, user.email)


_INVALID_CONFIRM = ("确认链接无效", "确认链接无效：可能复制不完整。请从邮件中完整复制链接后重新打开；"
                    "如仍无法激活，请重新注册或联系秘书处。")


def _user_for_confirmation(token, *, max_age):
    signer = signing.TimestampSigner(salt=CONFIRM_EMAIL_SALT)
    payload = signer.unsign_object(token, max_age=max_age)  # raises SignatureExpired / BadSignature
    user = User.objects.filter(pk=payload.get("u")).first() if isinstance(payload, dict) else None
    if user is None or _email_digest(user.email) != payload.get("e"):
        raise LinkError("invalid", *_INVALID_CONFIRM)
    return user


def confirm_email(*, token, actor=SYSTEM):
    """Activate the account the token names. Returns (user, activated_now); raises LinkError."""
    try:
        user = _user_for_confirmation(token, max_age=CONFIRM_EMAIL_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkError("expired", "确认链接已过期",
                        f"确认链接已过期（有效期{CONFIRM_EMAIL_MAX_AGE.days}天），账号尚未激活。"
                        "请点击下方按钮重新发送确认邮件，并在收到后尽快打开新链接。", can_resend=True) from None
    except signing.BadSignature:
        raise LinkError("invalid", *_INVALID_CONFIRM) from None
    if user.is_active:
        return user, False
    if _was_confirmed(user):
        raise LinkError("disabled", "账号已停用", "该账号已被停用，不能通过确认链接重新激活。如有疑问，请联系秘书处。")
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
        user.is_active = True
        if updated:
            record_event(actor=Actor(user=user, ip=actor.ip), action=EVENT_CONFIRM_EMAIL, target=user,
                         from_state="inactive", to_state="active", data={"username": user.username})
    return user, bool(updated)


def resend_confirmation(*, token=None, user=None, base_url="", actor=SYSTEM):
    """Send a new confirmation e-mail, for an (expired) confirmation token or for the account just
    registered in this session. At most one per account per minute. Returns the masked address."""
    if user is None:
        try:
            user = _user_for_confirmation(token or "", max_age=None)
        except signing.BadSignature:
            raise LinkError("invalid", *_INVALID_CONFIRM) from None
    if user.is_active:
        raise ValidationError("该账号已激活，无需重新确认，请直接登录。")
    if _was_confirmed(user):
        raise LinkError("disabled", "账号已停用", "该账号已被停用。如有疑问，请联系秘书处。")
    key = _claim_resend(user.pk)
    if not send_confirmation_email(user=user, base_url=base_url, organization=user.organizations.first()):
        cache.delete(key)
        raise ValidationError("确认邮件发送失败，请稍后重试；如多次失败，请联系秘书处。")
    return mask_email(user.email)


def _claim_resend(name):
    key = f"accounts:confirm-resend:{name}"
    if not cache.add(key, 1, CONFIRM_RESEND_INTERVAL):
        raise ValidationError("确认邮件刚刚已发送，请查收（包括垃圾邮件箱）；1分钟后仍未收到可再次发送。")
    return key


def resend_for_known_id_number(*, attempt, email):
    """The "send again" button after a sign-up that created nothing (its 身份证号 was registered):
    it answers as for a new account, at the same pace, and sends nothing."""
    _claim_resend(f"attempt:{attempt}")
    return mask_email(email)


# --- registration ---------------------------------------------------------------------------------
def register_organization(*, name, credit_code, region, contact_name, mobile, email, username, password,
                          base_url="", actor=SYSTEM):
    """Create an inactive account, its organization (the account as member, holding the applicant
    role) and send the confirmation e-mail. A registered 统一社会信用代码 is refused, naming no one: the
    visitor is told to ask a registered colleague or the secretariat; nothing is created then."""
    credit_code = clean_credit_code(credit_code)
    mobile = clean_mobile(mobile)
    name = " ".join(name.split())
    try:
        with transaction.atomic():
            existing = Organization.objects.filter(credit_code=credit_code).first()
            if existing is not None and not _purge_stale_organization(existing, actor=actor):
                raise ValidationError({"credit_code": DUPLICATE_CREDIT_CODE_MESSAGE})
            _check_username(username)
            _check_email(email)
            user = _new_user(username=username, password=password, email=email, full_name=contact_name,
                             mobile=mobile, employer=name, is_active=False)
            organization = Organization.objects.create(
                name=name, credit_code=credit_code, region=region, contact_name=contact_name, contact_mobile=mobile,
                contact_email=user.email)
            organization.members.add(user)
            grant_role(user=user, role=Role.APPLICANT)
            record_event(actor=Actor(user=user, ip=actor.ip), action=EVENT_REGISTER_ORGANIZATION, target=organization,
                         to_state="inactive", data={"username": user.username, "credit_code": credit_code})
    except IntegrityError:  # a concurrent registration won the race
        if Organization.objects.filter(credit_code=credit_code).exists():
            raise ValidationError({"credit_code": DUPLICATE_CREDIT_CODE_MESSAGE}) from None
        raise ValidationError({"username": DUPLICATE_USERNAME_MESSAGE}) from None
    sent = send_confirmation_email(user=user, base_url=base_url, organization=organization)
    return Registration(user=user, email=user.email, username=user.username, organization=organization,
                        email_sent=sent)


def register_individual(*, full_name, id_number, employer, region, mobile, email, username, password,
                        base_url="", actor=SYSTEM):
    """Create an inactive account with its IndividualProfile (birth date and gender read from the
    身份证号), grant the applicant role and send the confirmation e-mail.

    A registered 身份证号 is not confirmed to whoever is typing: the answer is the same as for a new
    account, nothing is created, and the account holding the number is told by e-mail instead."""
    id_number = clean_id_number(id_number)
    mobile = clean_mobile(mobile)
    holder = None
    try:
        with transaction.atomic():
            _check_username(username)
            _check_email(email)
            existing = IndividualProfile.objects.filter(id_number=id_number).select_related("user").first()
            if existing is not None and not (_is_stale_unconfirmed(existing.user) and _purge(
                    [existing.user], actor=actor, reason="个人注册未在有效期内确认，已作废")):
                holder = existing.user
            else:
                user = _new_user(username=username, password=password, email=email, full_name=full_name,
                                 mobile=mobile, employer=employer, is_active=False)
                IndividualProfile.objects.create(user=user, id_number=id_number, birth_date=id_birth_date(id_number),
                                                 gender=id_gender(id_number), employer=employer, region=region)
                grant_role(user=user, role=Role.APPLICANT)
                # the 身份证号 is personal information: it is not copied into the audit trail
                record_event(actor=Actor(user=user, ip=actor.ip), action=EVENT_REGISTER_INDIVIDUAL, target=user,
                             to_state="inactive", data={"username": user.username})
    except IntegrityError:  # a concurrent registration won the race
        existing = IndividualProfile.objects.filter(id_number=id_number).select_related("user").first()
        if existing is None:
            raise ValidationError({"username": DUPLICATE_USERNAME_MESSAGE}) from None
        holder = existing.user
    if holder is not None:  # "sent" whatever became of the notice: its fate would tell the number is known
        _notify_id_number_holder(holder, base_url=base_url, actor=actor)
        return Registration(user=None, email=User.objects.normalize_email(email), username=username)
    sent = send_confirmation_email(user=user, base_url=base_url)
    return Registration(user=user, email=user.email, username=user.username, email_sent=sent)


def _notify_id_number_holder(holder, *, base_url, actor):
    """Tell the account holding a 身份证号 that someone tried to register with it (recorded without the number)."""
    body = (f"{holder.display_name}，您好：\n\n"
            "有人尝试用您的身份证号注册质量奖申报评审平台的个人账号，未创建新账号。\n\n"
            f"如果是您本人，请用“忘记密码”找回账号（您的用户名：{holder.username}）：\n"
            f"{_absolute(base_url, reverse('password_reset'))}\n\n"
            "如果不是您本人的操作，请联系秘书处。\n")
    sent = bool(holder.email) and _send("有人尝试用您的身份证号注册账号", body, holder.email)
    record_event(actor=Actor(ip=actor.ip), action=EVENT_REGISTER_KNOWN_ID_NUMBER, target=holder,
                 reason="有人尝试用已注册的身份证号注册个人账号，已邮件告知该账号", data={"notice_sent": sent})
    return sent


# --- invitations ----------------------------------------------------------------------------------
def invitation_expires_at(invitation):
    return invitation.created_at + INVITATION_MAX_AGE


def invitation_is_pending(invitation, *, now=None):
    now = now or timezone.now()
    return (invitation.accepted_at is None and invitation.revoked_at is None
            and invitation_expires_at(invitation) > now)


def _require_member(user, organization):
    if user is None or not user.is_active or not organization.members.filter(pk=user.pk).exists():
        raise PermissionDenied("只有本组织的成员才能管理邀请。如需加入该组织，请联系其已注册的同事邀请您。")


def send_invitation_email(*, invitation, base_url=""):
    url = _absolute(base_url, reverse("invitation_accept", args=[invitation.token]))
    inviter = invitation.invited_by.display_name if invitation.invited_by else "贵单位的同事"
    body = ("您好：\n\n"
            f"{inviter}邀请您加入质量奖申报评审平台上的申报组织“{invitation.organization.name}”，"
            "与其共同填写本单位的申报材料。\n\n"
            f"请在{INVITATION_MAX_AGE.days}天内打开以下链接：没有账号的，按页面提示注册；已有账号的，登录后接受邀请。\n\n"
            f"{url}\n\n"
            "如果您不认识邀请人，请忽略本邮件。\n")
    return _send(f"邀请您加入“{invitation.organization.name}”的质量奖申报", body, invitation.email)


def invite_colleague(*, actor, organization, email, base_url=""):
    """Invite ``email`` into ``organization`` (the actor must be a member). A pending invitation to the
    same address is sent again instead of creating a second one."""
    _require_member(actor.user, organization)
    email = User.objects.normalize_email((email or "").strip())
    member = organization.members.filter(email__iexact=email).first()
    if member is not None:
        raise ValidationError({"email": f"该邮箱对应的账号（{member.display_name}）已是本组织成员，无需邀请。"})
    now = timezone.now()
    with transaction.atomic():
        pending = (organization.invitations.filter(email__iexact=email, accepted_at__isnull=True,
                                                   revoked_at__isnull=True, created_at__gt=now - INVITATION_MAX_AGE)
                   .select_related("invited_by", "organization").first())
        created = pending is None
        if created:
            recent = organization.invitations.filter(created_at__gt=now - timedelta(days=1)).count()
            if recent >= INVITATIONS_PER_ORGANIZATION_PER_DAY:
                raise ValidationError(f"本组织24小时内已发出{recent}封邀请，达到上限。请明天再试，或联系秘书处。")
            pending = Invitation.objects.create(organization=organization, email=email,
                                                token=secrets.token_urlsafe(32), invited_by=actor.user)
        record_event(actor=actor, action=EVENT_INVITE, target=organization,
                     data={"email": email, "invitation": pending.pk, "resent": not created})
    sent = send_invitation_email(invitation=pending, base_url=base_url)
    return InvitationSent(invitation=pending, created=created, email_sent=sent)


def revoke_invitation(*, actor, invitation):
    _require_member(actor.user, invitation.organization)
    if invitation.accepted_at is not None:
        raise ValidationError("该邀请已被接受，无法撤销。如需移除成员，请联系秘书处。")
    if invitation.revoked_at is not None:
        return invitation
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record_event(actor=actor, action=EVENT_INVITATION_REVOKE, target=invitation.organization,
                     data={"email": invitation.email, "invitation": invitation.pk})
    return invitation


def invitation_for_token(token):
    """The invitation the link names if it can still be accepted; raises LinkError otherwise."""
    invitation = None
    if token and len(token) <= 64:
        invitation = (Invitation.objects.filter(token=token)
                      .select_related("organization", "invited_by", "accepted_by").first())
    if invitation is None:
        raise LinkError("invalid", "邀请链接无效",
                        "邀请链接无效：可能复制不完整。请从邀请邮件中完整复制链接后重新打开，或请邀请人重新发送邀请。")
    inviter = invitation.invited_by.display_name if invitation.invited_by else "邀请人"
    if invitation.revoked_at is not None:
        raise LinkError("revoked", "邀请已撤销",
                        f"该邀请已被撤销。如仍需加入“{invitation.organization.name}”，请联系{inviter}重新邀请。")
    if invitation.accepted_at is not None:
        raise LinkError("used", "邀请已使用",
                        f"该邀请已于{timezone.localtime(invitation.accepted_at):%Y年%m月%d日}被接受，不能再次使用。"
                        "如果是您本人接受的，请直接登录；否则请联系邀请人重新邀请。")
    if invitation_expires_at(invitation) <= timezone.now():
        raise LinkError("expired", "邀请已过期",
                        f"该邀请已过期（有效期{INVITATION_MAX_AGE.days}天）。请联系{inviter}重新发送邀请。")
    return invitation


def accept_invitation(*, token, actor, user=None, username="", password="", full_name="", mobile=""):
    """Join the invitation's organization, as ``user`` (signed in) or as a new account registered
    with the invited e-mail address (active at once: opening the link proved the address).
    Each invitation can be used once. Returns the user; raises LinkError or ValidationError."""
    invitation = invitation_for_token(token)
    organization = invitation.organization
    try:
        with transaction.atomic():
            if user is None:
                _check_username(username)
                if User.email_in_use(invitation.email):
                    raise ValidationError(f"邮箱 {invitation.email} 已有账号：请先用该账号登录，再打开邀请链接接受邀请；"
                                          "忘记密码的，请在登录页点击“忘记密码”找回。")
                user = _new_user(username=username, password=password, email=invitation.email, full_name=full_name,
                                 mobile=clean_mobile(mobile), employer=organization.name, is_active=True)
            elif not user.is_active:
                raise PermissionDenied("该账号已停用，不能接受邀请。如有疑问，请联系秘书处。")
            claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True,
                                                revoked_at__isnull=True).update(accepted_at=timezone.now(),
                                                                                accepted_by=user)
            if not claimed:  # accepted or revoked in the meantime
                raise LinkError("used", "邀请已使用", "该邀请刚刚已被使用或撤销，不能再次使用。请联系邀请人重新邀请。")
            organization.members.add(user)
            grant_role(user=user, role=Role.APPLICANT)
            record_event(actor=Actor(user=user, ip=actor.ip), action=EVENT_JOIN, target=organization,
                         data={"username": user.username, "invitation": invitation.pk})
    except IntegrityError:
        raise ValidationError({"username": DUPLICATE_USERNAME_MESSAGE}) from None
    return user
