"""The printable dossier: what it prints, in which order, with which page numbers and bookmarks; page limits;
reuse of an unchanged dossier; a clear message when a file cannot be merged."""
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from applications.documents.dossier import build_dossier, dossier_hash, request_dossier
from applications.forms.services import add_attachment, save_section
from applications.models import ApplicationSection, Attachment, GeneratedDocument, State
from qualityaward.accounts.services import Actor


def evidence_pdf(label, pages):
    """A small PDF whose pages carry text (so the merged page can be recognised)."""
    from weasyprint import HTML

    body = "".join(f'<p style="break-after: page">{label} page {n}</p>' for n in range(1, pages + 1))
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def upload_evidence(app, user, title, data, name="scan.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return add_attachment(application=app, slot_key="evidence", actor=Actor(user=user), title=title,
                          uploaded=SimpleUploadedFile(name, data, "application/pdf"))


def texts(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() or "" for page in reader.pages]


def outline_titles(reader, items=None, depth=0):
    out = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out.extend(outline_titles(reader, item, depth + 1))
        else:
            out.append((depth, item.title, reader.get_destination_page_number(item)))
    return out


@pytest.fixture
def filled(world):
    app = world.new_app()
    upload_evidence(app, world.owner, "质量管理体系认证证书", evidence_pdf("CERTIFICATE", 3))
    return app


def test_the_dossier_prints_cover_form_opinions_catalog_evidence_and_spine_in_order(world, filled):
    dossier = build_dossier(filled)
    reader, pages = texts(dossier.pdf)
    whole = "\n".join(pages)
    flat = re.sub(r"\s+", "", whole)

    cover = re.sub(r"\s+", "", pages[0])
    assert "河南省省长质量奖培育组织推荐表" in cover
    assert "培育组织：河南省测试装备制造有限公司（盖章）" in cover
    assert "日期：" in cover and "河南省质量强省战略工作领导小组办公室印制" in cover
    assert "—" not in pages[0]  # the cover has no page number

    order = ["河南省省长质量奖培育组织推荐表", "一、组织概述", "2.1基本情况", "组织名称河南省测试装备制造有限公司",
             "2.2主要产品（服务）质量水平", "2.4组织绩效", "2.5主要市场、安全、环保和节能指标", "三、自评报告",
             "四、组织的特色质量管理体系、模式、方法总结", "附：证实性材料", "五、初审推荐意见",
             "省辖市（区）市场监督管理局初审意见", "所在地市级人民政府推荐意见", "证实性材料目录序号材料名称页数页码",
             "质量管理体系认证证书", "CERTIFICATEpage1", "CERTIFICATEpage3", "侧脊标签"]
    positions = [flat.find(t) for t in order]
    assert -1 not in positions, [t for t, p in zip(order, positions) if p == -1]
    assert positions == sorted(positions), order
    sizes = _font_sizes(reader.pages[1])
    assert sizes["一、组织概述"[:4]] == pytest.approx(16, abs=0.2)  # headings 黑体三号
    assert sizes["公司坚持"] == pytest.approx(14, abs=0.2)  # content 四号
    assert _font_sizes(reader.pages[0])["河南省省"] == pytest.approx(22, abs=0.2)  # cover title 二号
    # the spine label: the name, stacked, on the last page
    assert "河南省测试装备制造有限公司" in re.sub(r"\s+", "", pages[-1])
    assert dossier.report["total"] == len(reader.pages)


