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


def _assert_parity(world, apps):
    all_apps = [Application.objects.get(pk=a.pk) for a in apps.values()]
    for name in PEOPLE:
        user = type(world.owner).objects.get(pk=getattr(world, name).pk)
        by_predicate = {a.pk for a in all_apps if can_view(user, a)}
        by_queryset = set(applications_for_user(user=user).filter(pk__in=[a.pk for a in all_apps])
                          .values_list("pk", flat=True))
        assert by_predicate == by_queryset, name


def test_predicate_and_queryset_agree_for_everyone(world, apps):
    """Parity: for each person, the queryset holds exactly the applications the predicate allows."""
    assign_perm("applications.read_application", world.grantee, apps["kaifeng"])
    _assert_parity(world, apps)
    # and the queryset has no duplicates when several relationships hold at once
    assert applications_for_user(user=world.owner).count() == len(set(
        applications_for_user(user=world.owner).values_list("pk", flat=True)))


def test_parity_with_staff_recusals_and_after_the_campaigns_decision(world, apps):
    """Parity holds with the recusal veto on staff roles (息县 第十条, 巩义 第十八条) and once the campaign is
    decided and its panels dissolved (息县 第九条)."""
    from applications import workflow
    from qualityaward.accounts.services import Actor
    from review.panels.models import Recusal

    Recusal.objects.create(application=apps["panel"], user=world.secretariat, kind=Recusal.Kind.SECRETARIAT,
                           reason="近亲属在申报单位任职")
    Recusal.objects.create(application=apps["kaifeng"], user=world.authority_other_city,
                           kind=Recusal.Kind.AUTHORITY, reason="曾为其提供咨询服务")
    _assert_parity(world, apps)
    # the veto is on that person and that application only
    assert relationships_held(world.secretariat, apps["panel"]) == []
    assert relationships_held(world.secretariat, apps["proposed"]) == ["secretariat"]
    assert not can_view(world.authority_other_city, apps["kaifeng"])
    assert relationships_held(world.expert, apps["panel"]) == ["panel"]
    # the campaign's only reviewed application reaches its outcome: the panel dissolves, nothing else changes
    workflow.perform(application=apps["panel"], name="withdraw", actor=Actor(user=world.owner))
    _assert_parity(world, apps)
    panel = Application.objects.get(pk=apps["panel"].pk)
    assert relationships_held(world.expert, panel) == []
    assert relationships_held(world.owner, panel) == ["owner"]
    assert relationships_held(world.supervisor, panel) == ["supervisor"]


def test_anonymous_and_inactive_see_nothing(world, apps):
    from django.contrib.auth.models import AnonymousUser

    assert not applications_for_user(user=AnonymousUser()).exists()
    world.owner.is_active = False
    world.owner.save()
    assert not can_view(world.owner, apps["panel"])
    assert not applications_for_user(user=world.owner).exists()


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


# --- the view matrix ------------------------------------------------------------------------------
# Every URL the project serves has an entry (``MATRIX`` below plus ``access_entries_<area>.py`` beside this
# file). Each entry names a kind, and each kind is an executor in ``EXECUTORS``: an entry whose kind has no
# executor fails the suite. The kinds:
#
# * "public" / "guest" / "login" / "applicant": pages without an object, tried anonymously and by everyone;
# * "get": a page or a file of one object: ``allowed`` get 200, everyone else 403 or 404 -- and always 404
#   (with nothing of the application shown) when they cannot see the application at all;
# * "post": an action, tried on the application in a state where it is legal (``app`` names it): each of the
#   ``actors`` succeeds and writes (each try rolled back), every other person in that same state is refused
#   (403/404, 404 when it cannot see the application) and the database is unchanged afterwards;
# * "logout": anyone signed in is signed out.
#
# The people are those of the relationship tests plus a superuser, the 息县 secretariat's committee member
# and the applicant of a 息县 candidate; the states are built once for the whole matrix (``matrix_world``)
# and each test runs inside a savepoint, so nothing one entry does is seen by the next.
import contextlib
import datetime as dt
import hashlib
import json

