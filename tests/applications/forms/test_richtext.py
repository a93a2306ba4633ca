"""Narratives with figures and tables (000 附件1 三: 自评报告必要时使用图表; 附件2: 可附图片、图表; 003 附件2:
用数据、图表展现成果): what survives the sanitizer, how 字数 is counted, how images are uploaded and kept."""
import json
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from applications.forms import richtext
from applications.forms.services import add_narrative_image, save_section
from applications.forms.spec import form_for, section_chars
from applications.forms.textcount import count_chars
from applications.models import ApplicationSection, Attachment
from qualityaward.accounts.services import Actor


def png(size=(320, 200), color=(200, 30, 30)):
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def image_upload(data=None, name="chart.png"):
    return SimpleUploadedFile(name, png() if data is None else data, "image/png")


# --- the sanitizer --------------------------------------------------------------------------------------
@pytest.mark.parametrize("dirty, kept, gone", [
    ("<p>质量<script>alert(1)</script>目标</p>", "<p>质量目标</p>", "alert"),
    ('<p onclick="steal()">改进</p>', "<p>改进</p>", "steal"),
    ('<img src="/applications/7/form/images/3/" onerror="steal()">', 'src="/applications/7/form/images/3/"', "onerror"),
    ('<img src="javascript:alert(1)"><p>表</p>', "<p>表</p>", "javascript"),
    ('<img src="https://example.com/x.png"><p>表</p>', "<p>表</p>", "example.com"),
    ('<img src="data:image/png;base64,iVBORw0KGgo="><p>表</p>', "<p>表</p>", "data:"),
    ('<a href="javascript:alert(1)">链接</a>', "链接", "href"),
    ('<p style="color:red">红</p><style>p{}</style>', "<p>红</p>", "style"),
    ('<iframe src="/"></iframe><p>文</p>', "<p>文</p>", "iframe"),
    ('<table><colgroup><col style="min-width:25px"></colgroup><tbody><tr><td colspan="2" onmouseover="x()">'
     '<p>合格率</p></td></tr></tbody></table>', '<td colspan="2"><p>合格率</p></td>', "onmouseover"),
])
def test_the_sanitizer_keeps_the_narrative_subset_and_drops_everything_else(dirty, kept, gone):
    clean = richtext.sanitize(dirty, application_id=7)
    assert kept in clean
    assert gone not in clean


def test_an_image_of_another_application_or_a_deleted_one_is_dropped():
    html = ('<p>图</p><img src="/applications/7/form/images/3/"><img src="/applications/8/form/images/4/">'
            '<img src="/applications/7/form/images/9/">')
    clean = richtext.sanitize(html, application_id=7, image_ids={3})
    assert clean == '<p>图</p><img src="/applications/7/form/images/3/">'


def test_headings_lists_tables_bold_and_italic_survive():
    html = ("<h2>一、领导</h2><h3>1.1</h3><h4>(1)</h4><p><strong>粗</strong><em>斜</em></p>"
            "<ul><li><p>甲</p></li></ul><ol><li><p>乙</p></li></ol>"
            "<table><tbody><tr><th><p>指标</p></th></tr><tr><td><p>99%</p></td></tr></tbody></table>")
    assert richtext.sanitize(html) == html


def test_plain_text_stored_before_the_field_was_rich_stays_text():
    text = "第一段 <5% 的不良率\n第二段"
    assert richtext.clean_value(text) == text
    assert richtext.as_html(text) == "<p>第一段 &lt;5% 的不良率</p><p>第二段</p>"
    assert richtext.text_of(text) == text


def test_a_narrative_with_nothing_left_is_empty():
    assert richtext.clean_value("<p></p><script>x</script>") == ""
    assert richtext.clean_value('<p><img src="/applications/1/form/images/2/"></p>') != ""


# --- 字数 (issue item 5's rule, on the text content) ----------------------------------------------------
@pytest.mark.parametrize("html, chars", [
    ("<p>质量管理</p>", 4),
    ("<p>采用ISO9001标准</p>", 5),
    ("<p>ISO</p><p>9001</p>", 2),  # two paragraphs: two words, as on two lines
    ("<table><tbody><tr><td><p>ISO</p></td><td><p>9001</p></td></tr></tbody></table>", 2),
    ("<h2>目标</h2><ul><li><p>合格率100%</p></li></ul>", 6),
    ('<p>图<img src="/applications/1/form/images/2/" alt="示意图说明">表</p>', 2),  # images count 0
    ("<p>a&amp;b</p>", 1),
    ("<p><strong>质</strong>量</p>", 2),
])
def test_the_words_of_a_narrative_are_those_of_its_text(html, chars):
    assert count_chars(richtext.text_of(html)) == chars


