"""The secretariat's pages for its program's candidate list (``pool``): view, search, add, edit, delete, import
(Excel or CSV, all or nothing) and the template. Only the program's secretariat; anyone else gets 404."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.models import Program
from qualityaward.accounts.services import Actor

from . import pool
from .models import CandidatePoolEntry

NOT_FOUND = "没有找到该页面，或您无权查看。"


class EntryForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=120)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30)
    year = forms.CharField(label="认定（推荐）年度", max_length=6)
    title = forms.CharField(label="项目（质量标杆名称）", max_length=200)
    status = forms.ChoiceField(label="类别", choices=CandidatePoolEntry.Status.choices)


class PoolImportForm(forms.Form):
    file = forms.FileField(label="名单文件（.xlsx 或 .csv）",
                           help_text="请按模板填写；整个文件无误才会导入，有错误时名单不做任何修改。")


def _program(request, code):
    program = Program.objects.select_related("profile").filter(code=code).first()
    if program is None or not program.profile.candidate_pool_rule or not pool.may_keep(request.user, program):
        raise Http404(NOT_FOUND)
    return program


def _page(request, program, *, form=None, import_form=None, errors=(), status=200):
    q = (request.GET.get("q") or "").strip()[:40]
    page = Paginator(pool.entries(program, q), 50).get_page(request.GET.get("page"))
    return render(request, "review/prereview/pool.html", {
        "program": program, "page": page, "q": q, "form": form or EntryForm(prefix="entry"),
        "import_form": import_form or PoolImportForm(), "errors": errors,
        "label": pool.pool_label(program.profile)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def pool_list(request, code):
    """The list, with the form to add an entry (POST)."""
    program = _program(request, code)
    if request.method == "GET":
        return _page(request, program)
    form = EntryForm(request.POST, prefix="entry")
    if form.is_valid():
        try:
            entry = pool.save_entry(actor=Actor.from_request(request), program=program, values=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, f"已添加：{entry.year}年度 {entry.name}。")
            return redirect("review:pool_list", code=program.code)
    return _page(request, program, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def pool_edit(request, code, pk):
    program = _program(request, code)
    entry = CandidatePoolEntry.objects.filter(program=program, pk=pk).first()
    if entry is None:
        raise Http404(NOT_FOUND)
    initial = {"name": entry.name, "credit_code": entry.credit_code, "year": entry.year, "title": entry.title,
               "status": entry.status}
    form = EntryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                pool.save_entry(actor=Actor.from_request(request), program=program, values=form.cleaned_data,
                                entry=entry)
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                messages.success(request, "已保存。")
                return redirect("review:pool_list", code=program.code)
        status = 400
    return render(request, "review/prereview/pool_edit.html", {"program": program, "entry": entry, "form": form},
                  status=status)


@login_required
@require_POST
def pool_delete(request, code, pk):
    program = _program(request, code)
    entry = CandidatePoolEntry.objects.filter(program=program, pk=pk).first()
    if entry is None:
        raise Http404(NOT_FOUND)
    pool.delete_entry(actor=Actor.from_request(request), program=program, entry=entry)
    messages.success(request, f"已删除：{entry.year}年度 {entry.name}。")
    return redirect("review:pool_list", code=program.code)


@login_required
@require_POST
def pool_import(request, code):
    from ..panels.services import ImportRefused

    program = _program(request, code)
    form = PoolImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, program, import_form=form, status=400)
    try:
        result = pool.import_pool(actor=Actor.from_request(request), program=program,
                                  uploaded=form.cleaned_data["file"])
    except ImportRefused as exc:
        return _page(request, program, import_form=form, errors=exc.errors, status=400)
    messages.success(request, f"导入完成：新增 {result.created} 条，更新 {result.updated} 条，"
                              f"未变 {result.unchanged} 条。")
    return redirect("review:pool_list", code=program.code)


@login_required
@require_GET
def pool_template(request, code):
    program = _program(request, code)
    response = HttpResponse(pool.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=\"pool-{program.code}.csv\""
    return response
