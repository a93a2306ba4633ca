"""Access derived from relationships: the predicate and the queryset agree, and every view obeys them.

The view matrix lists every URL the project serves; a URL added without an entry here fails
``test_every_url_has_an_access_entry``.
"""
import importlib.util
import pathlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from guardian.shortcuts import assign_perm, remove_perm

from applications.models import Application, GeneratedDocument, State
from applications.rules import can_view, relationships_held
from applications.selectors import applications_for_user


PEOPLE = ["owner", "colleague", "stranger", "authority", "authority_other_city", "authority_other_program",
          "secretariat", "secretariat_other", "supervisor", "committee", "expert", "recused_expert",
          "reserve_expert", "grantee", "recused_grantee", "admin"]

#: Who sees the panel application (material review, 郑州, cultivation program) and through what.
PANEL_APP_ACCESS = {
    "owner": ["owner"], "colleague": ["owner"], "authority": ["authority"], "secretariat": ["secretariat"],
    "supervisor": ["supervisor"], "expert": ["panel"], "grantee": ["grant"],
    # nobody else: other city, other program, committee before the committee stage, a reserve expert,
    # a recused expert, and a grant holder who is recused (a grant never overrides a recusal)
}


@pytest.fixture
def apps(world, panel_app, drive):
    draft = world.new_app(name="草稿中的申报")
    submitted_kf = drive(world.new_app(owner=world.stranger, organization=world.other_org), State.SUBMITTED)
    committee_app = drive(world.new_app(name="拟授奖的申报"), State.PROPOSED)
    return {"panel": panel_app, "draft": draft, "kaifeng": submitted_kf, "proposed": committee_app}


def test_relationships_on_the_panel_application(world, panel_app):
    for name in PEOPLE:
        user = getattr(world, name)
        assert relationships_held(user, panel_app) == PANEL_APP_ACCESS.get(name, []), name


def test_drafts_are_private_to_the_applicant(world, apps):
    visible = {n for n in PEOPLE if can_view(getattr(world, n), apps["draft"])}
    assert visible == {"owner", "colleague"}


def test_committee_sees_candidates_only_from_the_committee_stage_on(world, apps):
    assert can_view(world.committee, apps["proposed"])
    assert not can_view(world.committee, apps["panel"])


def test_authority_sees_its_region_only(world, apps):
    assert not can_view(world.authority, apps["kaifeng"])
    assert can_view(world.authority_other_city, apps["kaifeng"])


def test_revoking_a_grant_ends_access(world, panel_app):
    assert can_view(world.grantee, panel_app)
    remove_perm("applications.read_application", world.grantee, panel_app)
    fresh = type(world.grantee).objects.get(pk=world.grantee.pk)
    assert not can_view(fresh, panel_app)
    assert not applications_for_user(user=fresh).filter(pk=panel_app.pk).exists()


def test_a_recusal_ends_a_seated_experts_access_at_once(world, panel_app):
    from review.panels.models import Recusal

    assert can_view(world.expert, panel_app)
    Recusal.objects.create(application=panel_app, user=world.expert, reason="申报后声明存在利害关系")
    assert not can_view(world.expert, panel_app)
    assert not applications_for_user(user=world.expert).filter(pk=panel_app.pk).exists()


def test_predicate_and_queryset_agree_for_everyone(world, apps):
    """Parity: for each person, the queryset holds exactly the applications the predicate allows."""
    assign_perm("applications.read_application", world.grantee, apps["kaifeng"])
    all_apps = list(apps.values())
    for name in PEOPLE:
        user = type(world.owner).objects.get(pk=getattr(world, name).pk)
        by_predicate = {a.pk for a in all_apps if can_view(user, a)}
        by_queryset = set(applications_for_user(user=user).filter(pk__in=[a.pk for a in all_apps])
                          .values_list("pk", flat=True))
        assert by_predicate == by_queryset, name
    # and the queryset has no duplicates when several relationships hold at once
    assert applications_for_user(user=world.owner).count() == len(set(
        applications_for_user(user=world.owner).values_list("pk", flat=True)))


def test_anonymous_and_inactive_see_nothing(world, apps):
    from django.contrib.auth.models import AnonymousUser

    assert not applications_for_user(user=AnonymousUser()).exists()
    world.owner.is_active = False
    world.owner.save()
    assert not can_view(world.owner, apps["panel"])
    assert not applications_for_user(user=world.owner).exists()


