"""The filled recommendation form as a Word document in the official layout.

Seed 000 asks for a Word/WPS electronic copy of the 推荐表 (content printed in 四号, A4, a cover with the
applicant's name, "（盖章）", the date and the issuing office); seed 003 sets the 质量标杆 material's
format (A4 portrait; title 黑体小二 centered; "摘要" 宋体四号 bold centered; body 宋体小四, single spacing).

``build_docx`` walks the application's FormSpec: it knows Fields, Tables, Grids and UploadSlots, never a
program. What differs between the three forms (font sizes, the cover's lines, the benchmark's article
title and 摘要 heading) is the data in ``LAYOUTS``, keyed by the form's code.

Text goes in as text (python-docx escapes it); characters XML 1.0 forbids are dropped first, so a control
character pasted into a textarea cannot break the export. Uploaded files are listed (title, pages), never
embedded. A narrative (richtext field) is printed from its sanitized HTML: h2–h4 as item headings, paragraphs
with their bold and italic runs, lists as numbered or bulleted paragraphs, tables as Word tables and its
images (the application's narrative images, nothing else) as pictures within the text width.
"""
import copy
import re
from dataclasses import dataclass
from io import BytesIO


from ..forms import richtext
from ..forms.spec import Field, Grid, Table, UploadSlot, form_for

# Chinese font sizes (reference.md, print formats)
ERHAO, XIAOER, SANHAO, SIHAO, XIAOSI, WUHAO = 22, 18, 16, 14, 12, 10.5

SONG, HEI, LATIN = "宋体", "黑体", "Times New Roman"
PAGE_CM, MARGIN_CM = (21.0, 29.7), 2.5
TEXT_WIDTH_CM = 21.0 - 2 * 2.5

#: A table with more columns than this does not fit A4 portrait at 四号: it is printed transposed.
MAX_COLUMNS = 7
#: Rows of a transposed table per printed table (each becomes a column).
TRANSPOSED_CHUNK = 5
#: A textarea up to this many characters, among short fields, stays a row of the field table (as
#: 2.1's 已获得的管理体系认证 and 个人表's 工作单位简介 are rows of the printed forms).
SHORT_TEXTAREA = 500
#: long-text field types (a heading and paragraphs, or a row of the field table when short)
LONG_TYPES = ("textarea", "richtext")
#: a picture's width at most (the text width) and, for a small image, its size at 150 dpi
PICTURE_DPI = 150


@dataclass(frozen=True)
class Layout:
    body_pt: float  # 正文 and table text
    heading_pt: float  # section headings, 黑体
    subheading_pt: float  # item headings (a textarea's or table's label), 黑体
    cover_title_pt: float
    #: (label, source, seal): source "applicant" is the application's name, "section.field" a form value;
    #: "{role}" in a label is 培育 for a cultivation program, 申报 otherwise.
    cover_lines: tuple
    cover_line_pt: float = SANHAO
    title_field: str = ""  # a field whose value is the document's title (黑体, cover_title_pt, centered)
    centered_headings: frozenset = frozenset()  # fields whose heading is 宋体 四号 bold centered (摘要)


LAYOUTS = {
    "organization": Layout(SIHAO, SANHAO, SIHAO, ERHAO, cover_lines=(("{role}组织", "applicant", True),)),
    "individual": Layout(SIHAO, SANHAO, SIHAO, ERHAO, cover_lines=(
        ("{role}个人", "applicant", False), ("所在单位", "basic.employer", True))),
    "benchmark": Layout(XIAOSI, SIHAO, XIAOSI, XIAOER, cover_lines=(("申报单位", "applicant", True),),
                        title_field="name", centered_headings=frozenset({"abstract"})),
}

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
_CHINESE_NUMERALS = set("一二三四五六七八九十")
YES_NO_LABELS = {"yes": "有", "no": "无"}


def clean_text(value):
    """``value`` as text XML can hold: control characters (but tab and newline) and lone surrogates go."""
    if value is None:
        return ""
    return _ILLEGAL_XML.sub("", value if isinstance(value, str) else str(value))


