"""Fixtures for the accounts tests: the regions, and a registered organization to collide with."""
import re

import pytest
from django.core.management import call_command


@pytest.fixture
def regions(db):
    from qualityaward.accounts.models import Region

    if not Region.objects.exists():
        call_command("loaddata", "regions", verbosity=0)
    return Region.objects


@pytest.fixture
def zhengzhou(regions):
    return regions.get(code="410100")


@pytest.fixture
def link_in_mail():
    """``link_in_mail(message)``: the first portal link in an e-mail body, as a path."""

    def find(message):
        match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
        assert match, f"no link in: {message.body}"
        return match.group(1)

    return find
