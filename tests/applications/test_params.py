"""Ids and numbers in query strings: a crafted or mistyped value answers like a missing one, never a 500.

Every such parameter is read by qualityaward.params.int_param; this walks the pages that take one, as
each office, with values that are too large for the database, negative, fractional or not numbers.
"""
import pytest
from django.urls import reverse

from qualityaward.params import MAX_ID, int_param

BAD_VALUES = ["99999999999999999999999", str(MAX_ID + 1), "-99999999999999999999999", "1.5", "abc", " ", "１２"]


def test_int_param_reads_only_whole_numbers_the_database_can_hold():
    assert int_param("42") == 42 and int_param(" 7 ") == 7 and int_param(MAX_ID) == MAX_ID
    for value in BAD_VALUES[:6] + [None, ""]:
        assert int_param(value) is None, value


PAGES = [
    ("publicity:objection_list", lambda w, a: [], ["program"]),
    ("publicity:objection_export", lambda w, a: [], ["program"]),
    ("review:prereview_list", lambda w, a: [], ["program", "campaign"]),
    ("review:prereview_diff", lambda w, a: [a.pk], ["from", "to"]),
    ("review:eligibility_list", lambda w, a: [], ["campaign"]),
    ("review:expert_list", lambda w, a: [], ["region"]),
    ("review:ranking", lambda w, a: [], ["campaign"]),
    ("review:scoring_sheet_pdf", lambda w, a: [a.pk, "material"], ["expert"]),
]


@pytest.mark.parametrize("url_name,args,params", PAGES, ids=[p[0] for p in PAGES])
def test_bad_numbers_in_a_query_string_never_fail_a_page(client, world, panel_app, url_name, args, params):
    url = reverse(url_name, args=args(world, panel_app))
    for who in ("secretariat", "authority", "supervisor", "expert"):
        client.force_login(getattr(world, who))
        for param in params:
            for value in BAD_VALUES:
                response = client.get(url, {param: value})
                assert response.status_code in (200, 302, 400, 403, 404), (url_name, who, param, value)