def paragraphs_of(value):
    """The non-empty lines of a textarea, stripped (the first-line indent replaces typed indentation)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    lines = (clean_text(line).strip() for line in _LINE_BREAKS.split(text))
    return [line for line in lines if line]


# --- values as printed ------------------------------------------------------------------------------
def display_value(field, value, *, mask_id_number=False):
    """A stored value as the printed form shows it: choices by their Chinese label, yes/no as 有/无."""
    if value is None or value == "" or value == []:
        return ""
    if field.type == "multichoice":
        labels = dict(field.choices)
        values = value if isinstance(value, list) else [value]
        return "、".join(labels.get(str(v), str(v)) for v in values)
    if not isinstance(value, str):
        value = str(value)
    if field.type == "choice":
        return dict(field.choices).get(value, value)
    if field.type == "yesno":
        return YES_NO_LABELS.get(value, value)
    if field.type == "industry":
        from ..classifications import industry_lookup

        item = industry_lookup(str(value))
        return f"{item.code} {item.name}" if item else str(value)
    if field.type == "id_number" and mask_id_number:
        from qualityaward.accounts.identifiers import mask_id_number as mask

        return mask(str(value))
    return str(value)


def field_label(field):
    return f"{field.label}（{field.unit}）" if field.unit else field.label


def section_heading(section):
    number = section.number or ""
    if number and all(ch in _CHINESE_NUMERALS for ch in number):
        return f"{number}、{section.title}"
    if number == "附":
        return f"附：{section.title}"
    return f"{number} {section.title}".strip()


# --- document and styles ----------------------------------------------------------------------------
def _set_fonts(rpr_owner, east_asia, latin=LATIN):
    """Explicit fonts on a style's (or docDefaults') rPr, theme fonts removed (they would win)."""
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    return rpr


def _first_line_indent_chars(style, chars, size_pt):
    """First-line indent of ``chars`` characters (w:firstLineChars, with the length for older readers)."""
    style.paragraph_format.first_line_indent = Pt(chars * size_pt)
    style.element.pPr.find(qn("w:ind")).set(qn("w:firstLineChars"), str(chars * 100))


def _paragraph_style(doc, name, *, base="Normal", east_asia=SONG, latin=LATIN, size=None, bold=False,
                     align=None, before=0, after=0, keep_with_next=False):
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base] if base else None
    style.quick_style = True
    _set_fonts(style.element, east_asia, latin)
    font = style.font
    if size:
        font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    pf = style.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.line_spacing = 1.0
    pf.keep_with_next = keep_with_next
    return style


def _setup_styles(doc, layout):
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr_default.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr, value in (("w:ascii", LATIN), ("w:hAnsi", LATIN), ("w:cs", LATIN), ("w:eastAsia", SONG)):
        rfonts.set(qn(attr), value)
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    if spacing is not None:  # single spacing, no space after (the template's default is 10 pt after, 1.15)
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")

    normal = doc.styles["Normal"]
    _set_fonts(normal.element, SONG)
    normal.font.size = Pt(layout.body_pt)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    _paragraph_style(doc, "Heading 1", east_asia=HEI, latin=HEI, size=layout.heading_pt, before=12, after=6,
                     align=WD_ALIGN_PARAGRAPH.LEFT, keep_with_next=True)
    _paragraph_style(doc, "Heading 2", east_asia=HEI, latin=HEI, size=layout.subheading_pt, before=6, after=3,
                     align=WD_ALIGN_PARAGRAPH.LEFT, keep_with_next=True)
    body = _paragraph_style(doc, "Form Body", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _first_line_indent_chars(body, 2, layout.body_pt)
    _paragraph_style(doc, "Form Note", before=3)
    _paragraph_style(doc, "Form Cell")
    _paragraph_style(doc, "Form Table Header", align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(doc, "Abstract Heading", size=SIHAO, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=6,
                     after=6, keep_with_next=True)
    _paragraph_style(doc, "Document Title", east_asia=HEI, latin=HEI, size=layout.cover_title_pt,
                     align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=12, keep_with_next=True)
    _paragraph_style(doc, "Cover Title", east_asia=HEI, latin=HEI, size=layout.cover_title_pt,
                     align=WD_ALIGN_PARAGRAPH.CENTER, before=72)
    _paragraph_style(doc, "Cover Line", size=layout.cover_line_pt, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(doc, "Cover Issuer", size=layout.cover_line_pt, align=WD_ALIGN_PARAGRAPH.CENTER)
    footer = doc.styles["Footer"]
    _set_fonts(footer.element, SONG)
    footer.font.size = Pt(WUHAO)


def _sect_child_before(sectPr, element, successors):
    """Insert ``element`` into ``sectPr`` before the first of ``successors`` (schema order)."""
    for child in sectPr:
        if child.tag in {qn(s) for s in successors}:
            child.addprevious(element)
            return element
    sectPr.append(element)
    return element


def _page_setup(section):
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.header_distance = section.footer_distance = Cm(1.5)


def _add_page_number_footer(section, style):
    """A centered page number ("— n —") at the foot of every page of ``section``, counted from 1."""
    footer = section.footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.style = style
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)
    p.add_run(" —")
    pg = OxmlElement("w:pgNumType")
    pg.set(qn("w:start"), "1")
    _sect_child_before(section._sectPr, pg, ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg",
                                              "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                                              "w:printerSettings", "w:sectPrChange"))


# --- fast XML building -----------------------------------------------------------------------------
# python-docx resolves a style name by scanning every style on each call (milliseconds apiece) and
# inserts each body paragraph by searching for the final sectPr; a 50,000-字 self-assessment makes that
# seconds. The builder resolves style ids once and appends paragraphs and cell text as elements.
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _element(tag, **attrs):
    el = OxmlElement(tag)
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), value)
    return el


_RUN = None  # an empty w:r with its w:t, copied for each new run (made when python-docx is loaded)
# python-docx's names, bound by _load_python_docx
Document = WD_SECTION = WD_CELL_VERTICAL_ALIGNMENT = WD_TABLE_ALIGNMENT = WD_STYLE_TYPE = None
WD_ALIGN_PARAGRAPH = WD_BREAK = OxmlElement = qn = Cm = Pt = RGBColor = None
_PARAGRAPHS = {}  # style id -> an empty w:p carrying it, copied for each new paragraph


def _load_python_docx():
    """Import python-docx (with lxml) into this module's names on first use, not with the module: the PDF
    dossier shares this module's form walk (``_Builder``, ``display_value`` …) but never writes Word, and a
    worker building dossiers keeps its peak memory lower without python-docx (about 4 MB)."""
    global Document, WD_SECTION, WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT, WD_STYLE_TYPE
    global WD_ALIGN_PARAGRAPH, WD_BREAK, OxmlElement, qn, Cm, Pt, RGBColor, _RUN
    if _RUN is not None:
        return
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    run = _element("w:r")
    run.append(_element("w:t"))
    run[0].set(_XML_SPACE, "preserve")
    _RUN = run


def _run(text):
    if "\t" not in text:
        r = copy.deepcopy(_RUN)
        r[0].text = text
        return r
    r = OxmlElement("w:r")
    for i, chunk in enumerate(text.split("\t")):
        if i:
            r.append(OxmlElement("w:tab"))
        if chunk:
            t = OxmlElement("w:t")
            t.set(_XML_SPACE, "preserve")
            t.text = chunk
            r.append(t)
    return r


def _paragraph(style_id, text=""):
    proto = _PARAGRAPHS.get(style_id)
    if proto is None:
        proto = _element("w:p")
        ppr = _element("w:pPr")
        ppr.append(_element("w:pStyle", val=style_id))
        proto.append(ppr)
        _PARAGRAPHS[style_id] = proto
    p = copy.deepcopy(proto)
    if text:
        p.append(_run(text))
    return p


STYLE_NAMES = ("Heading 1", "Heading 2", "Form Body", "Form Note", "Form Cell", "Form Table Header",
               "Abstract Heading", "Document Title")


def narrative_image_files(application):
    """{image id: stored file path} of the application's narrative images (richtext fields)."""
    from ..models import Attachment

    out = {}
    for a in Attachment.objects.filter(application=application, slot=richtext.IMAGE_SLOT):
        try:
            out[a.pk] = a.file.path
        except (ValueError, NotImplementedError):
            continue
    return out


