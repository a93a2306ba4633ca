"""The layout shortcuts give WeasyPrint's own pages: every box in the same place, every line broken at the same
character, for page rules and for text of every kind."""
import weasyprint
from django.template import Context, Template

from applications.documents import layout_speedups
from applications.documents.fonts import ensure_fonts
from applications.documents.services import font_configuration, local_url_fetcher

CJK = ("公司坚持以顾客为关注焦点，建立覆盖研发、采购、制造、交付和服务全过程的质量管理体系，以卓越绩效模式为框架，"
       "持续开展过程改进和创新（2023—2025 年），质量损失率逐年下降，顾客满意度稳步提升。")
LATIN = ("Quality management systems — requirements for organizations that need to demonstrate their ability to "
         "consistently provide products and services that meet customer and applicable statutory requirements. ")
MIXED = ("依据 GB/T 19580-2012《卓越绩效评价准则》和 ISO 9001:2015，2025 年营业收入 12,345.67 万元，同比增长 8.5%，"
         "研发投入占比 4.2%（行业平均 2.1%），获得 PCT 国际专利 3 项、ISO/IEC 17025 实验室认可。")
LONG_WORDS = "internationalization characteristically telecommunications incomprehensibilities " * 6
URL = "证实性材料见 https://www.example.gov.cn/quality/award/2026/evidence/very-long-path-without-any-breaks-at-all 。"

PAGES = """{% include "pdf/_fonts.html" %}<style>
  @page { size: A5; margin: 20mm 15mm 20mm 22mm;
          @bottom-center { content: "— " counter(page) " / " counter(pages) " —"; font-size: 9pt; }
          @top-right { content: string(part); font-size: 8pt; } }
  @page :first { margin-top: 40mm; @bottom-center { content: none; } }
  @page :left { margin-left: 15mm; margin-right: 22mm; @top-left { content: "左页 " counter(page); } }
  @page annex { counter-reset: page 0; margin: 10mm; @bottom-right { content: "附 " counter(page); width: 30%; } }
  @page :blank { @bottom-center { content: "（此页无正文）"; } }
  body { font-size: 11pt; line-height: 1.5; text-align: justify; }
  h2 { string-set: part content(); break-before: page; }
  .annex { page: annex; break-before: right; }
</style>
{% for part in parts %}<h2>{{ part }}</h2>{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}{% endfor %}
<div class="annex"><h2>附件</h2>{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}</div>"""

TEXT = """{% include "pdf/_fonts.html" %}<style>
  @page { size: A4; margin: 20mm; }
  body { font-size: 12pt; line-height: 1.45; }
  .justify { text-align: justify; }
  .narrow { width: 9em; }
  .tight { letter-spacing: -0.22pt; font-size: 16pt; }
  .wrap { overflow-wrap: break-word; }
  .pre { white-space: pre-wrap; }
  .hyphens { hyphens: auto; }
  table { width: 100%; border-collapse: collapse; table-layout: fixed; } td { border: 0.5pt solid; }
</style>
{% for p in paragraphs %}
  <p>{{ p }}</p><p class="justify">{{ p }}</p><p class="narrow">{{ p }}</p><p class="tight">{{ p }}</p>
  <p class="narrow wrap">{{ p }}</p><p class="pre">{{ p }}
第二行：{{ p }}</p><p class="hyphens" lang="en">{{ p }}</p><p class="hyphens narrow" lang="en">{{ p }}</p>
  <table><tr><td style="width: 20%">{{ p }}</td><td>{{ p }}</td><td style="width: 12%">{{ p }}</td></tr></table>
{% endfor %}"""


BOXES = """{% include "pdf/_fonts.html" %}<style>
  @page { size: A4; margin: 5% 8%; padding: 2%; }
  body { font-size: 10.5pt; }
  .outer { width: 80%; margin: 0 auto; padding: 2% 3%; border: 1.5pt solid; }
  .border-box { box-sizing: border-box; width: 60%; padding: 1em 5%; border: 3pt double; }
  .padding-box { box-sizing: padding-box; width: calc(50% + 2em); padding: 2%; border-left: 6pt solid; }
  .limits { width: 120%; max-width: 70%; min-height: 10%; margin: 1% 4% 2em calc(5% - 3pt); }
  .float { float: right; width: 30%; padding: 1%; margin-left: 2%; }
  .abs { position: absolute; right: 5%; top: 10%; width: 20%; }
  .cell-box td { box-sizing: border-box; padding: 1% 2%; }
  table { width: 100%; margin: 2% 0; } td { border: 0.75pt solid; padding: 2pt 1%; }
  .collapse { border-collapse: collapse; } .collapse td:first-child { border-left-width: 3pt; }
  .inline-block { display: inline-block; width: 25%; padding: 0 1%; border: 1pt dashed; }
</style>
<div class="abs">{{ short }}</div>
{% for p in paragraphs %}
<div class="outer"><div class="float">{{ short }}</div><p class="border-box">{{ p }}</p>
  <p class="padding-box">{{ p }}</p><p class="limits">{{ p }}</p>
  <p>{{ short }}<span class="inline-block">{{ short }}</span>{{ p }}</p></div>
<table class="collapse"><tr><td style="width: 25%">{{ p }}</td><td><p class="border-box">{{ p }}</p></td></tr>
  <tr><td colspan="2" style="border-top-width: 2pt">{{ p }}</td></tr></table>
<table class="collapse cell-box"><tr><td style="width: 30%">{{ p }}</td><td>{{ p }}</td></tr></table>
<table><tr><td style="width: 40%">{{ p }}</td><td>{{ short }}</td></tr></table>
{% endfor %}"""

