"""Login, throttling against guessing, logout, password change and reset, error pages — in Chinese."""
import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from qualityaward.accounts.models import AuditEvent, User


def make(username="zhang", password="Zz-quality-2026"):
    return User.objects.create_user(username=username, password=password, email=f"{username}@example.cn",
                                    full_name="张三")


def test_login_logout(client, db):
    make()
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page and "密码" in page and "忘记密码" in page
    wrong = client.post(reverse("login"), {"username": "zhang", "password": "nope"})
    assert wrong.status_code == 200 and "用户名或密码不正确" in wrong.content.decode()
    ok = client.post(reverse("login"), {"username": "zhang", "password": "Zz-quality-2026"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert "工作台" in client.get("/").content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_repeated_wrong_passwords_lock_the_account_out(client, db, settings):
    make()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "zhang", "password": "guess"})
    locked = client.post(reverse("login"), {"username": "zhang", "password": "Zz-quality-2026"})
    assert locked.status_code in (403, 429)
    assert "暂时锁定" in locked.content.decode()
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post(reverse("login"), {"username": "zhang", "password": "Zz-quality-2026"}).status_code == 302


def test_password_change(client, db):
    user = make()
    client.force_login(user)
    response = client.post(reverse("password_change"), {
        "old_password": "Zz-quality-2026", "new_password1": "Nn-quality-2027", "new_password2": "Nn-quality-2027"})
    assert response.status_code == 302
    assert "密码已修改" in client.get(response["Location"]).content.decode()
    user.refresh_from_db()
    assert user.check_password("Nn-quality-2027")


def test_password_reset_by_email(client, db):
    make()
    response = client.post(reverse("password_reset"), {"email": "zhang@example.cn"})
    assert response.status_code == 302 and len(mail.outbox) == 1
    assert "重置密码" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "设置新密码" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "Rr-quality-2028",
                                                         "new_password2": "Rr-quality-2028"})
    assert done.status_code == 302
    login = client.post(reverse("login"), {"username": "zhang", "password": "Rr-quality-2028"})
    assert login.status_code == 302 and login["Location"] == "/"


def test_error_pages_are_chinese_and_csrf_failures_say_what_to_do(db, settings):
    client = Client(enforce_csrf_checks=True)
    make()
    response = client.post(reverse("login"), {"username": "zhang", "password": "x"})
    assert response.status_code == 403 and "刷新页面" in response.content.decode()
    settings.DEBUG = False
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    assert not AuditEvent.objects.exists()