from django.db import connection, transaction
from django.test import Client

VIEWERS = "viewers"  # ``allowed`` of a "get" entry: whoever can see the application
MATRIX_PEOPLE = PEOPLE + ["superuser", "committee_xx", "owner_xx"]
PASSWORD = "pass-12345"  # tests/applications/conftest.py make_user


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _pdf(name="文件.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.content import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes(1), "application/pdf")


def _receipt(w, a):
    """The application's receipt PDF, ready to download."""
    from django.core.files.base import ContentFile

    sub = a.submissions.order_by("sequence").first()
    doc = GeneratedDocument.objects.get(submission=sub, kind=GeneratedDocument.Kind.RECEIPT)
    if not doc.file:
        doc.file.save("receipt.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        doc.status = GeneratedDocument.Status.READY
        doc.save()
    return doc


def _attachment(w, a):
    return a.attachments.order_by("pk").first()


def _jpeg(name="图片.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.content import jpeg_bytes

    return SimpleUploadedFile(name, jpeg_bytes(400, 300), "image/jpeg")


def _narrative_image(w, a):
    """An image inserted into one of the application's narratives (made once)."""
    from applications.forms import services as fs
    from applications.forms.richtext import IMAGE_SLOT
    from qualityaward.accounts.services import Actor

    image = a.attachments.filter(slot=IMAGE_SLOT).first()
    if image is None:
        image = fs.add_narrative_image(application=a, uploaded=_jpeg("叙述配图.jpg"), actor=Actor(user=a.owner))
    return image


def _second_attachment(w, a):
    """A second file in the first file's slot, so that the first can move down."""
    from applications.forms import services as fs
    from qualityaward.accounts.services import Actor

    first = _attachment(w, a)
    if a.attachments.filter(slot=first.slot).count() < 2:
        fs.add_attachment(application=a, slot_key=first.slot, uploaded=_pdf("第二份材料.pdf"), title="第二份材料",
                          actor=Actor(user=w.owner))


def _acceptance_list(w):
    """A published acceptance list (public once published)."""
    from django.utils import timezone

    from applications.models import AcceptanceList

    return AcceptanceList.objects.create(campaign=w.campaign, number=1, title="测试受理名单",
                                         created_by=w.secretariat, published_at=timezone.now())


def _section_body(w, a):
    section = a.sections.get(code="overview")
    return {"version": section.version, "data": {**section.data}}


def _checklist(w, a):
    from applications.forms.spec import form_for

    return {f"verdict_{s.code}": "ok" for s in form_for(a).sections}


def _return(w, a):
    from review.prereview.services import applicant_sections

    code = applicant_sections(a)[0].code
    return {f"return_{code}": "on", f"reason_{code}": "请补充近三年的质量数据。"}


def _draft_opinion(w, a):
    """The departments answered and the publicity recorded: the opinion is ready to sign."""
    from qualityaward.accounts.services import Actor
    from review.prereview import services as pre
    from review.prereview.models import DepartmentOpinion

    actor, on = Actor(user=w.authority), dt.date.fromisoformat(_today())
    for row in pre.department_rows(a):
        if row["required"] and not row["opinion"]:
            opinion = pre.solicit_opinion(application=a, actor=actor, department=row["department"], asked_on=on)
            pre.record_answer(application=a, actor=actor, opinion_id=opinion.pk,
                              answer=DepartmentOpinion.Answer.NO_OBJECTION, content="", answered_on=on)
    pre.save_publicity(application=a, actor=actor, starts_on=on - dt.timedelta(days=14), ends_on=on,
                       channel="郑州市市场监督管理局门户网站")
    pre.save_opinion_draft(application=a, actor=Actor(user=w.authority), parts=pre.suggested_parts(a))


def _sign(w, a):
    from review.prereview import services as pre

    return {"opinion_id": pre.opinion_draft(a).pk, "password": PASSWORD}


def _exclusions(w, a):
    from review.eligibility.services import exclusion_items

    return {f"item_{i.pk}": "absent" for i in exclusion_items(a)}


#: URL name -> how to build it and who gets what (kinds above).
MATRIX = {
    "dashboard": {"kind": "login"},
    "applications:list": {"kind": "login"},
    "applications:create": {"kind": "applicant", "args": lambda w, a: [w.campaign.pk]},
    "applications:detail": {"kind": "get", "args": lambda w, a: [a.pk], "allowed": VIEWERS},
    # the applicant withdraws (any active state); nobody else may
    "applications:transition": {"kind": "post", "app": "submitted", "args": lambda w, a: [a.pk, "withdraw"],
                                "actors": {"owner", "colleague"}, "data": lambda w, a: {"reason": "不再申报"}},
    "applications:document_status": {"kind": "get", "args": lambda w, a: [_receipt(w, a).pk], "allowed": VIEWERS},
    "applications:document_download": {"kind": "get", "args": lambda w, a: [_receipt(w, a).pk], "allowed": VIEWERS},
    "applications:form": {"kind": "get", "args": lambda w, a: [a.pk], "allowed": VIEWERS},
    "applications:form_docx": {"kind": "get", "args": lambda w, a: [a.pk], "allowed": VIEWERS},
    "applications:section": {"kind": "get", "args": lambda w, a: [a.pk, "performance"], "allowed": VIEWERS},
    # the form's writes: the applicant's members on a draft
    "applications:section_save": {"kind": "post", "app": "draft", "args": lambda w, a: [a.pk, "overview"],
                                  "actors": {"owner", "colleague"}, "json": _section_body},
    "applications:attachment_upload": {"kind": "post", "app": "draft", "args": lambda w, a: [a.pk, "evidence"],
                                       "actors": {"owner", "colleague"},
                                       "data": lambda w, a: {"file": _pdf("证明材料.pdf"), "title": "证明材料"}},
    "applications:attachment_download": {"kind": "get", "args": lambda w, a: [_attachment(w, a).pk],
                                         "allowed": VIEWERS},
    "applications:attachment_delete": {"kind": "post", "app": "draft", "args": lambda w, a: [_attachment(w, a).pk],
                                       "actors": {"owner", "colleague"}},
    "applications:attachment_move": {"kind": "post", "app": "draft", "args": lambda w, a: [_attachment(w, a).pk],
                                     "actors": {"owner", "colleague"}, "setup": _second_attachment,
                                     "data": lambda w, a: {"direction": "down"}},
    # a narrative's images (000 附件1 三 必要时使用图表): inserted by the applicant's members on a draft, shown to
    # whoever may read the application
    "applications:narrative_image_upload": {"kind": "post", "app": "draft", "args": lambda w, a: [a.pk],
                                            "actors": {"owner", "colleague"},
                                            "data": lambda w, a: {"file": _jpeg()}},
    "applications:narrative_image": {"kind": "get", "app": "draft",
                                     "args": lambda w, a: [a.pk, _narrative_image(w, a).pk],
                                     "allowed": VIEWERS},
    "applications:programs": {"kind": "public"},
    "applications:program_detail": {"kind": "public", "args": lambda w, a: [w.cultivation.code]},
    "review:my_panels": {"kind": "login"},
    "publicity:index": {"kind": "public"},
    # authentication pages
    "login": {"kind": "guest"},  # signed-in users are sent on to their dashboard
    "logout": {"kind": "logout"},
    "password_change": {"kind": "login"},
    "password_change_done": {"kind": "login"},
    "password_reset": {"kind": "public"},
    "password_reset_done": {"kind": "public"},
    # a forged link: the page says the link is not valid, to everyone
    "password_reset_confirm": {"kind": "public", "args": lambda w, a: ["MQ", "set-password"]},
    "password_reset_complete": {"kind": "public"},
    # registration (tests/accounts/test_registration.py covers the token and POST-only pages)
    "register": {"kind": "guest"},
    "register_organization": {"kind": "guest"},
    "register_individual": {"kind": "guest"},
    "register_done": {"kind": "public"},
    # a forged confirmation link opens nothing for anyone
    "confirm_email": {"kind": "get", "app": None, "args": lambda w, a: ["forged-token"], "allowed": set(),
                      "anonymous": 404},
    "organization_invite": {"kind": "login"},
    # the organization's members revoke its invitations; everyone else 404
    "invitation_revoke": {"kind": "post", "app": None, "args": lambda w, a: [w.invitation.pk],
                          "actors": {"owner", "colleague"}},
    # whoever holds the link opens the invitation (signed in: to accept it; a visitor: to register)
    "invitation_accept": {"kind": "public", "args": lambda w, a: [w.invitation.token]},
    "applications:industry_search": {"kind": "login"},
    # the recommending authority's pre-review: GET pages for every viewer, writes the region's bureau's alone
    "review:prereview_list": {"kind": "login"},  # the user's authority scopes only (empty for others)
    "review:prereview_detail": {"kind": "get", "args": lambda w, a: [a.pk], "allowed": VIEWERS},
    "review:prereview_diff": {"kind": "get", "args": lambda w, a: [a.pk], "allowed": VIEWERS},
    "review:prereview_checklist": {"kind": "post", "app": "submitted", "args": lambda w, a: [a.pk],
                                   "actors": {"authority"}, "data": _checklist},
    "review:prereview_return": {"kind": "post", "app": "submitted", "args": lambda w, a: [a.pk],
                                "actors": {"authority"}, "data": _return},
    "review:prereview_solicit": {"kind": "post", "app": "submitted", "args": lambda w, a: [a.pk],
                                 "actors": {"authority"},
                                 "data": lambda w, a: {"department": "税务部门", "asked_on": _today(), "reader": ""}},
    "review:prereview_answer": {"kind": "post", "app": "prereviewed", "args": lambda w, a: [a.pk],
                                "actors": {"authority"},
                                "data": lambda w, a: {"opinion": a.department_opinions.first().pk,
                                                      "answer": "no_objection", "content": "已复核，无异议。",
                                                      "answered_on": _today()}},
    "review:prereview_publicity": {"kind": "post", "app": "submitted", "args": lambda w, a: [a.pk],
                                   "actors": {"authority"},
                                   "data": lambda w, a: {"starts_on": _today(), "ends_on": _today(),
                                                         "channel": "郑州市市场监督管理局门户网站",
                                                         "objections_received": "0"}},
    "review:prereview_opinion": {"kind": "post", "app": "submitted", "args": lambda w, a: [a.pk],
                                 "actors": {"authority"}, "data": lambda w, a: {"suggest": "1"}},
    "review:prereview_sign": {"kind": "post", "app": "submitted", "args": lambda w, a: [a.pk],
                              "actors": {"authority"}, "setup": _draft_opinion,
                              "data": _sign},
    "review:prereview_government": {"kind": "post", "app": "submitted", "args": lambda w, a: [a.pk],
                                    "actors": {"authority"},
                                    "data": lambda w, a: {"issued_on": _today(), "file": _pdf("市政府推荐意见.pdf")}},
    "review:prereview_recommend": {"kind": "post", "app": "prereviewed", "args": lambda w, a: [a.pk],
                                   "actors": {"authority"}},
    # reply letters and the government's scan: the bureau, the secretariat and supervisors
    "review:prereview_file": {"kind": "get", "args": lambda w, a: ["government", a.government_opinions.get().pk],
                              "allowed": {"authority", "secretariat", "supervisor"}},
    # the secretariat's eligibility review
    "review:eligibility_list": {"kind": "login"},  # shows only the user's programs as secretariat
    "review:eligibility_detail": {"kind": "get", "args": lambda w, a: [a.pk], "allowed": VIEWERS},
    "review:eligibility_start": {"kind": "post", "app": "recommended", "args": lambda w, a: [a.pk],
                                 "actors": {"secretariat"}},
    "review:eligibility_recompute": {"kind": "post", "app": "eligibility", "args": lambda w, a: [a.pk],
                                     "actors": {"secretariat"}},
    "review:eligibility_exclusions": {"kind": "post", "app": "eligibility", "args": lambda w, a: [a.pk],
                                      "actors": {"secretariat"}, "data": _exclusions},
    # the secretariat's judgement of a flagged check: past the access check (its own validation may still refuse)
    "review:eligibility_flag": {"kind": "post", "app": "eligibility", "args": lambda w, a: [a.pk],
                                "actors": {"secretariat"}, "reaches": True,
                                "data": lambda w, a: {"code": "accidents", "answer": "pass", "reason": "已核实"}},
    "review:eligibility_decide": {"kind": "post", "app": "eligibility", "args": lambda w, a: [a.pk, "accept"],
                                  "actors": {"secretariat"}, "data": lambda w, a: {"reason": ""}},
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


def _url_of(name):
    return MATRIX[name].get("url", name)  # "name#variant" entries try one URL in another way


def test_every_url_has_an_access_entry():
    names = set(_url_names(get_resolver().url_patterns))
    covered = {_url_of(n) for n in MATRIX}
    assert names - covered == set(), "add the new URL to MATRIX with its access rule"
    assert covered - names == set(), "MATRIX names a URL that no longer exists"


def test_every_entry_has_a_kind_the_matrix_runs():
    unknown = {name: e.get("kind") for name, e in MATRIX.items() if e.get("kind") not in EXECUTORS}
    assert unknown == {}, "each entry's kind must be one of EXECUTORS (an unknown kind would pass untested)"
    for name, entry in MATRIX.items():
        if entry["kind"] == "post":
            assert entry.get("actors") is not None, f"{name}: say who may act (an empty set if nobody may here)"
            assert set(entry["actors"]) <= set(MATRIX_PEOPLE), name
        if entry["kind"] == "get":
            assert entry.get("allowed") is not None, f"{name}: say who gets the page"


# --- the states, built once --------------------------------------------------------------------------------
def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HERE = pathlib.Path(__file__).parent
_world_module = _load("access_world", HERE / "conftest.py")
_review_module = _load("access_review_world", HERE.parent / "review" / "conftest.py")


def _build(w):
    """The people and one application per state the actions need, each through the real workflow."""
    from django.core.management import call_command
    from guardian.shortcuts import assign_perm

    from demo.review import complete_sample_prereview
    from qualityaward.accounts.services import Actor, invite_colleague
    from review.committee import services as committee
    from review.panels.models import Panel, PanelMember, Recusal
    from review.panels.services import accept_pledge

    drive = _world_module._drive
    w.superuser = type(w.owner).objects.create_superuser(username="root", password=PASSWORD,
                                                        email="root@example.cn", full_name="系统超级用户")
    # the panel application: material review, a seated leader, a recused member, a reserve, two grants
    panel = drive(w, w.new_app(), State.MATERIAL_REVIEW)
    seats = Panel.objects.create(application=panel, stage=Panel.Stage.MATERIAL)
    PanelMember.objects.create(panel=seats, expert=w.expert, role=PanelMember.Role.LEADER)
    PanelMember.objects.create(panel=seats, expert=w.recused_expert, role=PanelMember.Role.MEMBER)
    PanelMember.objects.create(panel=seats, expert=w.reserve_expert, role=PanelMember.Role.RESERVE)
    accept_pledge(panel=seats, actor=Actor(user=w.expert), conflict=False)
    Recusal.objects.create(application=panel, user=w.recused_expert, reason="曾在申报单位任职")
    assign_perm("applications.read_application", w.grantee, panel)
    assign_perm("applications.read_application", w.recused_grantee, panel)
    Recusal.objects.create(application=panel, user=w.recused_grantee, reason="与申报单位存在利害关系")

    # the matrix's program stands for one whose document hands out a certificate with the award (息县 第二十六条,
    # 巩义 第十七条（八）, 金水 第十六条) and may revoke it, so that those pages are in the matrix
    profile = w.cultivation.profile
    profile.outcome = profile.Outcome.AWARD
    profile.revocation_window_years = 3  # and provides for revocation (息县 第三十四条), for the revocation pages
    profile.save()
    awarded = drive(w, w.new_app(name="已授奖的申报"), State.AWARDED)
    prereviewed = drive(w, w.new_app(name="初审完成待推荐的申报"), State.SUBMITTED)
    complete_sample_prereview(application=prereviewed, actor=Actor(user=w.authority))
    w.apps = {
        "panel": panel,
        "draft": w.new_app(name="草稿中的申报"),
        "submitted": drive(w, w.new_app(name="已提交的申报"), State.SUBMITTED),
        "prereviewed": prereviewed,
        "recommended": drive(w, w.new_app(name="已推荐的申报"), State.RECOMMENDED),
        "eligibility": drive(w, w.new_app(name="资格审核中的申报"), State.ELIGIBILITY_REVIEW),
        "awarded": awarded,
    }
    # a 息县 candidate before the committee: its applicant, a committee member, an open vote
    xx = _review_module.Committee(w, "xixian", members=1)
    w.committee_xx = xx.members[0]
    w.apps["xixian_finalist"] = xx.finalist("息县候选测试公司")
    w.owner_xx = w.apps["xixian_finalist"].owner
    voted = xx.finalist("息县表决测试公司")
    w.vote = committee.open_session(campaign=xx.campaign, actor=Actor(user=xx.secretariat),
                                    candidates=[(voted, xx.tiers[0])])
    w.apps["committee"] = Application.objects.get(pk=voted.pk)
    # a 息县 application in the secretariat's eligibility review (its consultation of the departments, 第十七条)
    from applications import workflow

    org = xx.organization("息县资格审查中的申报")  # its own applicant: the matrix's organization stays out of 息县
    applicant = org.members.order_by("pk").first()
    in_review = w.new_app(owner=applicant, organization=org, campaign=w.xixian_campaign, region=w.xixian_county,
                          name="息县资格审查中的申报")
    workflow.perform(application=in_review, name="submit", actor=Actor(user=applicant))
    workflow.perform(application=in_review, name="start_eligibility_review", actor=Actor(user=w.secretariat_other))
    w.apps["xixian_eligibility"] = Application.objects.get(pk=in_review.pk)
    # a cultivation application whose expert evaluation has concluded (000 五（五）: 征求意见 before the 入库 publicity)
    w.apps["finalist"] = drive(w, w.new_app(name="专家评估完成的申报"), State.FINALIST)
    w.xx = xx
    w.invitation = invite_colleague(actor=Actor(user=w.owner), organization=w.org,
                                    email="new-colleague@example.cn").invitation
    return w


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """The matrix's world, built once inside a transaction that is rolled back after the module."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            from django.core.management import call_command

            call_command("loaddata", "regions", "gbt19580", "programs", verbosity=0)
            w = _build(_world_module.World())
            w.people = {name: getattr(w, name) for name in MATRIX_PEOPLE}
            w.clients = {}
            for name, user in w.people.items():
                w.clients[name] = Client()
                w.clients[name].force_login(user)
            yield w
            transaction.set_rollback(True)


@contextlib.contextmanager
def _rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


_STATIC = ("django_session", "django_migrations", "django_content_type", "auth_permission", "axes_")


def _snapshot():
    """A digest of every row the portal writes (denied-access audit events aside: those are the audit view's
    record of the attempt itself)."""
    from qualityaward.accounts.models import AuditEvent, Region

    digest = hashlib.blake2b()
    skip = {Region._meta.db_table}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in skip or table.startswith(_STATIC) or "industr" in table or "classification" in table:
                continue
            if table == AuditEvent._meta.db_table:
                cursor.execute(f'SELECT * FROM "{table}" WHERE action <> %s', ["access:denied"])
            else:
                cursor.execute(f'SELECT * FROM "{table}"')
            digest.update(table.encode())
            digest.update(repr(sorted(map(repr, cursor.fetchall()))).encode())
    return digest.hexdigest()


def _fresh(app):
    return None if app is None else Application.objects.get(pk=app.pk)


def _allowed(w, entry, app):
    allowed = entry["allowed"]
    if allowed == VIEWERS:
        return {n for n, u in w.people.items() if can_view(type(u).objects.get(pk=u.pk), app)}
    return set(allowed)


def _assert_refused(w, url_name, name, app, response, entry):
    user = type(w.people[name]).objects.get(pk=w.people[name].pk)
    if app is not None and not can_view(user, app) and name not in entry.get("sees_object", ()):
        assert response.status_code == 404, (url_name, name, response.status_code)
        assert app.applicant_name not in response.content.decode(), (url_name, name)
    else:
        assert response.status_code in (403, 404), (url_name, name, response.status_code)


def _run_page(w, url_name, entry):
    app = _fresh(w.apps.get(entry.get("app", "panel"))) if entry.get("app", "panel") else None
    url = _url(w, url_name, entry, app)
    anonymous = Client().get(url)
    kind = entry["kind"]
    if kind in ("public", "guest"):
        assert anonymous.status_code == 200, (url_name, "anonymous", anonymous.status_code)
    else:
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], (url_name, "anonymous")
    for name, client in w.clients.items():
        response = client.get(url)
        if kind == "guest":
            assert response.status_code == 302 and response["Location"] == "/", (url_name, name)
        elif kind == "applicant":  # only applicant accounts apply
            expected = 200 if name in ("owner", "colleague", "stranger", "owner_xx") else 403
            assert response.status_code == expected, (url_name, name, response.status_code)
        else:
            assert response.status_code == 200, (url_name, name, response.status_code)


def _url(w, url_name, entry, app):
    if "setup" in entry:
        entry["setup"](w, app)
    query = entry["query"](w, app) if "query" in entry else ""
    return reverse(_url_of(url_name), args=entry.get("args", lambda w, a: [])(w, app)) + query


def _run_get(w, url_name, entry):
    app = _fresh(w.apps[entry.get("app", "panel")]) if entry.get("app", "panel") else None
    url = _url(w, url_name, entry, app)
    anonymous = Client().get(url)
    if "anonymous" in entry:
        assert anonymous.status_code == entry["anonymous"], (url_name, "anonymous", anonymous.status_code)
    else:
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], (url_name, "anonymous")
    allowed = _allowed(w, entry, app)
    for name, client in w.clients.items():
        response = client.get(url)
        if name in allowed:
            assert response.status_code == entry.get("status", 200), (url_name, name, response.status_code)
        else:
            _assert_refused(w, url_name, name, app, response, entry)


def _post(client, url, entry, w, app):
    if "json" in entry:
        return client.post(url, json.dumps(entry["json"](w, app)), content_type="application/json")
    return client.post(url, entry.get("data", lambda w, a: {"reason": "测试"})(w, app))


def _run_post(w, url_name, entry):
    key = entry.get("app", "panel")
    app = _fresh(w.apps[key]) if key else None
    url = _url(w, url_name, entry, app)
    for name in sorted(entry["actors"]):
        with _rolled_back():
            before = _snapshot()
            response = _post(w.clients[name], url, entry, w, _fresh(app))
            if entry.get("reaches"):  # past the access check; the action's own guard may still refuse
                assert response.status_code not in (403, 404), (url_name, name, response.status_code)
                continue
            assert response.status_code in entry.get("status", (200, 302)), (
                url_name, name, response.status_code, response.content.decode()[:600])
            assert _snapshot() != before, (url_name, name, "succeeded without writing anything")
    with _rolled_back():
        before = _snapshot()
        response = Client().post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], (url_name, "anonymous")
        for name, client in w.clients.items():
            if name in entry["actors"]:
                continue  # tried above
            response = _post(client, url, entry, w, _fresh(app))
            if name in entry.get("no_op", ()):  # may ask, and nothing comes of it
                assert response.status_code not in (403, 404), (url_name, name, response.status_code)
            else:
                _assert_refused(w, url_name, name, app, response, entry)
        assert _snapshot() == before, (url_name, "a refused request wrote to the database")


def _run_logout(w, url_name, entry):
    for name, user in w.people.items():
        client = Client()
        client.force_login(user)
        assert client.post(reverse(url_name)).status_code == 302, name
        assert client.get(reverse("dashboard")).status_code == 302, name  # signed out


EXECUTORS = {"public": _run_page, "guest": _run_page, "login": _run_page, "applicant": _run_page,
             "get": _run_get, "post": _run_post, "logout": _run_logout}


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_matrix(matrix_world, db, url_name):
    entry = MATRIX[url_name]
    EXECUTORS[entry["kind"]](matrix_world, url_name, entry)


# --- the admin ----------------------------------------------------------------------------------------------------
def _scoped_admins():
    from django.contrib import admin

    from applications.admin import SecretariatScopedAdmin

    return sorted((m._meta.label_lower, a) for m, a in admin.site._registry.items()
                  if isinstance(a, SecretariatScopedAdmin))


def test_every_admin_page_of_program_data_is_scoped():
    """Models of one program's records are registered through the one scoping rule."""
    labels = {label for label, _ in _scoped_admins()}
    assert {"applications.application", "applications.generateddocument", "applications.eligibilityreview",
            "applications.acceptancelist", "publicity.notice", "review.panel", "review.recusal", "review.pledge",
            "review.paneldraw", "review.scoresheet", "review.stageresult", "review.votesession", "review.award",
            "review.selfassessmentreport", "applications.campaign", "applications.ruleprofile"} <= labels


@pytest.mark.parametrize("label", [label for label, _ in _scoped_admins()])
def test_admin_in_the_matrix(matrix_world, db, label):
    """The cultivation secretariat sees and opens only the cultivation program's objects, the 息县 secretariat only
    息县's; a superuser sees both; nobody else reaches the admin."""
    from django.contrib import admin
    from django.apps import apps as django_apps

    w = matrix_world
    model = django_apps.get_model(label)
    model_admin = admin.site._registry[model]
    path = f"{model_admin.program_path}__in"
    own = model._default_manager.filter(**{path: [w.cultivation.pk]}).first()
    other = model._default_manager.filter(**{path: [w.xixian.pk]}).first()
    meta = model._meta
    changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")

    def change(obj):
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])

    for name, sees in [("superuser", {"cultivation", "xixian"}), ("secretariat", {"cultivation"}),
                       ("secretariat_other", {"xixian"})]:
        client = w.clients[name]
        body = client.get(changelist).content.decode()
        for program, obj in [("cultivation", own), ("xixian", other)]:
            if obj is None:
                continue
            assert (change(obj) in body) == (program in sees), (label, name, program)
            response = client.get(change(obj))
            if program in sees:
                assert response.status_code == 200, (label, name, program, response.status_code)
            else:  # the admin answers a missing object by going back to its index
                assert response.status_code in (302, 404), (label, name, program, response.status_code)
                assert obj is None or str(obj.pk) not in response.get("Location", "").split("/")
            posted = client.post(change(obj), {})  # nothing is changed from outside the program
            if program not in sees:
                assert posted.status_code in (302, 403, 404), (label, name, program, posted.status_code)
    for name in ("owner", "authority", "expert", "supervisor", "committee"):
        response = w.clients[name].get(changelist)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (label, name)