# --- the view matrix ------------------------------------------------------------------------------
def _document(app):
    sub = app.submissions.order_by("sequence").first()
    doc = GeneratedDocument.objects.get(submission=sub, kind=GeneratedDocument.Kind.RECEIPT)
    from django.core.files.base import ContentFile

    doc.file.save("test.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    doc.status = GeneratedDocument.Status.READY
    doc.save()
    return doc


def _attachment(app):
    return app.attachments.order_by("pk").first()


def _acceptance_list(world):
    """A published acceptance list (public once published)."""
    from django.utils import timezone

    from applications.models import AcceptanceList

    return AcceptanceList.objects.create(campaign=world.campaign, number=1, title="测试受理名单",
                                         created_by=world.secretariat, published_at=timezone.now())


#: URL name -> how to build it and what each kind of visitor gets.
#: "object" URLs answer 200 to those who can see the application and 404 to everyone else.
MATRIX = {
    "dashboard": {"kind": "login"},
    "applications:list": {"kind": "login"},
    "applications:create": {"kind": "applicant", "args": lambda w, a: [w.campaign.pk]},
    "applications:detail": {"kind": "object", "args": lambda w, a: [a.pk]},
    "applications:transition": {"kind": "object-post", "args": lambda w, a: [a.pk, "withdraw"]},
    "applications:document_status": {"kind": "object", "args": lambda w, a: [_document(a).pk]},
    "applications:document_download": {"kind": "object", "args": lambda w, a: [_document(a).pk]},
    "applications:form": {"kind": "object", "args": lambda w, a: [a.pk]},
    "applications:form_docx": {"kind": "object", "args": lambda w, a: [a.pk]},
    "applications:section": {"kind": "object", "args": lambda w, a: [a.pk, "performance"]},
    "applications:section_save": {"kind": "object-post", "args": lambda w, a: [a.pk, "overview"]},
    "applications:attachment_upload": {"kind": "object-post", "args": lambda w, a: [a.pk, "evidence"]},
    "applications:attachment_download": {"kind": "object", "args": lambda w, a: [_attachment(a).pk]},
    "applications:attachment_delete": {"kind": "object-post", "args": lambda w, a: [_attachment(a).pk]},
    "applications:attachment_move": {"kind": "object-post", "args": lambda w, a: [_attachment(a).pk]},
    "applications:programs": {"kind": "public"},
    "applications:program_detail": {"kind": "public", "args": lambda w, a: [w.cultivation.code]},
    "review:my_panels": {"kind": "login"},
    "publicity:index": {"kind": "public"},
    # authentication pages: public by nature
    "login": {"kind": "guest"},  # signed-in users are sent on to their dashboard
    "logout": {"kind": "auth"},
    "password_change": {"kind": "login"},
    "password_change_done": {"kind": "login"},
    "password_reset": {"kind": "public"},
    "password_reset_done": {"kind": "public"},
    "password_reset_confirm": {"kind": "auth"},
    "password_reset_complete": {"kind": "public"},
    # registration (tests/accounts/test_registration.py covers the token and POST-only pages)
    "register": {"kind": "guest"},
    "register_organization": {"kind": "guest"},
    "register_individual": {"kind": "guest"},
    "register_done": {"kind": "public"},
    "confirm_email": {"kind": "auth"},
    "organization_invite": {"kind": "login"},
    "invitation_revoke": {"kind": "auth"},
    "invitation_accept": {"kind": "auth"},
    "applications:industry_search": {"kind": "login"},
    # the recommending authority's pre-review (tests/applications/test_prereview*.py cover the actions).
    # GET pages answer every viewer (the bureau works there, others read); POSTs are the bureau's alone.
    "review:prereview_list": {"kind": "login"},  # the user's authority scopes only (empty for others)
    "review:prereview_detail": {"kind": "object", "args": lambda w, a: [a.pk]},
    "review:prereview_diff": {"kind": "object", "args": lambda w, a: [a.pk]},
    "review:prereview_checklist": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:prereview_return": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:prereview_solicit": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:prereview_answer": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:prereview_publicity": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:prereview_opinion": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:prereview_sign": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:prereview_government": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:prereview_recommend": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    # reply letters and the government's scan: 200 to the bureau, the secretariat and supervisors, 403 to the
    # application's other viewers, 404 to strangers (tests/review/prereview/test_prereview_access.py)
    "review:prereview_file": {"kind": "object-staff",
                              "args": lambda w, a: ["government", a.government_opinions.get().pk]},
    # the secretariat's eligibility review (tests/review/eligibility/test_eligibility_review.py covers the actions)
    "review:eligibility_list": {"kind": "login"},  # shows only the user's programs as secretariat
    "review:eligibility_detail": {"kind": "object", "args": lambda w, a: [a.pk]},  # read-only to other viewers
    "review:eligibility_start": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:eligibility_recompute": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:eligibility_exclusions": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:eligibility_decide": {"kind": "object-post", "args": lambda w, a: [a.pk, "accept"]},
    "review:acceptance_lists": {"kind": "login"},  # GET for everyone signed in; POST: secretariat only
    "review:acceptance_list": {"kind": "public", "args": lambda w, a: [_acceptance_list(w).pk]},  # once published
}



def _entries_from_sibling_files():
    """Each area lists its URLs in ``access_entries_<area>.py`` beside this file (``ENTRIES`` dict,
    same shape as MATRIX), so adding an area does not touch this module."""
    for path in sorted(pathlib.Path(__file__).parent.glob("access_entries_*.py")):
        spec = importlib.util.spec_from_file_location(f"access_entries.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        duplicated = set(module.ENTRIES) & set(MATRIX)
        assert not duplicated, f"{path.name} repeats MATRIX entries: {duplicated}"
        MATRIX.update(module.ENTRIES)


_entries_from_sibling_files()

def _url_names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name


def test_every_url_has_an_access_entry():
    names = set(_url_names(get_resolver().url_patterns))
    assert names - set(MATRIX) == set(), "add the new URL to MATRIX with its access rule"
    assert set(MATRIX) - names == set(), "MATRIX names a URL that no longer exists"


@pytest.mark.parametrize("url_name", sorted(n for n, e in MATRIX.items()
                                             if e["kind"] in ("login", "public", "guest", "applicant")))
def test_login_and_public_pages(client, world, panel_app, url_name):
    entry = MATRIX[url_name]
    url = reverse(url_name, args=entry.get("args", lambda w, a: [])(world, panel_app))
    anonymous = client.get(url)
    if entry["kind"] in ("public", "guest"):
        assert anonymous.status_code == 200
    else:
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for name in ["owner", "authority", "secretariat", "expert", "supervisor", "committee", "admin"]:
        client.force_login(getattr(world, name))
        response = client.get(url)
        if entry["kind"] == "guest":
            assert response.status_code == 302 and response["Location"] == "/", (url_name, name)
        elif entry["kind"] == "applicant":  # only applicant accounts apply
            assert response.status_code == (200 if name == "owner" else 403), (url_name, name)
        else:
            assert response.status_code == 200, (url_name, name)


@pytest.mark.parametrize("url_name", sorted(n for n, e in MATRIX.items() if e["kind"] == "object"))
def test_object_pages_follow_the_predicate(client, world, panel_app, url_name):
    url = reverse(url_name, args=MATRIX[url_name]["args"](world, panel_app))
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        response = client.get(url)
        expected = 200 if name in PANEL_APP_ACCESS else 404
        assert response.status_code == expected, (url_name, name, response.status_code)
        if expected == 404:
            assert panel_app.applicant_name not in response.content.decode()


@pytest.mark.parametrize("url_name", sorted(n for n, e in MATRIX.items() if e["kind"] == "object-post"))
def test_object_posts_strangers_get_404_other_viewers_403_and_nothing_changes(client, world, panel_app, url_name):
    from applications.models import ApplicationSection, Attachment

    url = reverse(url_name, args=MATRIX[url_name]["args"](world, panel_app))

    def snapshot():
        return (Application.objects.get(pk=panel_app.pk).state,
                list(Attachment.objects.filter(application=panel_app).values_list("pk", "order")),
                list(ApplicationSection.objects.filter(application=panel_app).values_list("code", "version")))

    before = snapshot()
    assert client.post(url).status_code == 302  # anonymous: to the login page
    for name in PEOPLE:
        if name in ("owner", "colleague"):
            continue  # the applicant's own actions are tested with the workflow and the form
        client.force_login(getattr(world, name))
        response = client.post(url, {"reason": "测试", "direction": "up"})
        expected = 403 if name in PANEL_APP_ACCESS else 404
        assert response.status_code == expected, (url_name, name, response.status_code)
    assert snapshot() == before


def test_transition_post_strangers_get_404_viewers_without_the_right_get_403(client, world, panel_app):
    url = reverse("applications:transition", args=[panel_app.pk, "disqualify"])
    for name in PEOPLE:
        if name == "secretariat":
            continue
        client.force_login(getattr(world, name))
        response = client.post(url, {"reason": "测试"})
        if name not in PANEL_APP_ACCESS:
            assert response.status_code == 404, name
        else:
            assert response.status_code == 403, name
            assert "没有权限" in response.content.decode()
    panel_app.refresh_from_db()
    assert panel_app.state == State.MATERIAL_REVIEW
    client.force_login(world.secretariat)
    assert client.post(url, {"reason": "异议查实"}).status_code == 302
    panel_app.refresh_from_db()
    assert panel_app.state == State.DISQUALIFIED


def test_list_shows_exactly_the_visible_applications(client, world, apps):
    for name in PEOPLE:
        user = getattr(world, name)
        client.force_login(user)
        body = client.get(reverse("applications:list")).content.decode()
        for app in apps.values():
            shown = f'href="/applications/{app.pk}/"' in body
            assert shown == can_view(user, app), (name, app.applicant_name)