def narrative_text(value):
    """A long text's paragraphs whatever it holds: a narrative's HTML by its text, plain text by its lines."""
    return paragraphs_of(richtext.text_of(value))


class _Builder:
    application_id = None
    images = {}  # narrative image id -> file path

    def __init__(self, doc, layout, *, files, mask_id_number, application=None):
        self.doc = doc
        self.layout = layout
        self.files = files  # slot -> [{"title", "name", "pages", ...}] in catalog order
        self.mask_id_number = mask_id_number
        if application is not None:
            self.application_id = application.pk
            self.images = narrative_image_files(application)
        self.style_id = {name: doc.styles[name].style_id for name in STYLE_NAMES}
        self.table_style_id = doc.styles["Table Grid"].style_id

    @property
    def _end(self):
        return self.doc.element.body.sectPr

    def para(self, text, style):
        """A body paragraph (text cleaned), appended at the end of the document."""
        p = _paragraph(self.style_id[style], clean_text(text))
        self._end.addprevious(p)
        return p

    def value(self, field, raw):
        return display_value(field, raw, mask_id_number=self.mask_id_number)

    # tables
    def new_table(self, rows, widths_cm):
        table = self.doc.add_table(rows=rows, cols=len(widths_cm))
        tbl_pr = table._tbl.tblPr
        tbl_pr.style = self.table_style_id
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm):
            grid_col.w = Cm(width)
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is not None:  # the full text width, for readers that ignore the grid (WPS)
            tbl_w.set(qn("w:type"), "dxa")
            tbl_w.set(qn("w:w"), str(Cm(sum(widths_cm)).twips))
        return table

    def fill_row(self, tr, texts, widths_cm, *, header=False):
        """Write ``texts`` into the row's cells; a text may be a list of paragraphs."""
        style_id = self.style_id["Form Table Header" if header else "Form Cell"]
        for tc, text, width in zip(tr.tc_lst, texts, widths_cm):
            tc.width = Cm(width)
            tc.get_or_add_tcPr().vAlign_val = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            parts = text if isinstance(text, list) else [text]
            first = tc.p_lst[0]
            first.style = style_id
            if parts and parts[0]:
                first.append(_run(clean_text(parts[0])))
            for part in parts[1:]:
                tc.append(_paragraph(style_id, clean_text(part)))
        if header:
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            tr.get_or_add_trPr().append(repeat)

    def table(self, header, rows, widths_cm):
        """A Word table: ``header`` (repeated on every page) then ``rows``."""
        table = self.new_table(1 + len(rows), widths_cm)
        trs = table._tbl.tr_lst
        self.fill_row(trs[0], header, widths_cm, header=True)
        for tr, texts in zip(trs[1:], rows):
            self.fill_row(tr, texts, widths_cm)
        return table

    def note(self, notes):
        notes = [clean_text(n).strip() for n in notes if n]
        notes = [n for n in notes if n]
        if len(notes) == 1:
            self.para(f"注：{notes[0]}", "Form Note")
            return
        for i, note in enumerate(notes, start=1):
            end = "。" if i == len(notes) else "；"
            text = f"{i}. {note.rstrip('。；;')}{end}"
            self.para(f"注：{text}" if i == 1 else f"\u3000\u3000{text}", "Form Note")

    # the parts of a section
    def item_heading(self, section, item):
        if item.label != section.title:
            style = "Abstract Heading" if item.key in self.layout.centered_headings else "Heading 2"
            self.para(item.label, style)

    def field_rows(self, fields, data):
        rows = []
        for f in fields:
            raw = data.get(f.key)
            if f.type in LONG_TYPES:
                parts = narrative_text(raw)
                if not parts and not f.required:
                    continue
                rows.append([field_label(f), parts or [""]])
            else:
                rows.append([field_label(f), self.value(f, raw)])
        if rows:
            self.label_table(rows, [5.0, TEXT_WIDTH_CM - 5.0])

    def label_table(self, rows, widths_cm):
        """A label | value table without a header row."""
        table = self.new_table(len(rows), widths_cm)
        for tr, texts in zip(table._tbl.tr_lst, rows):
            self.fill_row(tr, texts, widths_cm)

    def textarea(self, section, f, data):
        raw = data.get(f.key)
        parts = narrative_text(raw)
        rich = f.type == "richtext" and richtext.is_markup(raw)
        if not parts and not (rich and "<img" in raw) and not f.required:
            return
        self.item_heading(section, f)
        if rich:
            self.rich(raw)
        else:
            self.body_paragraphs(parts)

    # a narrative's HTML (richtext.TAGS) as Word paragraphs, tables and pictures
    def image_path(self, src):
        image = richtext.image_id(src, self.application_id) if self.application_id else None
        return self.images.get(image) if image is not None else None

    def rich(self, value):
        root = richtext.tree(value, application_id=self.application_id)
        for node in root.children:
            self._rich_block(node)

    def _rich_block(self, node, *, list_tag=None, number=0, level=0):
        if isinstance(node, str):
            if node.strip():
                self._rich_paragraph([node], "Form Body")
            return
        tag = node.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.para(node.text().strip(), "Heading 2")
        elif tag in ("ul", "ol"):
            n = 0
            for child in node.children:
                if isinstance(child, richtext.Node) and child.tag == "li":
                    n += 1
                    self._rich_item(child, tag, n, level)
        elif tag == "table":
            self._rich_table(node)
        elif tag == "img":
            self._rich_paragraph([node], "Form Cell", center=True)
        else:  # p, and anything inline at block level
            self._rich_paragraph(node.children if tag == "p" else [node], "Form Body")

    def _rich_item(self, li, list_tag, n, level):
        marker = f"{n}." if list_tag == "ol" else "•"
        inline, nested = [], []
        for child in li.children:
            if isinstance(child, richtext.Node) and child.tag in ("ul", "ol", "table"):
                nested.append(child)
            elif isinstance(child, richtext.Node) and child.tag == "p":
                if inline:
                    inline.append(richtext.Node("br"))
                inline.extend(child.children)
            else:
                inline.append(child)
        p = self._rich_paragraph(inline, "Form Cell", prefix=f"{marker} ")
        p.paragraph_format.left_indent = Cm(0.75 * (level + 1))
        p.paragraph_format.first_line_indent = Cm(-0.6)
        for child in nested:
            if child.tag == "table":
                self._rich_table(child)
            else:
                m = 0
                for grand in child.children:
                    if isinstance(grand, richtext.Node) and grand.tag == "li":
                        m += 1
                        self._rich_item(grand, child.tag, m, level + 1)

    def _rich_paragraph(self, children, style, *, prefix="", center=False, container=None):
        p = (container or self.doc).add_paragraph(style=self.doc.styles[style])
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if prefix:
            p.add_run(prefix)
        self._rich_runs(p, children)
        return p

    def _rich_runs(self, p, children, *, bold=False, italic=False):
        for child in children:
            if isinstance(child, str):
                text = clean_text(child.replace("\n", " "))
                if text:
                    run = p.add_run(text)
                    run.bold = bold or None
                    run.italic = italic or None
            elif child.tag == "br":
                p.add_run().add_break()
            elif child.tag == "img":
                self._picture(p, child.attrs.get("src"))
            else:
                self._rich_runs(p, child.children, bold=bold or child.tag in ("strong", "b"),
                                italic=italic or child.tag in ("em", "i"))

    def _picture(self, p, src, *, max_width_cm=TEXT_WIDTH_CM):
        path = self.image_path(src)
        if path is None:
            return
        from PIL import Image

        try:
            with Image.open(path) as im:
                width_px = im.size[0]
        except OSError:
            return
        width_cm = min(max_width_cm, width_px / PICTURE_DPI * 2.54)
        p.add_run().add_picture(path, width=Cm(width_cm))

    def _rich_table(self, node):
        rows = []

        def walk(n):
            for child in n.children:
                if isinstance(child, richtext.Node):
                    if child.tag == "tr":
                        rows.append([c for c in child.children if isinstance(c, richtext.Node)
                                     and c.tag in ("td", "th")])
                    elif child.tag in ("thead", "tbody"):
                        walk(child)

        walk(node)
        rows = [r for r in rows if r]
        if not rows:
            return
        cols = max(sum(_span(c, "colspan") for c in r) for r in rows)
        widths = [TEXT_WIDTH_CM / cols] * cols
        table = self.new_table(len(rows), widths)
        for tr, cells in zip(table.rows, rows):
            col = 0
            for cell in cells:
                if col >= cols:
                    break
                span = min(_span(cell, "colspan"), cols - col)
                target = tr.cells[col]
                if span > 1:
                    target = target.merge(tr.cells[col + span - 1])
                self._rich_cell(target, cell, header=cell.tag == "th")
                col += span

    def _rich_cell(self, target, cell, *, header):
        style = "Form Table Header" if header else "Form Cell"
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        first = target.paragraphs[0]
        first.style = self.doc.styles[style]
        blocks, inline = [], []
        for child in cell.children:
            if isinstance(child, richtext.Node) and child.tag in ("p", "h2", "h3", "h4"):
                if inline:
                    blocks.append(inline)
                    inline = []
                blocks.append(child.children)
            elif isinstance(child, richtext.Node) and child.tag in ("ul", "ol"):
                blocks.extend([["• " if child.tag == "ul" else f"{i}. ", *li.children]
                               for i, li in enumerate((c for c in child.children if isinstance(c, richtext.Node)),
                                                      start=1)])
            else:
                inline.append(child)
        if inline:
            blocks.append(inline)
        for i, children in enumerate(blocks or [[]]):
            p = first if i == 0 else target.add_paragraph(style=self.doc.styles[style])
            self._rich_runs(p, children, bold=header)

    def body_paragraphs(self, parts):
        style_id, end = self.style_id["Form Body"], self._end
        for text in parts:
            end.addprevious(_paragraph(style_id, text))

    def rows_table(self, section, t, data):
        self.item_heading(section, t)
        rows = data.get(t.key)
        rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        rows = [r for r in rows if any(str(v).strip() for v in r.values() if v is not None)]
        columns = t.columns
        if not rows:
            self.para("（未填写）", "Form Cell")
        elif len(columns) <= MAX_COLUMNS:
            cells = [[self.value(c, r.get(c.key)) for c in columns] for r in rows]
            self.table([field_label(c) for c in columns], cells, _even_widths(len(columns)))
        else:  # transposed: one column per row of the applicant's table, headed by its first column
            first, rest = columns[0], columns[1:]
            for start in range(0, len(rows), TRANSPOSED_CHUNK):
                chunk = rows[start:start + TRANSPOSED_CHUNK]
                header = [field_label(first)] + [self.value(first, r.get(first.key)) or f"第{start + i + 1}行"
                                                 for i, r in enumerate(chunk)]
                cells = [[field_label(c)] + [self.value(c, r.get(c.key)) for r in chunk] for c in rest]
                self.table(header, cells, _even_widths(len(header), first=5.0))
        self.note([t.help])

    def grid(self, section, g, data):
        self.item_heading(section, g)
        grid = data.get(g.key)
        grid = grid if isinstance(grid, dict) else {}
        header = ["序号", "项目", "单位", *[f"{y}年" for y in g.years], *[label for _k, label in g.extra_columns]]
        rows = []
        for n, (key, label, unit, _lo, _hi) in enumerate(g.rows, start=1):
            cells = grid.get(key)
            cells = cells if isinstance(cells, dict) else {}
            rows.append([str(n), label, unit, *[str(cells.get(y) or "") for y in g.years],
                         *[str(cells.get(k) or "") for k, _l in g.extra_columns]])
        fixed = [1.3, 4.2, 2.0]
        rest = len(header) - len(fixed)
        widths = fixed + [(TEXT_WIDTH_CM - sum(fixed)) / rest] * rest if rest else fixed
        self.table(header, rows, widths)
        self.note(g.notes)

    def uploads(self, section, slot, files):
        self.item_heading(section, slot)
        if not files:
            self.para("（未上传）", "Form Cell")
            return
        rows, page = [], 1
        for n, f in enumerate(files, start=1):
            try:
                pages = max(int(f.get("pages") or 0), 0)
            except (TypeError, ValueError):
                pages = 0
            span = (str(page) if pages == 1 else f"{page}–{page + pages - 1}") if pages else ""
            page += pages
            name = f.get("title") or f.get("name") or ""
            rows.append([str(n), name, str(pages) if pages else "", span] if slot.titled else
                        [str(n), f.get("name") or name, str(pages) if pages else ""])
        if slot.titled:  # the evidence catalog (目录): pages run on through the bound material
            self.table(["序号", "材料名称", "页数", "页码"], rows, [1.5, TEXT_WIDTH_CM - 6.5, 2.0, 3.0])
            self.para(f"共 {len(files)} 份，合计 {page - 1} 页。", "Form Note")
        else:
            self.table(["序号", "文件名", "页数"], rows, [1.5, TEXT_WIDTH_CM - 3.5, 2.0])
            self.para(f"共 {len(files)} 个文件。", "Form Note")

    def section(self, section, data, title):
        self.para(section_heading(section), "Heading 1")
        run = []  # consecutive short fields, printed as one label | value table
        for item in section.items:
            if _is_row(item, section, self.layout):
                run.append(item)
                continue
            if run:
                self.field_rows(run, data)
                run = []
            if isinstance(item, Field) and item.key == self.layout.title_field:
                self.para(data.get(item.key) or title, "Document Title")
            elif isinstance(item, Field):
                self.textarea(section, item, data)
            elif isinstance(item, Table):
                self.rows_table(section, item, data)
            elif isinstance(item, Grid):
                self.grid(section, item, data)
            elif isinstance(item, UploadSlot):
                self.uploads(section, item, self.files.get(item.key, []))
        if run:
            self.field_rows(run, data)


