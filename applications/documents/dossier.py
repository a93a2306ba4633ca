"""The printable dossier (推荐材料印制装订版): one PDF per application, built by a Celery worker.

Seed 000's 填报说明: A4, printed on both sides and bound, the applicant's name on the spine; the cover
carries the name, "（盖章）", the date and the issuing office; form content in 四号; the 推荐表 at most
200 pages and the 证实性材料 at most 100 (individuals 50 and 25; the limits are the rule profile's).

The dossier, in order: the cover; the filled form in its official order (walked by the same builder as
the Word copy, ``docx_export._Builder``, here writing HTML); the recommending authority's signed
opinion and the government's opinion; scanned attachments (opinion scans, seal pages); the evidence
catalog (目录) with page numbers; the evidence (PDF pages and images, each fitted on an A4 page and
numbered); and a spine label. Page numbers run through the whole book but the cover and the label.

WeasyPrint lays out everything in one pass: each evidence PDF page is an empty numbered page in the
HTML, onto which pypdf then draws the uploaded page. So the catalog's page numbers, the bookmarks and
the page numbers of merged pages come out of one layout, and a page count per part comes with it.

A dossier is identified by a hash of what it prints (form content, uploaded files, opinions, the cover's
issuer, the page limits): a request for an unchanged application returns the stored file.
"""
import gc
import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from html import escape, unescape

from django.db import transaction
from django.utils import timezone

from qualityaward.accounts.services import record_event

from .. import jobs
from ..forms import richtext
from ..forms.spec import UploadSlot, form_for
from ..models import Application, Attachment, GeneratedDocument
from ..recommenders import signing_unit_name
from .docx import (
    LAYOUTS, TEXT_WIDTH_CM, _Builder, clean_text, cover_content, display_value, narrative_image_files, paragraphs_of,
)
from .services import BUILDERS, release_free_memory, render_document, young_collections_only

#: Raise when the printed layout changes: every stored dossier is then rebuilt on request.
FORMAT_VERSION = "2"  # 2: narratives printed with their headings, tables and images

A4_WIDTH_PT, A4_HEIGHT_PT = 595.28, 841.89
MM = 72 / 25.4
#: Where merged evidence pages go on the A4 page: margins kept free, the foot for the page number.
EVIDENCE_MARGIN_PT = (10 * MM, 10 * MM, 18 * MM, 10 * MM)  # top, right, bottom, left

CHINESE_NUMERALS = "一二三四五六七八九十"


class DossierError(Exception):
    """A problem the applicant can fix; ``user_message`` is shown on the job."""

    def __init__(self, message):
        super().__init__(message)
        self.user_message = message


# --- who may request -------------------------------------------------------------------------------
def may_request_dossier(user, application):
    """The applicant, the recommending authority of the region and the program's secretariat."""
    from ..rules import is_owner, is_program_secretariat, is_region_authority

    return bool(user and user.is_authenticated and (
        is_owner(user, application) or is_region_authority(user, application)
        or is_program_secretariat(user, application)))


def masks_id_number(user, application):
    """身份证号 prints in full for the applicant and the secretariat only (reference: personal information)."""
    from ..rules import is_owner, is_program_secretariat

    return not (is_owner(user, application) or is_program_secretariat(user, application))


# --- what the dossier prints -----------------------------------------------------------------------
#: The signed opinions the dossier prints belong to review (the bureau's pre-review), which plugs them in
#: from ``ReviewConfig.ready``: ``signed(application)`` gives (the signed initial opinion or None, the
#: government opinion or None); ``parts`` are the initial opinion's (key, label) parts.
OPINIONS = {"signed": lambda application: (None, None), "parts": lambda kind: ()}


def register_opinions(*, signed, parts):
    OPINIONS.update(signed=signed, parts=parts)


def _opinions(application):
    return OPINIONS["signed"](application)


def page_limits(application):
    """(form limit, evidence limit) from the rule profile for the applicant's kind; None means no limit."""
    profile = application.campaign.program.profile
    if application.kind == Application.Kind.INDIVIDUAL:
        return profile.form_page_limit_individual, profile.evidence_page_limit_individual
    return profile.form_page_limit_organization, profile.evidence_page_limit_organization