def test_the_section_total_counts_narratives_by_their_text(world):
    app = world.new_app(filled=False)
    section = form_for(app).section("features")
    data = {"background": "<p>背景说明</p>", "content": "<table><tbody><tr><td><p>做法</p></td></tr></tbody></table>",
            "results": "成效"}
    assert section_chars(section, data) == 8


def test_a_narrative_over_its_limit_is_refused_by_its_text(world):
    app = world.new_app(filled=False)
    row, _ = ApplicationSection.objects.get_or_create(application=app, code="overview")
    html = "<p>" + "质" * 2990 + "</p>" + "<p><strong></strong></p>" * 500  # markup does not count
    result = save_section(application=app, code="overview", data={"text": html}, base_version=row.version,
                          actor=Actor(user=world.owner))
    assert result.errors == {}
    too_long = "<p>" + "质" * 3001 + "</p>"
    result = save_section(application=app, code="overview", data={"text": too_long},
                          base_version=result.section.version, actor=Actor(user=world.owner))
    assert result.errors == {"text": "“组织概述”限 3000 字，当前 3001 字，请删减。"}


# --- images: uploaded, judged by content, kept with the application -------------------------------------
def test_an_inserted_image_is_judged_by_content_and_re_encoded(world):
    app = world.new_app(filled=False)
    image = add_narrative_image(application=app, uploaded=image_upload(), actor=Actor(user=world.owner))
    assert image.slot == richtext.IMAGE_SLOT and image.content_type == "image/png"
    with pytest.raises(Exception) as refused:
        add_narrative_image(application=app, uploaded=image_upload(b"<svg onload=alert(1)></svg>", "x.png"),
                            actor=Actor(user=world.owner))
    assert "插入的图片" in " ".join(refused.value.messages)


def test_saving_keeps_the_applications_own_images_only(world):
    app = world.new_app(filled=False)
    other = world.new_app(filled=False)
    mine = add_narrative_image(application=app, uploaded=image_upload(), actor=Actor(user=world.owner))
    theirs = add_narrative_image(application=other, uploaded=image_upload(), actor=Actor(user=world.owner))
    html = (f'<p>趋势</p><img src="{richtext.image_url(app.pk, mine.pk)}" alt="趋势图">'
            f'<img src="{richtext.image_url(other.pk, theirs.pk)}"><img src="{richtext.image_url(app.pk, theirs.pk)}">')
    row, _ = ApplicationSection.objects.get_or_create(application=app, code="overview")
    save_section(application=app, code="overview", data={"text": html}, base_version=row.version,
                 actor=Actor(user=world.owner))
    stored = ApplicationSection.objects.get(application=app, code="overview").data["text"]
    assert stored == f'<p>趋势</p><img src="{richtext.image_url(app.pk, mine.pk)}" alt="趋势图">'


def test_the_image_endpoint_answers_the_address_and_serves_it_to_readers_only(client, world):
    app = world.new_app(filled=False)
    client.force_login(world.owner)
    url = reverse("applications:narrative_image_upload", args=[app.pk])
    answer = client.post(url, {"file": image_upload()})
    assert answer.status_code == 200
    body = answer.json()
    image = Attachment.objects.get(application=app, slot=richtext.IMAGE_SLOT)
    assert body == {"ok": True, "url": richtext.image_url(app.pk, image.pk), "name": image.original_name}
    shown = client.get(body["url"])
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert Image.open(BytesIO(b"".join(shown.streaming_content))).size == (320, 200)

    bad = client.post(url, {"file": SimpleUploadedFile("a.png", b"%PDF-1.4 not an image", "image/png")})
    assert bad.status_code == 400 and "JPG" in bad.json()["message"]
    assert client.post(url, {}).json()["message"] == "请选择要插入的图片（JPG 或 PNG）。"

    client.force_login(world.stranger)
    assert client.get(body["url"]).status_code == 404
    assert client.post(url, {"file": image_upload()}).status_code == 404


def test_the_section_page_gives_the_editor_the_narrative_and_its_image_address(client, world):
    app = world.new_app(filled=False)
    client.force_login(world.owner)
    row, _ = ApplicationSection.objects.get_or_create(application=app, code="overview")
    save_section(application=app, code="overview", data={"text": "<h2>概述</h2><p>正文</p>"},
                 base_version=row.version, actor=Actor(user=world.owner))
    page = client.get(reverse("applications:section", args=[app.pk, "overview"])).content.decode()
    assert 'data-rich="1"' in page and "&lt;h2&gt;概述&lt;/h2&gt;&lt;p&gt;正文&lt;/p&gt;" in page
    assert f'data-image-url="{reverse("applications:narrative_image_upload", args=[app.pk])}"' in page
    assert 'type="module" src="/static/js/rich-text.js"' in page
    assert json.loads(client.post(reverse("applications:section_save", args=[app.pk, "overview"]),
                                  json.dumps({"version": 0, "data": {"text": "<p>旧版本</p>"}}),
                                  content_type="application/json").content)["conflict"] is True
