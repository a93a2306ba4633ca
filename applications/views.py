"""Thin views: they read through selectors, write through services and the workflow."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from qualityaward.accounts.services import Actor

from . import dashboard_cache, recommenders, workflow
from .forms import services as form_services
from .forms.forms import ApplicationCreateForm, TransitionForm
from .forms.spec import form_for
from .history import history_for
from .models import Application, GeneratedDocument, Program, State
from .rules import is_owner
from .selectors import application_for_user_or_404, applicant_subject, applications_for_user, open_campaigns


@login_required
@require_GET
def application_list(request):
    from .documents.exports import application_list_queryset

    def build():
        qs, state, query = application_list_queryset(user=request.user, params=request.GET)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return {"page": page, "states": State.choices, "state": state, "q": query}

    page = dashboard_cache.cached_fragment(request, name="applications:list", build=build,
                                           template="applications/partials/list_body.html",
                                           parts=dashboard_cache.query_parts(request))
    return render(request, "applications/list.html", page)


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request, campaign_id):
    from .services import ONLY_APPLICANTS_APPLY, may_apply

    if not may_apply(request.user):
        raise PermissionDenied(ONLY_APPLICANTS_APPLY)
    campaign = get_object_or_404(open_campaigns(), pk=campaign_id)
    organization, person = applicant_subject(user=request.user, program=campaign.program)
    form = ApplicationCreateForm(request.POST or None, profile=campaign.program.profile, organization=organization,
                                 person=person)
    if request.method == "POST" and form.is_valid():
        from .services import create_application

        try:
            app = create_application(
                actor=Actor.from_request(request), campaign=campaign, kind=form.cleaned_data["kind"],
                applicant_name=form.cleaned_data["applicant_name"], region=form.cleaned_data["region"],
                organization=organization if form.cleaned_data["kind"] == Application.Kind.ORGANIZATION else None,
                is_little_giant=form.cleaned_data["is_little_giant"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "申报草稿已创建。请逐项填写申报材料，完成后提交。")
            return redirect("applications:detail", pk=app.pk)
    return render(request, "applications/create.html", {"form": form, "campaign": campaign,
                                                        "organization": organization})


@login_required
@require_GET
def application_detail(request, pk):
    def build():
        app = application_for_user_or_404(user=request.user, pk=pk)
        actor = Actor.from_request(request)
        transitions = workflow.available_transitions(app, actor)
        history = history_for(application=app, user=request.user)
        submissions = app.submissions.prefetch_related("documents").order_by("-sequence")
        entries = form_services.progress(app)
        spec = form_for(app)
        can_edit = is_owner(request.user, app) and bool(form_services.editable_section_codes(app))
        return {
            "app": app, "transitions": transitions, "history": history, "submissions": submissions,
            "transition_form": TransitionForm(application=app), "sections_total": len(entries),
            "sections_done": sum(1 for e in entries if e["complete"]), "can_edit": can_edit,
            "missing": form_services.missing_for_submission(app, entries) if can_edit else [],
            "all_sections": spec.sections, "word_url": reverse("applications:form_docx", args=[app.pk]),
            "reopened": [s for s in spec.sections if s.code in (app.reopened_sections or [])],
            "filing": recommenders.filing_summary(app),
            **_certificate_context(request.user, app), "title": app.applicant_name,
        }

    page = dashboard_cache.cached_fragment(request, name="applications:detail", build=build, parts=[pk],
                                           template="applications/partials/detail_body.html", keep=["title"])
    return render(request, "applications/detail.html", page)


def _certificate_context(user, app):
    from .documents.prints import can_see_certificate, certificate_of

    if app.state not in (State.AWARDED, State.REVOKED) or not app.campaign.program.profile.issues_certificate \
            or not can_see_certificate(user, app):
        return {}
    return {"show_certificate": True, "certificate": certificate_of(app)}


@login_required
@require_POST
def application_transition(request, pk, name):
    app = application_for_user_or_404(user=request.user, pk=pk)
    form = TransitionForm(request.POST, application=app)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data().get("tier") or form.errors.as_data().get("reason"))
    params = {"tier": form.cleaned_data["tier"]} if form.cleaned_data.get("tier") else {}
    if name in ("submit", "resubmit") and is_owner(request.user, app):
        from .services import completeness_problems

        problems = completeness_problems(application=app)
        if problems:  # a checklist with a link to each section, not one long refusal
            messages.error(request, f"申报材料尚有 {len(problems)} 项未完成，暂不能提交。请按下面的清单逐项补全后再提交。")
            target = reverse("applications:form", args=[app.pk]) + "#missing-list"
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    if name == "return_for_correction":
        params["sections"] = request.POST.getlist("sections")
    workflow.perform(application=app, name=name, actor=Actor.from_request(request),
                     reason=form.cleaned_data["reason"], **params)
    messages.success(request, f"已完成“{workflow.TRANSITIONS[name].label_for(app)}”，当前状态：{app.get_state_display()}。")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("applications:detail", args=[app.pk]))
    return redirect("applications:detail", pk=app.pk)


def _document_for_user_or_404(user, pk):
    doc = GeneratedDocument.objects.filter(pk=pk).select_related("application__campaign").first()
    if doc is None or not applications_for_user(user=user).filter(pk=doc.application_id).exists():
        raise Http404("没有找到该文件，或您无权查看。")
    if doc.kind == GeneratedDocument.Kind.CERTIFICATE:
        from .documents.prints import can_see_certificate

        if not can_see_certificate(user, doc.application):  # the holder and the secretariat only
            raise Http404("没有找到该文件，或您无权查看。")
    if doc.kind == GeneratedDocument.Kind.DOSSIER:
        from .documents.dossier import may_request_dossier

        if not may_request_dossier(user, doc.application):
            raise PermissionDenied("只有申报人、推荐单位和秘书处可以下载推荐材料（印制装订版）。")
    return doc


@login_required
@require_GET
def document_status(request, pk):
    doc = _document_for_user_or_404(request.user, pk)
    return render(request, "applications/partials/document_status.html", {"doc": doc})


@login_required
@require_GET
def document_download(request, pk):
    doc = _document_for_user_or_404(request.user, pk)
    if doc.status != GeneratedDocument.Status.READY or not doc.file:
        raise Http404("文件尚未生成，请稍后刷新页面。")
    if doc.kind == GeneratedDocument.Kind.CERTIFICATE and doc.application.state != State.AWARDED:
        raise PermissionDenied(f"该申报当前状态为“{doc.application.get_state_display()}”，获奖证书已失效，不能下载。")
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.download_name,
                        content_type="application/pdf")


@require_GET
def program_list(request):
    programs = Program.objects.filter(is_active=True).select_related("profile", "seat_region")
    return render(request, "applications/programs.html", {"programs": programs})


@require_GET
def program_detail(request, code):
    program = get_object_or_404(
        Program.objects.select_related("profile__scoring_scheme").prefetch_related(
            "profile__tiers", "profile__publicity_rules", "profile__exclusions", "profile__department_rules",
            "profile__required_opinions", "campaigns"),
        code=code, is_active=True)
    units = {"local": [], "other": []}
    for unit in program.profile.recommending_units.order_by("kind", "order", "pk"):
        units[unit.kind].append(unit)
    from qualityaward.accounts.models import Role
    from qualityaward.accounts.selectors import has_role

    is_secretariat = request.user.is_authenticated and has_role(request.user, Role.SECRETARIAT, program_id=program.pk)
    return render(request, "applications/program_detail.html", {"program": program, "profile": program.profile,
                                                                 "units": units, "is_secretariat": is_secretariat})