DRAWN = """{% include "pdf/_fonts.html" %}<style>
  @page { size: A5; margin: 15mm; }
  body { font-size: 11pt; line-height: 1.5; }
  .justify { text-align: justify; } .underline { text-decoration: underline; }
  .through { text-decoration: line-through 1pt; } .over { text-decoration: overline wavy; }
  .caps { font-variant: small-caps; } .features { font-feature-settings: "liga" 0, "kern" 0; }
  .spaced { letter-spacing: 0.1em; } .words { word-spacing: 0.5em; } .bold { font-weight: bold; }
  .ellipsis { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; width: 12em; }
  .tabs { white-space: pre; tab-size: 6; }
</style>
{% for p in paragraphs %}
  <p class="justify">{{ p }}</p><p class="underline justify">{{ p }}</p><p class="through">{{ p }}</p>
  <p class="over bold">{{ p }}</p><p class="caps" lang="en">{{ p }}</p><p class="features">{{ p }}</p>
  <p class="spaced justify">{{ p }}</p><p class="words justify">{{ p }}</p><p class="ellipsis">{{ p }}</p>
  <p lang="zh-Hant">{{ p }}</p><p class="tabs">甲	乙	{{ p|truncatechars:20 }}</p>
{% endfor %}"""

EDGES = ("margin", "padding", "border")
SIDES = ("top", "right", "bottom", "left")


def render(template, **context):
    html = Template(template).render(Context(context))
    return weasyprint.HTML(string=html, url_fetcher=local_url_fetcher()).render(
        font_config=font_configuration(ensure_fonts()))


def layout_of(template, **context):
    """Every box of every page: its kind, place, size, margins, paddings, borders and text."""
    pages = []
    for page in render(template, **context).pages:
        boxes = [(type(box).__name__, round(box.position_x, 3), round(box.position_y, 3), round(box.width, 3),
                  round(box.height, 3), getattr(box, "text", None),
                  tuple(round(getattr(box, f"{edge}_{side}" + ("_width" if edge == "border" else "")), 3)
                        for edge in EDGES for side in SIDES))
                 for box in page._page_box.descendants()]
        pages.append((page.width, page.height, boxes))
    return pages


def both_layouts(template, **context):
    assert layout_speedups.install()
    with layout_speedups.weasyprint_layout():
        theirs = layout_of(template, **context)
    ours = layout_of(template, **context)
    return ours, theirs


def both_pdfs(template, **context):
    assert layout_speedups.install()
    with layout_speedups.weasyprint_layout():
        theirs = render(template, **context).write_pdf()
    ours = render(template, **context).write_pdf()
    return ours, theirs


def test_the_shortcuts_are_installed_on_the_weasyprint_release_they_were_checked_against():
    # On another release they stay out (see WEASYPRINT_VERSION): check them again, then move the pin.
    assert weasyprint.__version__ == layout_speedups.WEASYPRINT_VERSION
    assert layout_speedups.install()
    from weasyprint.layout import inline, page

    from weasyprint.layout import block, percent, table
    from weasyprint.text import line_break

    assert page.set_page_type_computed_styles is layout_speedups._shared_page_styles
    assert inline.split_first_line is layout_speedups._split_first_line
    assert line_break.first_line_metrics is layout_speedups._first_line_metrics
    assert line_break.Layout.setup is layout_speedups._setup
    for module in (percent, block, inline, page, table):
        assert module.resolve_percentages is layout_speedups._resolve_percentages
    with layout_speedups.weasyprint_layout():  # and WeasyPrint's own are back inside the block
        assert block.resolve_percentages is not layout_speedups._resolve_percentages
        assert line_break.Layout.setup is not layout_speedups._setup