def test_page_numbers_catalog_and_bookmarks_agree(world, filled):
    upload_evidence(filled, world.owner, "省级荣誉证书", evidence_pdf("HONOUR", 2))
    dossier = build_dossier(filled)
    reader, pages = texts(dossier.pdf)

    # every page but the cover and the spine label is numbered "— n —", n = its place after the cover
    for index in range(1, len(pages) - 1):
        assert f"— {index} —" in pages[index] or f"—{index}—" in pages[index].replace(" ", ""), index
    assert "—" not in pages[-1]

    bookmarks = outline_titles(reader)
    top = [title for depth, title, _page in bookmarks if depth == 0]
    assert top[:2] == ["封面", "一、组织概述"]
    assert top[-3:] == ["五、初审推荐意见", "证实性材料目录", "侧脊标签"]
    assert "三、自评报告" in top
    marks = {title: page for _depth, title, page in bookmarks}
    certificate, honour = marks["质量管理体系认证证书"], marks["省级荣誉证书"]
    assert "CERTIFICATE page 1" in pages[certificate] and "HONOUR page 1" in pages[honour]
    assert honour == certificate + 3  # 3 pages, then the next file
    assert marks["侧脊标签"] == len(pages) - 1

    # the catalog gives each file's pages as printed on them (merged pages are numbered too)
    catalog = re.sub(r"\s+", " ", pages[marks["证实性材料目录"]])
    assert re.search(rf"质量管理体系认证证书 3 {certificate}–{certificate + 2}\b", catalog), catalog
    assert re.search(rf"省级荣誉证书 2 {honour}–{honour + 1}\b", catalog), catalog
    assert "共 3 份，合计 7 页" in catalog  # with the sample content's evidence file (2 pages)
    assert f"— {honour + 1} —" in pages[honour + 1] and "HONOUR page 2" in pages[honour + 1]

    report = dossier.report
    assert report["evidence"] == 2 + 5  # the sample evidence (2 pages) and the two uploads
    assert report["form"] == marks["证实性材料目录"] - 1  # from the first form page to the catalog
    assert report["total"] == len(pages)


def test_tables_split_across_pages_repeat_their_header(world):
    app = world.new_app()
    row = ApplicationSection.objects.get(application=app, code="products")
    long_cell = "指标说明" * 9
    rows = [{"name": f"产品{n}", "standard": "GB/T 1234", "indicator": long_cell, "own": "领先",
             "domestic_best": "同等", "international": "接近"} for n in range(30)]
    result = save_section(application=app, code="products", data={"rows": rows}, base_version=row.version,
                          actor=Actor(user=world.owner))
    assert not result.errors
    reader, pages = texts(build_dossier(app).pdf)
    with_rows = [p for p in pages if re.search(r"产品\d+", p)]
    assert len(with_rows) >= 2
    assert all("执行标准号" in p.replace("\n", "") for p in with_rows)  # thead printed on each page


def test_signed_opinion_and_government_scan_are_printed(world, drive):
    app = drive(world.new_app(), State.RECOMMENDED)
    initial = app.initial_opinions.filter(signed_at__isnull=False).get()
    dossier = build_dossier(app)
    reader, pages = texts(dossier.pdf)
    flat = re.sub(r"\s+", "", "\n".join(pages))
    assert re.sub(r"\s+", "", initial.opinion.splitlines()[0]) in flat
    assert f"签署文本摘要（SHA-256）{initial.text_sha256[:16]}" in flat
    marks = {title: page for _d, title, page in outline_titles(reader)}
    scan = marks["所在地市级人民政府推荐意见"]
    assert re.search(rf"见本册第{scan}页", flat)
    assert marks["五、初审推荐意见"] < scan < marks["证实性材料目录"]


def test_rare_characters_in_a_name_print_from_the_full_font(world):
    name = "河南省龘𠮷测试装备制造有限公司"
    app = world.new_app(name=name)
    dossier = build_dossier(app)
    reader, pages = texts(dossier.pdf)
    assert name in re.sub(r"\s+", "", pages[0])
    fonts = set()
    for page in (reader.pages[0], reader.pages[1]):
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert {"QA-Song", "QA-Hei"} <= fonts  # the prepared subsets print the text
    assert any(f.startswith("Noto-") for f in fonts)  # and the full font the two rare characters