def _span(cell, attribute):
    value = cell.attrs.get(attribute) or "1"
    return max(1, min(int(value), 20)) if value.isdigit() else 1


def _even_widths(n, first=None):
    if first is None or n == 1:
        return [TEXT_WIDTH_CM / n] * n
    return [first] + [(TEXT_WIDTH_CM - first) / (n - 1)] * (n - 1)


def _is_row(item, section, layout):
    """Whether a field is printed as a row of the label | value table rather than heading + text."""
    if not isinstance(item, Field) or item.key == layout.title_field:
        return False
    if item.type not in LONG_TYPES:
        return True
    has_short = any(isinstance(i, Field) and i.type not in LONG_TYPES and i.key != layout.title_field
                    for i in section.items)
    return has_short and item.max_chars is not None and item.max_chars <= SHORT_TEXTAREA


# --- cover ------------------------------------------------------------------------------------------
def _cover_value(source, application, sections):
    if source == "applicant":
        return application.applicant_name
    code, _, key = source.partition(".")
    data = sections.get(code)
    return str(data.get(key) or "") if isinstance(data, dict) else ""


def cover_content(application, spec, layout, sections):
    """(title, subtitle, [(label, name, seal)]) of the cover, as the Word copy and the dossier print it."""
    program = application.campaign.program
    profile = getattr(program, "profile", None)
    role = "培育" if profile is not None and profile.outcome == "cultivation" else "申报"
    title = ""
    if layout.title_field:
        title = next((str(d.get(layout.title_field)) for d in sections.values()
                      if isinstance(d, dict) and d.get(layout.title_field)), "")
    subtitle = spec.title if title else ""
    title = clean_text(title or f"{program.name}{spec.title}").strip()
    lines = [(label.format(role=role), clean_text(_cover_value(source, application, sections)).strip(), seal)
             for label, source, seal in layout.cover_lines]
    return title, clean_text(subtitle), lines


