"""The applicant's form: overview with progress, one page per section, autosave, uploads."""
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_GET, require_POST

from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role
from qualityaward.accounts.services import Actor

from ..documents.docx import build_docx
from ..models import ApplicationSection, Attachment
from ..rules import is_owner
from ..selectors import application_for_user_or_404
from . import richtext
from . import services as fs
from .spec import (
    STATE_SECRET_WARNING, Field, Grid, Table, UploadSlot, consistency_warnings, form_for, missing_in_section, section_chars,
)
from .textcount import rule_json


@login_required
@require_GET
def form_overview(request, pk):
    app = application_for_user_or_404(user=request.user, pk=pk)
    entries = fs.progress(app)
    editable = set(fs.editable_section_codes(app)) if is_owner(request.user, app) else set()
    missing = fs.missing_for_submission(app, entries)
    return render(request, "applications/form/overview.html", {
        "app": app, "spec": form_for(app), "entries": entries, "editable": editable, "missing": missing,
        "done": sum(1 for e in entries if e["complete"]),
    })


def _row_count(item, data):
    rows = data.get(item.key) or []
    return max(len(rows), item.min_rows, 1)


def _layout(section, data, errors, attachments, *, application_id=None):
    """Turn a section's items into render-ready blocks (keeps the template simple). A narrative (richtext)
    comes with its sanitized HTML (a plain text stored before the field was rich, as paragraphs)."""
    blocks = []
    for item in section.items:
        if isinstance(item, Field):
            value = data.get(item.key, "")
            html = richtext.as_html(value, application_id=application_id) if item.type == "richtext" else ""
            blocks.append({"kind": "field", "f": item, "value": value, "path": item.key, "html": html,
                           "error": errors.get(item.key)})
        elif isinstance(item, Table):
            rows = data.get(item.key) or []
            rendered = []
            for i in range(_row_count(item, data)):
                row = rows[i] if i < len(rows) else {}
                rendered.append([{"f": c, "value": row.get(c.key, ""), "path": f"{item.key}.{i}.{c.key}",
                                  "error": errors.get(f"{item.key}.{i}.{c.key}")} for c in item.columns])
            blocks.append({"kind": "table", "t": item, "rows": rendered, "error": errors.get(item.key)})
        elif isinstance(item, Grid):
            grid = data.get(item.key) or {}
            rows = []
            for key, label, unit, _lo, _hi in item.rows:
                cells = [{"path": f"{item.key}.{key}.{y}", "value": (grid.get(key) or {}).get(y, ""),
                          "error": errors.get(f"{item.key}.{key}.{y}"), "label": f"{label}（{y}年）"}
                         for y in item.years]
                cells += [{"path": f"{item.key}.{key}.{c}", "value": (grid.get(key) or {}).get(c, ""),
                           "error": errors.get(f"{item.key}.{key}.{c}"), "label": f"{label}（{cl}）", "text": True}
                          for c, cl in item.extra_columns]
                rows.append({"label": label, "unit": unit, "cells": cells})
            blocks.append({"kind": "grid", "g": item, "rows": rows})
        elif isinstance(item, UploadSlot):
            files = [a for a in attachments if a.slot == item.key]
            blocks.append({"kind": "upload", "u": item, "files": files,
                           "pages": sum(a.pages for a in files)})
    return blocks


@login_required
@require_GET
def section_edit(request, pk, code):
    app = application_for_user_or_404(user=request.user, pk=pk)
    spec = form_for(app)
    section = spec.section(code)
    if section is None:
        raise Http404("没有这一部分。")
    row = ApplicationSection.objects.filter(application=app, code=code).first()
    data, version = (row.data, row.version) if row else ({}, 0)
    editable = is_owner(request.user, app) and code in fs.editable_section_codes(app)
    attachments = list(Attachment.objects.filter(application=app).order_by("slot", "order", "pk"))
    codes = [s.code for s in spec.sections]
    i = codes.index(code)
    return render(request, "applications/form/section.html", {
        "app": app, "spec": spec, "section": section,
        "blocks": _layout(section, data, {}, attachments, application_id=app.pk),
        "version": version, "editable": editable, "row": row,
        "chars": section_chars(section, data),
        "missing": missing_in_section(section, data, fs.upload_counts(app)),
        "warnings": consistency_warnings(section, data),
        "previous": codes[i - 1] if i > 0 else None, "next": codes[i + 1] if i + 1 < len(codes) else None,
        "count_rule": rule_json(),
        "state_secret_warning": STATE_SECRET_WARNING,
        "has_uploads": any(isinstance(it, UploadSlot) for it in section.items),
        "has_fields": any(not isinstance(it, UploadSlot) for it in section.items),
        "has_rich": any(getattr(it, "type", "") == "richtext" for it in section.items),
        "suggestion": fs.org_size_suggestion(app) if code == "basic" else None,
        "entries": fs.progress(app),
    })


