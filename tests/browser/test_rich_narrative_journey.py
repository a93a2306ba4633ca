"""A narrative with a table and an image round-trips (000 附件1 三: 自评报告必要时使用图表): typed in the editor
with a table and an inserted image → autosaved → reloaded → the Word copy → the dossier PDF, under the
Content-Security-Policy (no violation, no script error)."""
import io
import re
import subprocess

import docx
import pytest
from playwright.sync_api import expect

from applications.documents.dossier import build_dossier
from applications.forms import richtext
from applications.forms.spec import form_for, section_chars
from applications.forms.textcount import count_chars
from applications.models import Attachment
from narrative_support import RED, png

pytestmark = pytest.mark.browser

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


def no_violations(page):
    assert page.evaluate("window.__cspViolations") == []
    assert page.js_errors == []


def test_a_narrative_with_a_table_and_an_image_round_trips_to_word_and_the_dossier(portal, context, page, tmp_path):
    user = portal.applicant()
    app = portal.draft(user)
    key = form_for(app).section("self_assessment").items[0].key
    portal.sign_in(context, user)
    context.add_init_script(COLLECT_VIOLATIONS)
    page.goto(f"/applications/{app.pk}/form/self_assessment/")
    field = page.locator(f'.qa-field[data-field="{key}"]')
    editor = field.locator(".tiptap[contenteditable=true]")
    editor.click()
    page.keyboard.type("近三年主要质量指标如下：")
    page.keyboard.press("Enter")

    # a 2 × 2 table with a header row, from the toolbar's table button and its dialog
    field.get_by_role("button", name=re.compile("table", re.I)).first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("行数").fill("2")
    dialog.get_by_label("列数").fill("2")
    dialog.get_by_label("首行为表头").select_option("Yes")
    dialog.get_by_role("button", name="插入表格").click()
    for text in ("指标", "2025年", "一次交验合格率", "99.6%"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")

    # an image, uploaded to the application and inserted where the cursor is
    editor.locator("p").first.click()
    page.keyboard.press("End")
    field.locator("input[type=file]").set_input_files(
        files=[{"name": "趋势图.png", "mimeType": "image/png", "buffer": png()}])
    expect(editor.locator("img")).to_have_count(1)
    expect(page.locator("#qa-status")).to_have_text(re.compile(r"^已保存 \d{1,2}:\d{2}:\d{2}$"))
    no_violations(page)

    image = Attachment.objects.get(application=app, slot=richtext.IMAGE_SLOT)
    stored = portal.section(app, "self_assessment")[0][key]
    assert f'<img src="{richtext.image_url(app.pk, image.pk)}"' in stored
    assert re.search(r"<th[^>]*><p>指标</p></th>", stored) and re.search(r"<td[^>]*><p>99.6%</p></td>", stored)
    assert "近三年主要质量指标如下：" in stored
    # the page's counter and the server count the text alike: not the tags, not the image
    chars = section_chars(form_for(app).section("self_assessment"), portal.section(app, "self_assessment")[0])
    assert chars == count_chars("近三年主要质量指标如下：\n指标\n2025年\n一次交验合格率\n99.6%") == 24
    expect(page.locator("#qa-total-count")).to_have_text("24")

    # reloaded: the same table and the image, loaded from the portal
    page.reload()
    editor = page.locator(f'.qa-field[data-field="{key}"] .tiptap[contenteditable=true]')
    expect(editor.locator("th")).to_have_count(2)
    expect(editor.locator("td").nth(1)).to_have_text("99.6%")
    expect(editor.locator("img")).to_have_count(1)
    page.wait_for_function("document.querySelector('.tiptap img').naturalWidth === 600")
    expect(page.locator("#qa-total-count")).to_have_text("24")
    no_violations(page)

    # the Word copy: the table as a Word table, the image as a picture
    word = page.request.get(f"/applications/{app.pk}/form/word/")
    assert word.status == 200
    document = docx.Document(io.BytesIO(word.body()))
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["指标", "2025年"] in cells and ["一次交验合格率", "99.6%"] in cells
    assert len(document.inline_shapes) == 1

    # the dossier PDF: table cells are text (pdftotext), the image is drawn (pdfimages, pdftoppm)
    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(build_dossier(app).pdf)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "一次交验合格率" in text and "99.6%" in text and "近三年主要质量指标如下" in text
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    drawn = [line.split() for line in listing.splitlines()[2:] if line.split()[3:5] == ["600", "300"]]
    assert len(drawn) == 1, listing
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", drawn[0][0], "-l", drawn[0][0], str(pdf),
                    str(tmp_path / "page")], check=True)
    from PIL import Image

    rendered = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    assert sum(1 for px in rendered.get_flattened_data() if abs(px[0] - RED[0]) < 40 and px[1] < 80 and px[2] < 80) > 1000
