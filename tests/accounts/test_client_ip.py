"""Which address the audit trail, rate limits and the login lock-out count (TRUSTED_PROXIES).

A client can write any X-Forwarded-For header it likes; the portal believes one only from a reverse
proxy the deployment names, so nobody can put another address into the audit trail or dodge a lock-out.
"""
import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from qualityaward.accounts.models import User
from qualityaward.accounts.services import Actor, client_ip

rf = RequestFactory()


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_without_a_configured_proxy_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"
    assert client_ip(_request("198.51.100.7")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_address_it_saw_counts_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    # the client forged "1.2.3.4"; the proxy appended the real peer, 198.51.100.7
    assert client_ip(_request("10.0.0.5", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # two trusted proxies in a row are walked past
    settings.TRUSTED_PROXIES = ["10.0.0.5", "10.0.0.6"]
    assert client_ip(_request("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.6")) == "198.51.100.7"
    # a request that did not come through the proxy keeps its own address, whatever it claims
    assert client_ip(_request("198.51.100.8", "10.0.0.6")) == "198.51.100.8"


def test_the_audit_actor_records_the_real_address(settings, db):
    settings.TRUSTED_PROXIES = []
    request = _request("198.51.100.7", "203.0.113.9")
    request.user = User(username="x")
    assert Actor.from_request(request).ip == "198.51.100.7"


@pytest.mark.django_db
def test_a_forged_forwarded_header_does_not_lift_the_login_lock_out(settings):
    settings.TRUSTED_PROXIES = []
    User.objects.create_user(username="zhang", password="Zz-quality-2026", email="z@example.cn")
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "zhang", "password": "guess"})
    forged = client.post(reverse("login"), {"username": "zhang", "password": "Zz-quality-2026"},
                         HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert forged.status_code in (403, 429) and "暂时锁定" in forged.content.decode()