def dossier_hash(application, *, masked=False):
    """SHA-256 of everything the dossier prints; equal hashes mean an identical dossier."""
    from ..forms.services import assemble_content

    initial, government = _opinions(application)
    program = application.campaign.program
    payload = {
        "format": FORMAT_VERSION,
        "masked": bool(masked),
        "applicant": application.applicant_name,
        "number": application.number,
        "program": [program.name, program.issuer, program.profile.recommender_label,
                    program.profile.requires_government_opinion],
        "limits": page_limits(application),
        "content": assemble_content(application),
        "attachments": list(Attachment.objects.filter(application=application).order_by("slot", "order", "pk")
                            .values_list("pk", "sha256", "title", "order")),
        "initial_opinion": [initial.pk, initial.text_sha256, initial.signed_at.isoformat(),
                            signing_unit_name(application, initial.signed_by)] if initial else None,
        "government_opinion": [government.pk, government.sha256, government.issued_on.isoformat()]
        if government else None,
        "submitted": [s.isoformat() for s in application.submissions.order_by("-sequence")
                      .values_list("submitted_at", flat=True)[:1]],
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the form as HTML, walked like the Word copy ---------------------------------------------------
_STYLE_TAGS = {
    "Heading 1": ('<h2 class="section">', "</h2>"),
    "Heading 2": ('<h3 class="item">', "</h3>"),
    "Abstract Heading": ('<h3 class="abstract">', "</h3>"),
    "Document Title": ('<h1 class="doc-title">', "</h1>"),
    "Form Body": ('<p class="body">', "</p>"),
    "Form Note": ('<p class="note">', "</p>"),
    "Form Cell": ('<p class="cell">', "</p>"),
}


def _cell(text):
    parts = text if isinstance(text, list) else [text]
    return "".join(f"<p>{escape(clean_text(p))}</p>" if len(parts) > 1 else escape(clean_text(p)) for p in parts)


class HtmlFormBuilder(_Builder):
    """The Word copy's walk over the FormSpec (sections, field tables, grids, transposed tables), emitting
    HTML. Upload slots print where their files are in this dossier instead of a file list."""

    def __init__(self, layout, *, files, mask_id_number, anchors):
        self.layout = layout
        self.files = files
        self.mask_id_number = mask_id_number
        self.anchors = anchors  # slot -> (anchor id, printed) for uploads placed elsewhere in the dossier
        self.out = []

    def para(self, text, style):
        start, end = _STYLE_TAGS[style]
        self.out.append(f"{start}{escape(clean_text(text))}{end}")

    def value(self, field, raw):
        return display_value(field, raw, mask_id_number=self.mask_id_number)

    def _colgroup(self, widths_cm):
        total = sum(widths_cm) or 1
        return "<colgroup>" + "".join(f'<col style="width:{w / total * 100:.2f}%">' for w in widths_cm) + "</colgroup>"

    def table(self, header, rows, widths_cm):
        head = "".join(f"<th>{_cell(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows)
        self.out.append(f'<table class="grid">{self._colgroup(widths_cm)}<thead><tr>{head}</tr></thead>'
                        f"<tbody>{body}</tbody></table>")

    def label_table(self, rows, widths_cm):
        body = "".join(f'<tr><th class="label">{_cell(label)}</th><td>{_cell(value)}</td></tr>'
                       for label, value in rows)
        self.out.append(f'<table class="fields">{self._colgroup(widths_cm)}<tbody>{body}</tbody></table>')

    def body_paragraphs(self, parts):
        self.out.extend(f'<p class="body">{escape(p)}</p>' for p in parts)

    def rich(self, value):
        """A narrative's sanitized HTML as it is, its images pointing at their stored files."""
        html = richtext.as_html(value, application_id=self.application_id)

        def local(match):
            src = re.search(r'\ssrc="([^"]*)"', match[0])
            path = self.image_path(unescape(src[1])) if src else None
            return f'<img src="{escape(_image_uri(path))}" alt="">' if path else ""

        html = re.sub(r"<img\b[^>]*>", local, html)
        self.out.append(f'<div class="narrative">{html}</div>')

    def uploads(self, section, slot, files):
        self.item_heading(section, slot)
        if not files:
            self.para("（未上传）", "Form Cell")
            return
        anchor, printed = self.anchors.get(slot.key, (None, False))
        if printed and anchor:
            what = "证实性材料目录及材料" if slot.titled else "扫描件"
            self.out.append(f'<p class="cell">共 {len(files)} 份，{what}见本册第 <a class="pageref" '
                            f'href="#{anchor}"></a> 页。</p>')
            return
        rows = [[str(n), f.get("name") or f.get("title") or ""] for n, f in enumerate(files, start=1)]
        self.table(["序号", "文件名"], rows, [1.5, TEXT_WIDTH_CM - 1.5])
        self.para(f"共 {len(files)} 个文件（电子版，另行报送）。", "Form Note")

    def html(self):
        return "".join(self.out)


# --- the parts around the form ---------------------------------------------------------------------
@dataclass
class Attached:
    """An uploaded file printed in the dossier: PDF pages merged onto placeholders, or an image page."""

    anchor: str
    title: str
    path: str
    kind: str  # "pdf" or "image"
    pages: int
    placeholders: list = field(default_factory=list)  # anchor ids of the PDF's pages, in order


def _attached(obj, anchor, title):
    is_pdf = (obj.content_type or "").endswith("pdf") or obj.file.name.lower().endswith(".pdf")
    pages = max(int(obj.pages or 1), 1) if is_pdf else 1
    path = obj.file.path if is_pdf else _image_uri(obj.file.path)
    item = Attached(anchor=anchor, title=title, path=path, kind="pdf" if is_pdf else "image", pages=pages)
    if is_pdf:
        item.placeholders = [anchor] + [f"{anchor}-p{n}" for n in range(2, pages + 1)]
    return item


def _next_numeral(spec):
    """The number of the part after the form's numbered sections (五 for both seed forms)."""
    highest = 0
    for s in spec.sections:
        first = (s.number or "").split(".")[0]
        if first in CHINESE_NUMERALS:
            highest = max(highest, CHINESE_NUMERALS.index(first) + 1)
        elif first.isdigit():
            highest = max(highest, int(first))
    return CHINESE_NUMERALS[min(highest, len(CHINESE_NUMERALS) - 1)]


def _image_uri(path):
    from pathlib import Path

    return Path(path).resolve().as_uri()


def dossier_context(application, *, masked=False):
    """Everything ``templates/pdf/dossier.html`` prints, and the files to merge."""
    from ..forms.services import assemble_content

    spec = form_for(application)
    layout = LAYOUTS.get(spec.code, LAYOUTS["organization"])
    content = assemble_content(application)
    sections = content.get("sections") or {}
    program = application.campaign.program
    profile = program.profile
    attachments = list(Attachment.objects.filter(application=application).order_by("slot", "order", "pk"))
    by_slot = {}
    for a in attachments:
        by_slot.setdefault(a.slot, []).append(a)

    slots = [item for s in spec.sections for item in s.items if isinstance(item, UploadSlot)]
    evidence, scans, anchors = [], [], {}
    for slot in slots:
        files = by_slot.get(slot.key, [])
        if slot.titled:
            for a in files:
                evidence.append(_attached(a, f"ev-{a.pk}", a.title or a.original_name))
            anchors[slot.key] = ("catalog", bool(files))
        elif "pdf" in slot.kinds:  # scans printed with the form (opinion scans, seal pages)
            items = [_attached(a, f"scan-{a.pk}", f"{slot.label}{'' if len(files) == 1 else n}")
                     for n, a in enumerate(files, start=1)]
            scans.extend(items)
            if items:
                anchors[slot.key] = (items[0].anchor, True)

    files = {}
    for f in content.get("files") or []:
        files.setdefault(f.get("slot"), []).append(f)
    builder = HtmlFormBuilder(layout, files=files, mask_id_number=masked, anchors=anchors)
    builder.application_id, builder.images = application.pk, narrative_image_files(application)
    title, subtitle, cover_lines = cover_content(application, spec, layout, sections)
    for section in spec.sections:
        data = sections.get(section.code)
        builder.section(section, data if isinstance(data, dict) else {}, title)

    initial, government = _opinions(application)
    government_scan = None
    if government is not None and government.file:
        government_scan = _attached(government, f"gov-{government.pk}", "所在地市级人民政府推荐意见")
    submission = application.submissions.order_by("-sequence").first()
    cover_date = timezone.localtime(submission.submitted_at).date() if submission else None
    opinion_parts = []
    if initial is not None:
        opinion_parts = [(label, paragraphs_of(text)) for label, text in initial.parts()]
    return {
        "app": application, "program": program, "profile": profile, "spec": spec, "layout": layout,
        "title": title, "subtitle": subtitle, "cover_lines": cover_lines, "cover_date": cover_date,
        "issuer": program.issuer, "form_html": builder.html(),
        "opinion_number": _next_numeral(spec), "initial": initial, "opinion_parts": opinion_parts,
        # the signed opinion carries the seal of the unit that signed it (通知三 加盖单位公章); the blank form keeps
        # the profile's generic label
        "signing_unit": (signing_unit_name(application, initial.signed_by) if initial is not None else None)
        or profile.recommender_label,
        "opinion_labels": [label for _key, label in _initial_parts(application.kind)],
        "government": government, "government_scan": government_scan,
        "requires_government": profile.requires_government_opinion,
        "scans": scans, "evidence": evidence,
        "evidence_pages": sum(e.pages for e in evidence),
        "image_uri": _image_uri,
        "spine_font_pt": _spine_font_pt(application.applicant_name),
        "generated_at": timezone.localtime(),
    }


def _initial_parts(kind):
    """The initial opinion's parts (key, label) as the application's form prints them."""
    return OPINIONS["parts"](kind)


def _spine_font_pt(name):
    """Characters of the name stacked down a 250 mm spine strip: at most 小二 (18 pt)."""
    chars = max(len(name or ""), 1)
    return round(min(18.0, 230 * MM / (chars * 1.15)), 1)


# --- building -------------------------------------------------------------------------------------
@dataclass
class Dossier:
    """The built dossier: ``file``, a temporary file holding the PDF (read from its start; closing it removes
    it), and the page report."""

    file: object
    report: dict

    @property
    def pdf(self):
        """The PDF's bytes (for a reader that wants them in memory)."""
        self.file.seek(0)
        data = self.file.read()
        self.file.seek(0)
        return data


def _page_of_anchor(document):
    where = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            where.setdefault(name, index)
    return where


def _fit(src_page):
    """Transformation placing ``src_page`` centred in the evidence area of an A4 page."""
    from pypdf import Transformation

    box = src_page.cropbox
    width, height = float(box.width), float(box.height)
    top, right, bottom, left = EVIDENCE_MARGIN_PT
    avail_w, avail_h = A4_WIDTH_PT - left - right, A4_HEIGHT_PT - top - bottom
    scale = min(avail_w / width, avail_h / height, 1.0) if width > 0 and height > 0 else 1.0
    x = left + (avail_w - width * scale) / 2 - float(box.left) * scale
    y = bottom + (avail_h - height * scale) / 2 - float(box.bottom) * scale
    return Transformation().scale(scale, scale).translate(x, y)


def _merge_pdfs(pdf, items, where):
    """Draw each uploaded PDF page onto its numbered placeholder page. ``pdf``: the laid-out dossier (a file);
    returns a new temporary file holding the merged one (written to disk, not to memory: with 100 scanned pages
    the output is tens of megabytes, and a bytes copy of it would be held twice)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    writer = PdfWriter(clone_from=pdf)
    for item in items:
        try:
            reader = PdfReader(item.path)
            if reader.is_encrypted:
                raise DossierError(f"“{item.title}”是加密的 PDF，无法合并。请上传未加密的文件后重新生成。")
            pages = list(reader.pages)
        except (PdfReadError, OSError, ValueError) as exc:
            raise DossierError(f"“{item.title}”无法读取（文件可能已损坏），请重新上传后再生成。") from exc
        for anchor, src in zip(item.placeholders, pages):
            index = where.get(anchor)
            if index is None:
                continue
            if src.get("/Rotate"):
                src.transfer_rotation_to_content()
            writer.pages[index].merge_transformed_page(src, _fit(src), over=True)
        del reader, pages  # what the writer needs of them it has copied
    out = tempfile.TemporaryFile()
    writer.write(out)
    out.seek(0)
    return out


def _part_pages(where, total, evidence):
    """Pages per part, from the page each part starts on."""
    anchors = {"cover": "part-cover", "form": "part-form", "catalog": "catalog",
               "evidence": evidence[0].anchor if evidence else None, "spine": "part-spine"}
    starts = [(name, where[a]) for name, a in anchors.items() if a in where]
    return {name: nxt - start for (name, start), (_n, nxt) in zip(starts, starts[1:] + [(None, total)])}


def page_report(application, parts, total):
    """Per part: pages and the limit; ``over`` lists the parts over their limit, with Chinese messages."""
    form_limit, evidence_limit = page_limits(application)
    form_pages = parts.get("form", 0)
    evidence_pages = parts.get("evidence", 0)
    over = []
    if form_limit and form_pages > form_limit:
        over.append(f"推荐表共 {form_pages} 页，超过上限 {form_limit} 页 {form_pages - form_limit} 页，"
                    "请精简填报内容后重新生成。")
    if evidence_limit and evidence_pages > evidence_limit:
        over.append(f"证实性材料共 {evidence_pages} 页，超过上限 {evidence_limit} 页 "
                    f"{evidence_pages - evidence_limit} 页，请删减或合并证实性材料后重新生成。")
    return {"total": total, "form": form_pages, "form_limit": form_limit, "catalog": parts.get("catalog", 0),
            "evidence": evidence_pages, "evidence_limit": evidence_limit, "over": over}


def build_dossier(application, *, masked=False):
    """Lay out and merge the dossier; returns it in a temporary file with the page report.

    Memory: the layout tree is freed (and its pages handed back to the system) before the evidence is read,
    and the PDF goes from WeasyPrint to a temporary file, through pypdf's merge to another, and from there to
    storage, never as a whole in memory."""
    context = dossier_context(application, masked=masked)
    release_free_memory()  # what earlier work freed is not kept under the layout's peak
    laid_out = tempfile.TemporaryFile()
    with young_collections_only():
        document = render_document("pdf/dossier.html", context)
        where, total = _page_of_anchor(document), len(document.pages)
        document.write_pdf(target=laid_out)
        del document  # the layout tree is large (and cyclic): free it before the evidence is read
        gc.collect(1)
    release_free_memory()  # the merge then grows into the layout's returned pages, not above its peak
    laid_out.seek(0)
    government = [context["government_scan"]] if context["government_scan"] else []
    merged = [i for i in [*context["scans"], *government, *context["evidence"]] if i.kind == "pdf"]
    if merged:
        with laid_out:
            pdf = _merge_pdfs(laid_out, merged, where)
    else:
        pdf = laid_out
    parts = _part_pages(where, total, context["evidence"])
    return Dossier(file=pdf, report=page_report(application, parts, total))


def build_dossier_document(document):
    """The GeneratedDocument builder (``documents.BUILDERS``): the PDF as a file, stored from there."""
    application = document.application
    masked = bool((document.page_report or {}).get("masked"))
    content_hash = dossier_hash(application, masked=masked)
    dossier = build_dossier(application, masked=masked)
    return dossier.file, {"content_hash": content_hash, "page_report": {**dossier.report, "masked": masked}}


# --- requesting (service) and reading (selector) ---------------------------------------------------
def current_dossier(*, application, user):
    """The user's dossier for the application as it is now, or None (a changed application has none).
    Hashing reads the whole form, so it runs only when some dossier of the application exists at all."""
    dossiers = GeneratedDocument.objects.filter(application=application, kind=GeneratedDocument.Kind.DOSSIER)
    if not dossiers.exists():
        return None
    content_hash = dossier_hash(application, masked=masks_id_number(user, application))
    return dossiers.filter(content_hash=content_hash).order_by("-requested_at").first()


def request_dossier(*, application, actor):
    """Return the dossier for the application's current content, queuing a build when there is none.

    An unchanged application gets its stored file back; a failed build is queued again.
    """
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        doc, to_build = prepare_dossier(application=application, actor=actor)
        if to_build:
            jobs.after_commit("render_document", document_id=doc.pk)
    return doc


def prepare_dossier(*, application, actor):
    """(the dossier row for the application's current content as ``actor`` reads it, whether it must be built
    now). Inside the caller's transaction: a new row or a failed one (made pending again) must be built; a
    ready one, or one already queued or running, need not."""
    masked = masks_id_number(actor.user, application)
    content_hash = dossier_hash(application, masked=masked)
    doc = (GeneratedDocument.objects.select_for_update()
           .filter(application=application, kind=GeneratedDocument.Kind.DOSSIER, content_hash=content_hash)
           .order_by("-requested_at").first())
    if doc is not None and doc.status == GeneratedDocument.Status.READY and doc.file:
        return doc, False
    if doc is None:
        doc = GeneratedDocument.objects.create(application=application, kind=GeneratedDocument.Kind.DOSSIER,
                                               content_hash=content_hash, page_report={"masked": masked})
        record_event(actor=actor, action="dossier:request", target=application,
                     data={"document": doc.pk, "content_hash": content_hash})
    elif doc.status == GeneratedDocument.Status.FAILED:
        doc.status = GeneratedDocument.Status.PENDING
        doc.error = ""
        doc.save(update_fields=["status", "error"])
        record_event(actor=actor, action="dossier:retry", target=application, data={"document": doc.pk})
    else:
        return doc, False  # already queued or running
    return doc, True


def install():
    """The dossier's builder for ``documents.BUILDERS`` (called from ``ApplicationsConfig.ready``)."""
    BUILDERS[GeneratedDocument.Kind.DOSSIER] = build_dossier_document
