"""The admin reads as a Chinese product: its front page says what it is for, the login-protection
section and its columns are Chinese, and the user list shows people only (no AnonymousUser row)."""
import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from qualityaward.accounts.models import User


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_superuser(username="root", password="x-12345678", email="root@example.cn")
    client.force_login(admin)
    return client


def test_the_admin_front_page_explains_what_it_does(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "管理后台能做什么" in page and "工作日日历" in page
    assert "登录保护（失败登录与锁定）" in page and "Axes" not in page
    assert "失败登录记录" in page and "access attempts" not in page.lower()


def test_login_protection_lists_are_in_chinese(admin_client):
    AccessAttempt.objects.create(username="zhang", ip_address="198.51.100.7", user_agent="Chromium",
                                 failures_since_start=3, get_data="", post_data="", http_accept="", path_info="/")
    page = admin_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "IP 地址" in page and "失败登录次数" in page and "IP Address" not in page


def test_the_user_list_has_no_anonymous_user_row(admin_client):
    page = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "AnonymousUser" not in page and not User.objects.filter(username="AnonymousUser").exists()