@login_required
@require_POST
def section_save(request, pk, code):
    """Autosave. Body: JSON {"version": n, "data": {...}}. Answers JSON the page script understands."""
    app = application_for_user_or_404(user=request.user, pk=pk)
    if not is_owner(request.user, app):
        raise PermissionDenied("只有申报单位的账号可以修改申报材料。")
    try:
        body = json.loads(request.body.decode("utf-8"))
        base_version = int(body.get("version"))
        data = body.get("data")
        if not isinstance(data, dict):
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError, AttributeError):
        return JsonResponse({"ok": False, "message": "提交的数据格式不正确，请刷新页面后重试。"}, status=400)
    try:
        result = fs.save_section(application=app, code=code, data=data, base_version=base_version,
                                 actor=Actor.from_request(request))
    except fs.SectionConflict as conflict:
        row = conflict.current
        return JsonResponse({
            "ok": False, "conflict": True, "version": row.version, "data": row.data,
            "saved_by": str(row.updated_by) if row.updated_by else "", "saved_at": row.updated_at.isoformat(),
            "message": f"这一部分已被{row.updated_by or '他人'}在其他页面保存过（版本 {row.version}）。请选择保留哪个版本。",
        }, status=409)
    except PermissionDenied as exc:
        return JsonResponse({"ok": False, "message": str(exc)}, status=403)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "message": "；".join(exc.messages)}, status=400)
    if result.errors:
        return JsonResponse({"ok": False, "errors": result.errors, "version": result.section.version,
                             "message": "有内容不符合要求，尚未保存。请按提示修改。"}, status=400)
    return JsonResponse({"ok": True, "version": result.section.version,
                         "saved_at": result.section.updated_at.isoformat(), "missing": result.missing,
                         "warnings": result.warnings, "chars": result.chars, "suggestion": result.suggestion})


def _back_to_section(app, code, slot=None):
    return redirect(reverse("applications:section", args=[app.pk, code]) + (f"#upload-{slot}" if slot else "#uploads"))


def _section_of_slot(app, slot):
    for section in form_for(app).sections:
        if any(getattr(i, "key", None) == slot for i in section.items if isinstance(i, UploadSlot)):
            return section.code
    raise Http404("没有这一类材料。")


@login_required
@require_POST
def attachment_upload(request, pk, slot):
    app = application_for_user_or_404(user=request.user, pk=pk)
    code = _section_of_slot(app, slot)
    if not is_owner(request.user, app):
        raise PermissionDenied("只有申报单位的账号可以上传材料。")
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, "请选择要上传的文件。")
        return _back_to_section(app, code)
    for upload in files:
        try:
            fs.add_attachment(application=app, slot_key=slot, uploaded=upload, title=request.POST.get("title", ""),
                              actor=Actor.from_request(request))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            break
        else:
            messages.success(request, f"已上传“{upload.name}”。")
    return _back_to_section(app, code, slot)


def _attachment_for_user_or_404(request, attachment_id):
    attachment = Attachment.objects.select_related("application").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("没有找到该文件，或您无权查看。")
    application_for_user_or_404(user=request.user, pk=attachment.application_id)
    return attachment


@login_required
@require_POST
def attachment_delete(request, attachment_id):
    attachment = _attachment_for_user_or_404(request, attachment_id)
    if not is_owner(request.user, attachment.application):
        raise PermissionDenied("只有申报单位的账号可以删除材料。")
    fs.remove_attachment(attachment=attachment, actor=Actor.from_request(request))
    messages.success(request, f"已删除“{attachment.title or attachment.original_name}”。")
    return _back_to_section(attachment.application, _section_of_slot(attachment.application, attachment.slot))


@login_required
@require_POST
def attachment_move(request, attachment_id):
    attachment = _attachment_for_user_or_404(request, attachment_id)
    if not is_owner(request.user, attachment.application):
        raise PermissionDenied("只有申报单位的账号可以调整材料顺序。")
    direction = "up" if request.POST.get("direction") == "up" else "down"
    fs.move_attachment(attachment=attachment, direction=direction, actor=Actor.from_request(request))
    return _back_to_section(attachment.application, _section_of_slot(attachment.application, attachment.slot))


@login_required
@require_GET
def attachment_download(request, attachment_id):
    attachment = _attachment_for_user_or_404(request, attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=request.GET.get("inline") != "1",
                        filename=attachment.original_name, content_type=attachment.content_type)


@login_required
@require_POST
def narrative_image_upload(request, pk):
    """An image for a narrative (richtext field), answered as JSON {"ok", "url"} for the editor's script."""
    app = application_for_user_or_404(user=request.user, pk=pk)
    if not is_owner(request.user, app):
        return JsonResponse({"ok": False, "message": "只有申报单位的账号可以插入图片。"}, status=403)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"ok": False, "message": "请选择要插入的图片（JPG 或 PNG）。"}, status=400)
    try:
        image = fs.add_narrative_image(application=app, uploaded=upload, actor=Actor.from_request(request))
    except PermissionDenied as exc:
        return JsonResponse({"ok": False, "message": str(exc)}, status=403)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "message": "；".join(exc.messages)}, status=400)
    return JsonResponse({"ok": True, "url": richtext.image_url(app.pk, image.pk), "name": image.original_name})


@login_required
@require_GET
def narrative_image(request, pk, image_id):
    """A narrative image, shown inline to whoever may read the application."""
    app = application_for_user_or_404(user=request.user, pk=pk)
    image = Attachment.objects.filter(application=app, slot=richtext.IMAGE_SLOT, pk=image_id).first()
    if image is None:
        raise Http404("没有找到该图片，或您无权查看。")
    response = FileResponse(image.file.open("rb"), content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def form_docx(request, pk):
    """The filled form as a Word document in the official layout (the seed asks for a Word/WPS copy)."""
    app = application_for_user_or_404(user=request.user, pk=pk)
    full_id = is_owner(request.user, app) or has_role(request.user, Role.SECRETARIAT,
                                                      program_id=app.campaign.program_id)
    data = build_docx(application=app, mask_id_number=not full_id)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    name = f"{app.applicant_name}-{form_for(app).title}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response