def _cover(doc, application, spec, layout, sections):
    """Title, the applicant's line(s) with （盖章）, the date line and the issuer; its own page."""
    program = application.campaign.program
    title, subtitle, lines = cover_content(application, spec, layout, sections)

    p = doc.add_paragraph(style=doc.styles["Cover Title"])
    p.add_run(title)
    if subtitle:
        p.add_run().add_break(WD_BREAK.LINE)
        p.add_run(subtitle).font.size = Pt(SANHAO)

    p = doc.add_paragraph(style=doc.styles["Cover Line"])
    p.paragraph_format.left_indent = Cm(2.0)
    for label, name, seal in lines:
        p.add_run(f"{label}：{name}" + ("（盖章）" if seal else ""))
        p.add_run().add_break(WD_BREAK.LINE)
        p.add_run().add_break(WD_BREAK.LINE)
    p.add_run("日期：______年____月____日")

    issuer = doc.add_paragraph(clean_text(program.issuer), style=doc.styles["Cover Issuer"])

    body = doc.add_section(WD_SECTION.NEW_PAGE)  # ends the cover's section: the form starts a new page
    # python-docx ends the section with an empty paragraph; let the issuer's paragraph end it instead, so
    # that nothing follows the issuer at the foot of the cover.
    holder = issuer._p.getnext()
    issuer._p.get_or_add_pPr()._insert_sectPr(holder.pPr.sectPr)
    holder.getparent().remove(holder)
    valign = OxmlElement("w:vAlign")
    valign.set(qn("w:val"), "both")  # title at the top of the cover, issuer at its foot
    _sect_child_before(doc.sections[0]._sectPr, valign, (
        "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings",
        "w:sectPrChange"))
    _add_page_number_footer(body, doc.styles["Footer"])
    return title