def test_over_limit_parts_are_reported_with_the_excess(world, filled):
    profile = filled.campaign.program.profile
    profile.form_page_limit_organization = 3
    profile.evidence_page_limit_organization = 4
    profile.save()
    report = build_dossier(filled).report
    assert report["form"] > 3 and report["evidence"] == 5
    assert report["over"] == [
        f"推荐表共 {report['form']} 页，超过上限 3 页 {report['form'] - 3} 页，请精简填报内容后重新生成。",
        "证实性材料共 5 页，超过上限 4 页 1 页，请删减或合并证实性材料后重新生成。",
    ]


def test_within_the_seed_limits_nothing_is_over(world, filled):
    report = build_dossier(filled).report
    assert (report["form_limit"], report["evidence_limit"]) == (200, 100)
    assert report["over"] == []


def test_unchanged_application_reuses_its_dossier_and_a_change_invalidates_it(
        world, filled, django_capture_on_commit_callbacks):
    actor = Actor(user=world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        first = request_dossier(application=filled, actor=actor)
    first.refresh_from_db()
    assert first.status == GeneratedDocument.Status.READY and first.file
    assert first.content_hash == dossier_hash(filled)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = request_dossier(application=filled, actor=actor)
    assert again.pk == first.pk and callbacks == []  # served from the stored file, nothing queued

    row = ApplicationSection.objects.get(application=filled, code="overview")
    save_section(application=filled, code="overview", data={"text": "修改后的组织概述。"}, base_version=row.version,
                 actor=actor)
    assert dossier_hash(filled) != first.content_hash
    with django_capture_on_commit_callbacks(execute=True):
        changed = request_dossier(application=filled, actor=actor)
    changed.refresh_from_db()
    assert changed.pk != first.pk and changed.status == GeneratedDocument.Status.READY
    _reader, pages = texts(changed.file.read())
    assert "修改后的组织概述。" in "".join(pages)

    # a new evidence file changes it too
    before = dossier_hash(filled)
    upload_evidence(filled, world.owner, "新增证明", evidence_pdf("NEW", 1))
    assert dossier_hash(filled) != before


def test_an_unreadable_evidence_file_fails_with_a_clear_message_and_retries(
        world, filled, django_capture_on_commit_callbacks):
    attachment = Attachment.objects.get(application=filled, title="质量管理体系认证证书")
    path = Path(attachment.file.path)
    good = path.read_bytes()
    path.write_bytes(b"%PDF-1.4\n% damaged on disk\n")
    actor = Actor(user=world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        doc = request_dossier(application=filled, actor=actor)
    doc.refresh_from_db()
    assert doc.status == GeneratedDocument.Status.FAILED
    assert doc.error == "“质量管理体系认证证书”无法读取（文件可能已损坏），请重新上传后再生成。"

    path.write_bytes(good)
    with django_capture_on_commit_callbacks(execute=True):
        retried = request_dossier(application=filled, actor=actor)
    retried.refresh_from_db()
    assert retried.pk == doc.pk and retried.status == GeneratedDocument.Status.READY and retried.attempts == 2


def test_the_individual_form_masks_the_id_number_for_the_authority(world):
    from applications.documents.dossier import masks_id_number

    app = world.new_app()
    assert not masks_id_number(world.owner, app)
    assert not masks_id_number(world.secretariat, app)
    assert masks_id_number(world.authority, app)
    assert dossier_hash(app, masked=True) != dossier_hash(app)


def test_the_benchmark_material_has_its_own_format(world):
    from applications.forms.spec import benchmark_form

    app = world.new_app(campaign=world.benchmark_campaign)
    dossier = build_dossier(app)
    reader, pages = texts(dossier.pdf)
    flat = re.sub(r"\s+", "", "\n".join(pages))
    title = ApplicationSection.objects.get(application=app, code="summary").data["name"]
    assert title in re.sub(r"\s+", "", pages[0])  # the cover carries the benchmark's name
    assert benchmark_form().title in re.sub(r"\s+", "", pages[0])
    assert flat.find("摘要") < flat.find("企业概况") < flat.find("证实性材料目录")
    sizes = _font_sizes(reader.pages[1])
    assert sizes.get(title[:4]) == pytest.approx(18, abs=0.2)  # 黑体小二
    assert any(abs(size - 12) < 0.2 for size in sizes.values())  # 宋体小四 body
    assert dossier.report["form_limit"] is None and dossier.report["over"] == []


def _font_sizes(page):
    """{first characters of a text run: its size in points}."""
    sizes = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            sizes.setdefault(text.strip()[:4], round(font_size * scale, 1))

    page.extract_text(visitor_text=visit)
    return sizes


def test_the_individual_dossier_prints_the_person_and_masks_the_id_number_when_asked(world):
    from applications.models import Application
    from demo.content import VALID_ID_NUMBER, fill_application
    from applications.services import create_application

    app = create_application(actor=Actor(user=world.owner), campaign=world.campaign, kind=Application.Kind.INDIVIDUAL,
                             applicant_name="张质量", region=world.zhengzhou, organization=None)
    fill_application(application=app, actor=Actor(user=world.owner))
    dossier = build_dossier(app)
    reader, pages = texts(dossier.pdf)
    cover = re.sub(r"\s+", "", pages[0])
    assert "河南省省长质量奖培育个人推荐表" in cover and "培育个人：张质量" in cover and "所在单位：" in cover
    flat = re.sub(r"\s+", "", "\n".join(pages))
    assert VALID_ID_NUMBER in flat
    assert flat.find("一、个人基本情况") < flat.find("二、主要成绩与突出贡献") < flat.find("四、所在单位申报意见") \
        < flat.find("五、初审推荐意见") < flat.find("证实性材料目录序号")
    assert "工作单位盖章页扫描件" in flat and "扫描件见本册第" in flat  # the seal page is merged, with its page
    assert (dossier.report["form_limit"], dossier.report["evidence_limit"]) == (50, 25)
    masked = re.sub(r"\s+", "", "\n".join(texts(build_dossier(app, masked=True).pdf)[1]))
    assert VALID_ID_NUMBER not in masked and "1101**********002X" in masked


def test_image_evidence_is_placed_on_its_own_numbered_page(world, filled):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.content import jpeg_bytes

    add_attachment(application=filled, slot_key="evidence", actor=Actor(user=world.owner), title="现场照片",
                   uploaded=SimpleUploadedFile("photo.jpg", jpeg_bytes(1200, 900), "image/jpeg"))
    dossier = build_dossier(filled)
    reader, pages = texts(dossier.pdf)
    marks = {title: page for _d, title, page in outline_titles(reader)}
    photo = marks["现场照片"]
    assert f"— {photo} —" in pages[photo]
    images = list(reader.pages[photo].images)
    assert len(images) == 1 and images[0].image.size == (1200, 900)
    assert dossier.report["evidence"] == 2 + 3 + 1


def test_a_narratives_table_and_image_are_printed_in_the_dossier(world, tmp_path):
    """000 附件1 三 (必要时使用图表): the table's cells are text in the PDF, the image is drawn where it stands."""
    import subprocess

    from PIL import Image

    from narrative_support import narrative_with_table_and_image

    app = narrative_with_table_and_image(world)
    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(build_dossier(app).pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "一次交验合格率" in flat and "99.6%" in flat and "2025年" in flat and "战略目标分解" in flat
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    drawn = [line.split() for line in listing.splitlines()[2:] if line.split()[3:5] == ["600", "300"]]
    assert len(drawn) == 1, listing  # the application's own image; the foreign address prints nothing
    page = drawn[0][0]
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", page, "-l", page, str(pdf), str(tmp_path / "page")],
                   check=True)
    rendered = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    red = sum(1 for r, g, b in rendered.get_flattened_data() if r > 170 and g < 70 and b < 70)
    assert red > 1000  # the image, drawn within the text width, is thousands of pixels at 50 dpi