def test_pages_sharing_styles_keep_weasyprints_pages_counters_and_margin_boxes():
    ours, theirs = both_layouts(PAGES, parts=["一、基本情况", "二、主要指标", "三、自评报告"],
                                paragraphs=[CJK * 3, MIXED * 2, LATIN * 2] * 2)
    assert len(ours) == len(theirs) >= 10
    assert ours == theirs
    footers = [box[5] for _w, _h, boxes in ours for box in boxes if box[5] and box[5].startswith("— ")]
    assert footers[0].startswith("— 2 / ") and f" / {len(ours)} —" in footers[0]  # :first has none
    annex = [box[5] for _w, _h, boxes in ours for box in boxes if box[5] and box[5].startswith("附 ")]
    # the named page's counter-reset applies on each of its pages, and turns the page counter's increment off
    assert len(annex) >= 2 and set(annex) == {"附 0"}


def test_lines_break_where_weasyprint_breaks_them_in_every_script_and_box():
    ours, theirs = both_layouts(TEXT, paragraphs=[CJK * 4, LATIN * 3, MIXED * 3, LONG_WORDS, URL * 2, "短句。", "１２３" * 40])
    assert ours == theirs
    lines = [box[5] for _w, _h, boxes in ours for box in boxes if box[0] == "TextBox"]
    assert len(lines) > 300


def test_a_slice_is_taken_only_where_it_is_shorter_than_weasyprints():
    ems = 40  # a line of 40 Chinese characters
    assert layout_speedups._short_length(CJK * 3, ems) == 62  # about a line and a half, not four lines
    assert layout_speedups._short_length(CJK, ems * 2) is None  # the whole paragraph is shorter than that
    latin = layout_speedups._short_length(LATIN * 3, ems)
    assert latin is None or latin > ems * 2  # half-width letters: more characters, or WeasyPrint's own slice


def test_used_margins_paddings_sizes_and_borders_are_weasyprints_in_every_kind_of_box():
    # percentages of the containing block, calc(), box-sizing, min/max, floats, absolute positions,
    # inline blocks, and tables with separate and collapsed borders (where a cell's border comes from the table)
    ours, theirs = both_layouts(BOXES, paragraphs=[CJK * 2, MIXED, LATIN], short="短句。")
    assert ours == theirs
    borders = {box[6][8:] for _w, _h, boxes in ours for box in boxes if box[0] == "TableCellBox"}
    assert len(borders) > 2  # the collapsed borders differ from cell to cell


def test_drawn_pages_are_byte_for_byte_weasyprints():
    # lines measured where Pango broke them and Pango set up once per style draw the same PDF: decorations
    # (which read the font's metrics), font features, letter and word spacing, justification, ellipsis, tabs
    for template, paragraphs in ((DRAWN, [CJK * 3, MIXED * 2, LATIN * 2, URL]), (TEXT, [CJK * 2, MIXED, LONG_WORDS]),
                                 (PAGES, [CJK * 2, LATIN])):
        ours, theirs = both_pdfs(template, paragraphs=paragraphs, parts=["一、基本情况", "二、主要指标"])
        assert len(ours) > 10_000
        assert ours == theirs


def test_a_wrapped_line_is_measured_from_pangos_break_only_where_that_is_the_same_measure():
    # WeasyPrint still shapes a wrapped line again where its own measure can differ from Pango's break:
    # a collapsible space at its end (Latin text), letter or word spacing, forced breaks
    wrapped = []
    module, original = layout_speedups._originals["first_line_metrics"]

    def recording(first_line, text, layout, resume_at, *args):
        if resume_at:
            wrapped.append(text)
        return original(first_line, text, layout, resume_at, *args)

    paragraph = '{% include "pdf/_fonts.html" %}<p style="width: 20em{{ style }}">{{ text }}</p>'
    layout_speedups._originals["first_line_metrics"] = (module, recording)
    try:
        lines = {}
        for name, text, style in (("chinese", CJK * 4, ""), ("latin", LATIN * 2, ""),
                                  ("spaced chinese", CJK * 2, "; letter-spacing: 1pt")):
            wrapped.clear()
            document = render(paragraph, text=text, style=style)
            count = sum(type(box).__name__ == "LineBox" for box in document.pages[0]._page_box.descendants())
            lines[name] = (count, len(wrapped))
    finally:
        layout_speedups._originals["first_line_metrics"] = (module, original)
    assert lines["chinese"][0] > 10 and lines["chinese"][1] == 0
    assert lines["latin"][0] > 5 and lines["latin"][1] == lines["latin"][0] - 1
    assert lines["spaced chinese"][0] > 5 and lines["spaced chinese"][1] == lines["spaced chinese"][0] - 1
