"""Registration of organizations and individuals, e-mail confirmation, and invitations."""
import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qualityaward.accounts import services
from qualityaward.accounts.identifiers import credit_code_check_char, id_number_check_char
from qualityaward.accounts.models import AuditEvent, IndividualProfile, Invitation, Organization, Role, User

CREDIT_CODE = "91110000600037341L"
PASSWORD = "Zhiliang-2024!ok"


def org_data(place, **overrides):
    data = {
        "name": "郑州市精工机械有限公司", "credit_code": CREDIT_CODE.lower()[:9] + " " + CREDIT_CODE.lower()[9:],
        "region": str(place.pk), "contact_name": "张伟", "mobile": "138 1234 1234", "email": "zhangwei@example.cn",
        "username": "jinggong", "password1": PASSWORD, "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def person_data(place, **overrides):
    first17 = "41010519850615002"
    data = {
        "full_name": "李娜", "id_number": first17 + id_number_check_char(first17), "employer": "郑州市第一人民医院",
        "region": str(place.pk), "mobile": "13900001111", "email": "lina@example.cn", "username": "lina",
        "password1": PASSWORD, "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def people():
    """Accounts made by the tests (django-guardian keeps its own AnonymousUser row)."""
    return User.objects.exclude(username="AnonymousUser")


def can_log_in(client, username, password=PASSWORD):
    """Through the login form (django-axes needs the request, so ``client.login`` is not used)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == "/"


def errors_of(response):
    return response.context["form"].errors


# --- organization ---------------------------------------------------------------------------------
def test_organization_happy_path(client, zhengzhou, link_in_mail):
    response = client.post(reverse("register_organization"), org_data(zhengzhou))
    assert response.status_code == 302 and response["Location"] == reverse("register_done")

    org = Organization.objects.get()
    user = User.objects.get(username="jinggong")
    assert org.credit_code == CREDIT_CODE  # normalised: upper case, no spaces
    assert org.name == "郑州市精工机械有限公司" and org.region == zhengzhou
    assert (org.contact_name, org.contact_mobile, org.contact_email) == ("张伟", "13812341234", "zhangwei@example.cn")
    assert list(org.members.all()) == [user]
    assert not user.is_active and user.full_name == "张伟" and user.mobile == "13812341234"
    assert user.role_assignments.filter(role=Role.APPLICANT).exists()
    assert AuditEvent.objects.filter(action="account:register_organization", object_id=str(org.pk)).exists()

    done = client.get(response["Location"]).content.decode()
    assert "zhangwei@example.cn" in done and "3天内" in done

    # not active yet: the password does not open the portal
    assert not can_log_in(client, "jinggong")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangwei@example.cn"] and "确认" in message.subject
    link = link_in_mail(message)
    assert link.startswith("/accounts/register/confirm/")

    page = client.get(link)
    assert page.status_code == 200 and "账号（用户名：jinggong）已激活" in page.content.decode()
    user.refresh_from_db()
    assert user.is_active
    event = AuditEvent.objects.get(action="account:confirm_email")
    assert event.actor == user and event.object_id == str(user.pk) and event.to_state == "active"

    # the login form now works with the password chosen at registration
    assert can_log_in(client, "jinggong")
    assert client.get("/").status_code == 200

    # opening the link again is harmless and says so
    client.logout()
    again = client.get(link).content.decode()
    assert "此前已经激活" in again
    assert AuditEvent.objects.filter(action="account:confirm_email").count() == 1


def test_duplicate_credit_code_is_refused_without_naming_anyone_and_nothing_is_created(client, zhengzhou):
    first = client.post(reverse("register_organization"), org_data(zhengzhou))
    assert first.status_code == 302
    counts = (User.objects.count(), Organization.objects.count(), AuditEvent.objects.count())
    mail.outbox.clear()

    response = client.post(reverse("register_organization"), org_data(
        zhengzhou, credit_code=CREDIT_CODE, name="另一个名字有限公司", username="someone-else",
        email="other@example.cn", contact_name="王五", mobile="13700002222"))
    assert response.status_code == 200
    message = " ".join(errors_of(response)["credit_code"])
    assert message == ("该统一社会信用代码已注册，无需重复注册。请联系本单位已注册账号的同事邀请您加入；"
                       "不知道由谁注册的，请联系秘书处，由秘书处核实后转告该账号的管理人。")
    body = response.content.decode()
    assert "张*" not in body and "****" not in body and "1234" not in body and "张伟" not in body
    assert "zhangwei" not in body
    assert (User.objects.count(), Organization.objects.count(), AuditEvent.objects.count()) == counts
    assert mail.outbox == []


def test_an_unconfirmed_registration_no_longer_blocks_the_code_once_its_link_has_expired(client, zhengzhou):
    client.post(reverse("register_organization"), org_data(zhengzhou))
    User.objects.filter(username="jinggong").update(date_joined=timezone.now() - timedelta(days=4))
    response = client.post(reverse("register_organization"), org_data(zhengzhou, username="jinggong2"))
    assert response.status_code == 302
    assert list(Organization.objects.values_list("members__username", flat=True)) == ["jinggong2"]
    assert not User.objects.filter(username="jinggong").exists()
    assert AuditEvent.objects.filter(action="account:purge_unconfirmed").exists()


@pytest.mark.parametrize("field,value,fragment", [
    ("credit_code", "91110000600037341M", "统一社会信用代码校验位不正确"),
    ("credit_code", "9111000060003734", "统一社会信用代码应为18位"),
    ("credit_code", "9111000060003734OL", "统一社会信用代码第17位“O”无效"),
    ("mobile", "12812341234", "手机号格式不正确"),
    ("mobile", "138123", "手机号应为11位"),
    ("email", "not-an-email", "邮箱格式不正确"),
    ("region", "999999999", "请从列表中选择所在地区"),
    ("name", "", "请填写组织全称"),
    ("password2", "something-else-1", "两次输入的密码不一致"),
    ("password1", "12345678", "密码不能全是数字"),
    ("password1", "Ab-1", "密码太短，至少需要8位"),
    ("password1", "jinggong1", "密码与用户名太相似"),
])
def test_bad_organization_input_names_the_field(client, zhengzhou, field, value, fragment):
    data = org_data(zhengzhou, **{field: value})
    if field == "password1":
        data["password2"] = value
    response = client.post(reverse("register_organization"), data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors, errors
    assert fragment in " ".join(errors[field])
    assert not Organization.objects.exists() and not people().exists()


def test_province_is_not_a_choice(client, regions):
    province = regions.get(code="410000")
    response = client.post(reverse("register_organization"), org_data(province))
    assert "region" in errors_of(response)


def test_username_taken_in_another_case(client, zhengzhou):
    User.objects.create_user(username="JingGong", password="x-123456789")
    response = client.post(reverse("register_organization"), org_data(zhengzhou))
    assert "该用户名已被使用" in " ".join(errors_of(response)["username"])


def test_county_regions_are_offered_with_their_city(client, regions):
    body = client.get(reverse("register_organization")).content.decode()
    assert "郑州市 · 金水区" in body and "信阳市 · 息县" in body and "河南省" not in body.split("所在地区")[1][:2000]


def test_html_in_text_fields_is_escaped(client, zhengzhou, link_in_mail):
    evil = '<script>alert("x")</script>有限公司'
    response = client.post(reverse("register_organization"), org_data(zhengzhou, name=evil, mobile="bad"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in body and "&lt;script&gt;" in body

    client.post(reverse("register_organization"), org_data(zhengzhou, name=evil, contact_name="<b>张</b>"))
    client.get(link_in_mail(mail.outbox[-1]))
    assert can_log_in(client, "jinggong")
    page = client.get(reverse("organization_invite")).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page and "<b>张</b>" not in page


def test_signed_in_users_are_sent_to_the_dashboard(client, zhengzhou):
    user = User.objects.create_user(username="already", password="x-123456789")
    client.force_login(user)
    for name in ("register", "register_organization", "register_individual"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == "/"


# --- confirmation links ------------------------------------------------------------------------
@pytest.fixture
def pending_user(client, zhengzhou):
    client.post(reverse("register_organization"), org_data(zhengzhou))
    mail.outbox.clear()
    return User.objects.get(username="jinggong")


def _old_token(user, monkeypatch, *, days):
    """A confirmation token signed ``days`` ago."""
    signed_at = int(time.time()) - days * 86400
    with monkeypatch.context() as m:
        m.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(signed_at))
        return services.confirmation_token(user)


def test_link_still_valid_just_under_three_days(client, pending_user, monkeypatch):
    token = _old_token(pending_user, monkeypatch, days=2)
    assert client.get(reverse("confirm_email", args=[token])).status_code == 200
    pending_user.refresh_from_db()
    assert pending_user.is_active


def test_expired_confirmation_link_offers_a_new_one(client, pending_user, monkeypatch, link_in_mail):
    token = _old_token(pending_user, monkeypatch, days=4)
    url = reverse("confirm_email", args=[token])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 410 and "确认链接已过期（有效期3天）" in body and "重新发送确认邮件" in body
    pending_user.refresh_from_db()
    assert not pending_user.is_active

    resent = client.post(url)
    assert resent.status_code == 200 and "zh***@example.cn" in resent.content.decode()
    assert len(mail.outbox) == 1
    # a second request within a minute is refused politely
    again = client.post(url)
    assert again.status_code == 400 and "1分钟后" in again.content.decode()
    assert len(mail.outbox) == 1

    assert client.get(link_in_mail(mail.outbox[0])).status_code == 200
    pending_user.refresh_from_db()
    assert pending_user.is_active


@pytest.mark.parametrize("token", ["garbage", "eyJ1IjoxfQ:1abc:forged", "a" * 300])
def test_invalid_confirmation_links(client, pending_user, token):
    page = client.get(reverse("confirm_email", args=[token]))
    assert page.status_code == 404 and "确认链接无效" in page.content.decode()
    assert client.post(reverse("confirm_email", args=[token])).status_code == 404
    pending_user.refresh_from_db()
    assert not pending_user.is_active


def test_link_dies_when_the_email_address_changes(client, pending_user):
    token = services.confirmation_token(pending_user)
    User.objects.filter(pk=pending_user.pk).update(email="changed@example.cn")
    assert client.get(reverse("confirm_email", args=[token])).status_code == 404


def test_a_confirmed_then_disabled_account_cannot_be_reactivated_by_the_link(client, pending_user):
    token = services.confirmation_token(pending_user)
    client.get(reverse("confirm_email", args=[token]))
    User.objects.filter(pk=pending_user.pk).update(is_active=False)  # the secretariat disables it
    page = client.get(reverse("confirm_email", args=[token]))
    assert page.status_code == 403 and "已被停用" in page.content.decode()
    pending_user.refresh_from_db()
    assert not pending_user.is_active


def test_resend_from_the_done_page(client, pending_user):
    response = client.post(reverse("register_done"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhangwei@example.cn"]
    assert "确认邮件已重新发送" in client.get(reverse("register_done")).content.decode()


def test_mail_server_failure_is_reported_not_a_500(client, zhengzhou, monkeypatch):
    import smtplib

    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(services, "send_mail", broken)
    response = client.post(reverse("register_organization"), org_data(zhengzhou), follow=True)
    assert response.status_code == 200 and "确认邮件未能发出" in response.content.decode()


# --- individual -----------------------------------------------------------------------------------
def test_individual_happy_path(client, zhengzhou, link_in_mail):
    number = person_data(zhengzhou)["id_number"]
    data = person_data(zhengzhou, id_number=f" {number[:6]} {number[6:14]} {number[14:]} ")  # spaces as on the card
    response = client.post(reverse("register_individual"), data)
    assert response.status_code == 302
    user = User.objects.get(username="lina")
    profile = IndividualProfile.objects.get(user=user)
    assert profile.id_number == number
    assert str(profile.birth_date) == "1985-06-15" and profile.gender == "female"
    assert profile.employer == "郑州市第一人民医院" and profile.region == zhengzhou
    assert user.full_name == "李娜" and user.employer == "郑州市第一人民医院" and not user.is_active
    assert user.role_assignments.filter(role=Role.APPLICANT).exists()
    assert not user.organizations.exists()
    event = AuditEvent.objects.get(action="account:register_individual")
    assert profile.id_number not in str(event.data)  # personal information stays out of the audit trail
    assert profile.masked_id_number == "4101**********" + profile.id_number[-4:]

    client.get(link_in_mail(mail.outbox[0]))
    assert can_log_in(client, "lina")


def test_individual_lower_case_x_is_stored_upper_case(client, zhengzhou):
    first17 = "11010519491231002"
    assert id_number_check_char(first17) == "X"
    client.post(reverse("register_individual"), person_data(zhengzhou, id_number=first17 + "x"))
    assert IndividualProfile.objects.get().id_number == "11010519491231002X"


@pytest.fixture
def lina(client, zhengzhou, link_in_mail):
    """An individual who registered and confirmed her account; the outbox is empty afterwards."""
    client.post(reverse("register_individual"), person_data(zhengzhou))
    client.get(link_in_mail(mail.outbox[0]))
    client.logout()
    mail.outbox.clear()
    return User.objects.get(username="lina")


def test_a_registered_id_number_is_not_confirmed_and_its_holder_is_told(client, zhengzhou, lina):
    number = person_data(zhengzhou)["id_number"]
    fresh = Client()  # someone else registering a new number, for comparison
    new = fresh.post(reverse("register_individual"), person_data(
        zhengzhou, id_number="11010519491231002X", username="newcomer", email="newcomer@example.cn"))
    counts = (people().count(), IndividualProfile.objects.count())
    mail.outbox.clear()

    response = client.post(reverse("register_individual"), person_data(zhengzhou, username="lina2",
                                                                       email="lina2@example.cn"))
    # the same answer as a new registration: the "check your mailbox" page for the address entered
    assert response.status_code == new.status_code == 302 and response["Location"] == new["Location"]
    done = client.get(response["Location"]).content.decode()
    new_done = fresh.get(new["Location"]).content.decode()
    assert "我们已向 <strong>lina2@example.cn</strong> 发送确认邮件" in done and "（用户名：lina2）" in done
    def page(html):  # without the per-session CSRF tokens
        return re.sub(r"\b[A-Za-z0-9]{64}\b", "", html)

    assert page(done).replace("lina2", "newcomer") == page(new_done)

    # nothing is created; the existing account's address gets the notice, the address typed gets nothing
    assert (people().count(), IndividualProfile.objects.count()) == counts
    assert not User.objects.filter(username="lina2").exists()
    assert [m.to for m in mail.outbox] == [["lina@example.cn"]]
    notice = mail.outbox[0].body
    assert "有人尝试用您的身份证号注册" in notice and "忘记密码" in notice and "联系秘书处" in notice
    assert "/accounts/password/reset/" in notice and number not in notice
    event = AuditEvent.objects.get(action="account:register_known_id_number")
    assert event.object_id == str(lina.pk) and event.actor is None
    assert number not in str(event.data) + event.reason + event.object_repr


def test_send_again_after_a_registered_id_number_looks_the_same_and_sends_nothing(client, zhengzhou, lina):
    client.post(reverse("register_individual"), person_data(zhengzhou, username="lina2", email="lina2@example.cn"))
    mail.outbox.clear()

    response = client.post(reverse("register_done"), follow=True)
    assert "确认邮件已重新发送至 li***@example.cn，请查收。" in response.content.decode()
    again = client.post(reverse("register_done"), follow=True)
    assert "确认邮件刚刚已发送" in again.content.decode()  # paced like a real account's
    assert mail.outbox == []
    assert not User.objects.filter(username="lina2").exists()


@pytest.mark.parametrize("form,data", [
    ("register_individual", lambda place: person_data(place, id_number="11010519491231002X", username="li2",
                                                      full_name="王芳", email="LINA@Example.CN")),
    ("register_organization", lambda place: org_data(place, username="org2", email="Lina@example.cn")),
])
def test_an_email_address_of_another_account_is_refused(client, zhengzhou, lina, form, data):
    response = client.post(reverse(form), data(zhengzhou))
    assert response.status_code == 200
    assert errors_of(response)["email"] == ["该邮箱已被其他账号使用，请换一个邮箱；如是您本人的账号，请用“忘记密码”找回。"]
    assert "李娜" not in response.content.decode() and "lina<" not in response.content.decode()
    assert people().count() == 1 and mail.outbox == []


def test_an_admin_cannot_give_an_account_another_accounts_email(client, lina):
    admin = User.objects.create_superuser(username="root", password="x-123456789", email="root@example.cn")
    client.force_login(admin)
    url = reverse("admin:accounts_user_change", args=[admin.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, tuple))}
    data.update({"email": "LINA@example.cn", "date_joined_0": "2026-11-20", "date_joined_1": "08:00:00",
                 "role_assignments-TOTAL_FORMS": "0", "role_assignments-INITIAL_FORMS": "0"})
    data.pop("last_login", None)
    data.pop("password", None)
    response = client.post(url, data)
    assert response.status_code == 200 and "该邮箱已被其他账号使用，请换一个邮箱" in response.content.decode()
    admin.refresh_from_db()
    assert admin.email == "root@example.cn"


@pytest.mark.parametrize("field,value,fragment", [
    ("id_number", "410105198506150021", "身份证号校验位不正确"),
    ("id_number", "41010519850230" + "0011", "不是有效日期"),
    ("id_number", "4101051985061500", "身份证号应为18位"),
    ("mobile", "23900001111", "手机号"),
    ("employer", "", "请填写工作单位"),
])
def test_bad_individual_input_names_the_field(client, zhengzhou, field, value, fragment):
    response = client.post(reverse("register_individual"), person_data(zhengzhou, **{field: value}))
    errors = errors_of(response)
    assert field in errors and fragment in " ".join(errors[field]), errors
    assert not people().exists()


def test_future_birth_date_in_the_id_number(client, zhengzhou):
    future = timezone.localdate() + timedelta(days=30)
    first17 = f"410105{future:%Y%m%d}001"
    response = client.post(reverse("register_individual"),
                           person_data(zhengzhou, id_number=first17 + id_number_check_char(first17)))
    assert "晚于今天" in " ".join(errors_of(response)["id_number"])


# --- invitations ----------------------------------------------------------------------------------
@pytest.fixture
def org_member(client, zhengzhou, link_in_mail):
    client.post(reverse("register_organization"), org_data(zhengzhou))
    client.get(link_in_mail(mail.outbox[0]))
    mail.outbox.clear()
    user = User.objects.get(username="jinggong")
    return user


def _invite(client, member, email="colleague@example.cn"):
    client.force_login(member)
    response = client.post(reverse("organization_invite"), {"email": email})
    assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
    return Invitation.objects.get(email=email)


def test_invitation_flow_end_to_end(client, org_member, link_in_mail):
    invitation = _invite(client, org_member)
    org = Organization.objects.get()
    assert invitation.organization == org and invitation.invited_by == org_member
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["colleague@example.cn"]
    link = link_in_mail(mail.outbox[0])
    assert link == reverse("invitation_accept", args=[invitation.token])

    page = client.get(reverse("organization_invite")).content.decode()
    assert "colleague@example.cn" in page and "待接受" in page and invitation.token in page

    client.logout()
    landing = client.get(link).content.decode()
    assert "郑州市精工机械有限公司" in landing and "注册并加入" in landing
    response = client.post(link, {"full_name": "王芳", "mobile": "13700001111", "username": "wangfang",
                                  "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    colleague = User.objects.get(username="wangfang")
    assert colleague.is_active and colleague.email == "colleague@example.cn" and colleague.employer == org.name
    assert set(org.members.all()) == {org_member, colleague}
    assert colleague.role_assignments.filter(role=Role.APPLICANT).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == colleague and invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action="organization:join", actor=colleague).exists()
    assert client.get("/").status_code == 200  # signed in straight away

    # the link cannot be used twice
    client.logout()
    reused = client.get(link)
    assert reused.status_code == 410 and "该邀请已于" in reused.content.decode() and "不能再次使用" in reused.content.decode()
    second = client.post(link, {"full_name": "冒用", "mobile": "13700002222", "username": "intruder",
                                "password1": PASSWORD, "password2": PASSWORD})
    assert second.status_code == 410 and not User.objects.filter(username="intruder").exists()


def test_signed_in_user_accepts_with_one_click(client, org_member, zhengzhou):
    invitation = _invite(client, org_member, email="lina@example.cn")
    lina = User.objects.create_user(username="lina", password="x-123456789", email="lina@example.cn")
    client.force_login(lina)
    url = reverse("invitation_accept", args=[invitation.token])
    page = client.get(url).content.decode()
    assert "以当前账号（lina）加入" in page and "本邀请发送至" not in page
    assert client.post(url).status_code == 302
    assert Organization.objects.get().members.filter(pk=lina.pk).exists()
    assert lina.role_assignments.filter(role=Role.APPLICANT).exists()


def test_signed_in_user_with_another_address_is_warned(client, org_member):
    invitation = _invite(client, org_member)
    other = User.objects.create_user(username="other", password="x-123456789", email="other@example.cn")
    client.force_login(other)
    page = client.get(reverse("invitation_accept", args=[invitation.token])).content.decode()
    assert "本邀请发送至 colleague@example.cn" in page


def test_expired_invitation(client, org_member):
    invitation = _invite(client, org_member)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=7, minutes=1))
    client.logout()
    page = client.get(reverse("invitation_accept", args=[invitation.token]))
    assert page.status_code == 410 and "该邀请已过期（有效期7天）" in page.content.decode()
    assert "张伟" in page.content.decode()  # who to ask for a new one


def test_revoked_invitation(client, org_member):
    invitation = _invite(client, org_member)
    response = client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action="organization:revoke_invitation").exists()
    client.logout()
    page = client.get(reverse("invitation_accept", args=[invitation.token]))
    assert page.status_code == 410 and "该邀请已被撤销" in page.content.decode()


def test_unknown_invitation_token(client, regions):
    page = client.get(reverse("invitation_accept", args=["does-not-exist"]))
    assert page.status_code == 404 and "邀请链接无效" in page.content.decode()


def test_reinviting_a_pending_address_resends_the_same_invitation(client, org_member):
    first = _invite(client, org_member)
    second = _invite(client, org_member)
    assert first == second and Invitation.objects.count() == 1 and len(mail.outbox) == 2


def test_inviting_a_member_is_refused(client, org_member):
    client.force_login(org_member)
    response = client.post(reverse("organization_invite"), {"email": "ZhangWei@example.cn"})
    assert response.status_code == 200
    assert "已是本组织成员" in " ".join(errors_of(response)["email"])


def test_only_members_manage_invitations(client, org_member, zhengzhou):
    invitation = _invite(client, org_member)
    org = Organization.objects.get()
    outsider = User.objects.create_user(username="outsider", password="x-123456789")
    other_org = Organization.objects.create(name="开封市另一家公司", credit_code="914403001922038216", region=zhengzhou)
    other_org.members.add(outsider)
    client.force_login(outsider)

    page = client.get(reverse("organization_invite")).content.decode()
    assert "开封市另一家公司" in page and "colleague@example.cn" not in page
    assert client.get(reverse("organization_invite"), {"org": org.pk}).status_code == 404
    assert client.get(reverse("organization_invite"), {"org": "abc"}).status_code == 404
    assert client.post(reverse("organization_invite"), {"organization": org.pk, "email": "x@example.cn"}).status_code \
        == 404
    assert client.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 404
    assert Invitation.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    with pytest.raises(services.PermissionDenied):
        services.invite_colleague(actor=services.Actor(user=outsider), organization=org, email="y@example.cn")


def test_a_user_without_an_organization_is_told_how_to_join_one(client, regions):
    loner = User.objects.create_user(username="loner", password="x-123456789")
    client.force_login(loner)
    page = client.get(reverse("organization_invite"))
    assert page.status_code == 200 and "尚未加入任何申报组织" in page.content.decode()


def test_revoke_needs_post_and_login(client, org_member):
    invitation = _invite(client, org_member)
    assert client.get(reverse("invitation_revoke", args=[invitation.pk])).status_code == 405
    client.logout()
    response = client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_accepted_invitation_cannot_be_revoked(client, org_member):
    invitation = _invite(client, org_member)
    other = User.objects.create_user(username="other", password="x-123456789")
    services.accept_invitation(token=invitation.token, actor=services.SYSTEM, user=other)
    client.force_login(org_member)
    response = client.post(reverse("invitation_revoke", args=[invitation.pk]), follow=True)
    assert "该邀请已被接受，无法撤销" in response.content.decode()


def test_an_invited_address_that_has_an_account_is_told_to_sign_in(client, org_member):
    invitation = _invite(client, org_member, email="lina@example.cn")
    User.objects.create_user(username="lina", password="x-123456789", email="Lina@example.cn")
    client.logout()
    response = client.post(reverse("invitation_accept", args=[invitation.token]), {
        "full_name": "李娜", "mobile": "13900001111", "username": "lina-new", "password1": PASSWORD,
        "password2": PASSWORD})
    assert response.status_code == 200
    assert "已有账号：请先用该账号登录，再打开邀请链接接受邀请" in response.content.decode()
    assert not User.objects.filter(username="lina-new").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_registration_errors_are_shown_on_the_form(client, org_member):
    invitation = _invite(client, org_member)
    client.logout()
    url = reverse("invitation_accept", args=[invitation.token])
    response = client.post(url, {"full_name": "", "mobile": "123", "username": "jinggong",
                                 "password1": PASSWORD, "password2": PASSWORD})
    errors = errors_of(response)
    assert "请填写您的姓名" in " ".join(errors["full_name"])
    assert "手机号" in " ".join(errors["mobile"])
    assert "该用户名已被使用" in " ".join(errors["username"])
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_two_letter_credit_codes_register(client, zhengzhou):
    first17 = "Y1410100MA44TRAN0"
    code = first17 + credit_code_check_char(first17)
    response = client.post(reverse("register_organization"), org_data(zhengzhou, credit_code=code))
    assert response.status_code == 302 and Organization.objects.get().credit_code == code


def test_login_page_links_to_registration(client, regions):
    assert reverse("register") in client.get(reverse("login")).content.decode()


def test_registrations_from_one_address_are_limited(client, zhengzhou, monkeypatch):
    from qualityaward.accounts import views

    monkeypatch.setattr(views, "REGISTRATIONS_PER_IP_PER_HOUR", 2)
    for i in range(2):
        first17 = f"9141010{i}MA44TRAN0"
        code = first17 + credit_code_check_char(first17)
        assert client.post(reverse("register_organization"), org_data(
            zhengzhou, credit_code=code, username=f"user{i}", email=f"user{i}@example.cn")).status_code == 302
    response = client.post(reverse("register_individual"), person_data(zhengzhou))
    assert response.status_code == 429 and "注册次数已达上限" in response.content.decode()
    assert not IndividualProfile.objects.exists()


@pytest.mark.django_db
def test_in_console_mail_mode_the_check_your_mail_page_points_at_the_server_console(client, zhengzhou, settings):
    """With EMAIL_URL=consolemail:// (``make run``) nothing is mailed: the page says where the link is printed;
    with a real mail server it does not."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    response = client.post(reverse("register_organization"), org_data(zhengzhou))
    done = client.get(response["Location"]).content.decode()
    assert "命令行窗口" in done and "/register/confirm/" in done

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    other = Client()
    response = other.post(reverse("register_organization"), org_data(
        zhengzhou, username="jinggong2", email="li@example.cn", credit_code="91440300708461136T"))
    done = other.get(response["Location"]).content.decode()
    assert "li@example.cn" in done and "命令行窗口" not in done
