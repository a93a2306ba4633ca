"""The prepared PDF fonts: subset once, used by every PDF template, rare characters still print (no boxes)."""
import io
import subprocess
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from pypdf import PdfReader

from applications.documents.services import local_url_fetcher, render_pdf
from applications.documents.fonts import FACES, charset, ensure_fonts, prepare_fonts, prepared_paths


def embedded_fonts(pdf):
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_fonts_are_prepared_once_and_then_left_alone():
    ensure_fonts()
    paths = prepared_paths()
    assert set(paths) == {f.key for f in FACES}
    mtimes = {k: p.stat().st_mtime_ns for k, p in paths.items()}
    assert set(prepare_fonts().values()) == {"current"}  # idempotent: nothing rebuilt
    assert {k: p.stat().st_mtime_ns for k, p in prepared_paths().items()} == mtimes
    assert all(p.stat().st_size < 6_000_000 for p in paths.values())  # subsets, not the 20-27 MB collections


def test_the_subset_covers_gb2312_and_the_forms_symbols():
    chars = charset()
    for text in ("河南省质量强省战略工作领导小组办公室印制", "（盖章）", "“”《》〔〕、。；：", "☑□①≤≥℃×", "ABCxyz0123"):
        assert all(ord(c) in chars for c in text), text
    assert ord("龘") not in chars and 0x20BB7 not in chars  # rare characters come from the full font


def test_the_receipt_uses_the_prepared_fonts():
    app = SimpleNamespace(number="PY2026-00001", applicant_name="河南省测试装备制造有限公司",
                          get_kind_display="组织", region=SimpleNamespace(name="郑州市"))
    pdf = render_pdf("pdf/receipt.html", {"app": app, "program": SimpleNamespace(name="测试奖", organizer="测试单位")})
    assert {"QA-Song", "QA-Hei"} <= embedded_fonts(pdf)


def _glyph_pages(chars):
    """One big character per page, rendered through the shared font include, as small grey bitmaps."""
    from weasyprint import HTML

    html = Template('{% include "pdf/_fonts.html" %}<style>@page { size: 30mm 30mm; margin: 0 } '
                    'p { font-size: 60pt; margin: 0; line-height: 1; break-after: page }</style>'
                    '{% for c in chars %}<p>{{ c }}</p>{% endfor %}').render(Context({"chars": chars}))
    pdf = HTML(string=html, url_fetcher=local_url_fetcher()).write_pdf()
    bitmaps = []
    for n in range(1, len(chars) + 1):
        pgm = subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", str(n), "-l", str(n)], input=pdf,
                             capture_output=True, check=True).stdout
        bitmaps.append(pgm.split(b"\n", 3)[3])  # P5 header: magic, size, maxval, then the pixels
    return pdf, bitmaps


def test_chinese_glyphs_render_as_glyphs_not_boxes():
    common, rare, ext_b, missing = "永", "龘", "\U00020BB7", "\U0010FFFD"  # the last: no font has it (a box)
    pdf, (a, b, c, tofu) = _glyph_pages([common, rare, ext_b, missing])

    def ink(bitmap):
        return sum(255 - px for px in bitmap) / len(bitmap)

    assert all(ink(x) > 3 for x in (a, b, c)), "a character printed as nothing"
    assert len({a, b, c, tofu}) == 4, "two different characters rendered identically (boxes)"
    assert ink(b) > ink(a) * 1.5  # 龘 (48 strokes) is much darker than 永 (5); two boxes would be alike
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert common in text and rare in text and ext_b in text


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/x.png"])
def test_pdfs_load_nothing_from_outside_the_allowed_folders(url):
    fetcher = local_url_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)