def build_docx(*, application, content=None, mask_id_number=False):
    """The application's form as a .docx (bytes), in the official layout.

    ``content`` is what ``form_services.assemble_content`` returns (the default: the live form); pass a
    submission's ``content["form"]`` to print exactly what was submitted. ``mask_id_number`` prints
    身份证号 masked (for readers other than the owner and the secretariat).
    """
    from ..forms.services import assemble_content

    _load_python_docx()
    spec = form_for(application)
    layout = LAYOUTS.get(spec.code, LAYOUTS["organization"])
    content = content if content is not None else assemble_content(application)
    sections = content.get("sections") or {}
    files = {}
    for f in content.get("files") or []:
        if isinstance(f, dict):
            files.setdefault(f.get("slot"), []).append(f)

    doc = Document()
    _setup_styles(doc, layout)
    _page_setup(doc.sections[0])
    title = _cover(doc, application, spec, layout, sections)

    builder = _Builder(doc, layout, files=files, mask_id_number=mask_id_number, application=application)
    for section in spec.sections:
        data = sections.get(section.code)
        builder.section(section, data if isinstance(data, dict) else {}, title)

    props = doc.core_properties  # python-docx refuses core properties over 255 characters
    props.title = title[:255]
    props.author = clean_text(application.applicant_name)[:255]
    props.last_modified_by = ""
    props.comments = clean_text(application.campaign.program.issuer)[:255]
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
