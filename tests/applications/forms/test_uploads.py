"""Uploads are judged by content: every file here is generated in the test, none is committed."""
import hashlib
import struct
import time
import zipfile
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageFile
from pypdf import PdfWriter

from applications.forms.uploads import check_total_pages, count_pdf_pages, inspect_upload, safe_file_name

LABEL = "证明材料"


# ---------------------------------------------------------------------------------------------- makers

def make_pdf(pages=3, password=None):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def make_jpeg(size=(40, 20), orientation=None, gps=False, colors=((255, 0, 0), (0, 0, 255)), **save):
    """Left half one colour, right half another, so a rotation is visible in the pixels."""
    image = Image.new("RGB", size, colors[0])
    image.paste(colors[1], (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (34.0, 45.0, 0.0)}
    exif[0x010F] = "ExampleCam"  # Make
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"secret comment", **save)
    return out.getvalue()


def make_png(size=(30, 20), mode="RGBA", **save):
    image = Image.new(mode, size)
    out = BytesIO()
    image.save(out, format="PNG", **save)
    return out.getvalue()


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def make_bomb_png(width, height):
    """A genuine, valid 1-bit PNG of width×height: all-zero rows compress to almost nothing."""
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def make_zip(names):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return out.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/pdf")  # the browser's word is ignored


def refused(name, data, **options):
    with pytest.raises(ValidationError) as caught:
        inspect_upload(uploaded=upload(name, data), field_label=LABEL, **options)
    message = caught.value.messages[0]
    assert LABEL in message
    return caught.value, message


# ---------------------------------------------------------------------------------------------- accepted

def test_valid_pdf_is_kept_unchanged_and_pages_counted():
    data = make_pdf(3)
    result = inspect_upload(uploaded=upload("申报书（终稿）.pdf", data), field_label=LABEL)
    assert result.kind == "pdf" and result.content_type == "application/pdf"
    assert result.data == data and result.size == len(data)
    assert result.pages == 3 and result.width is None and result.height is None
    assert result.safe_name == "申报书（终稿）.pdf"
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_pdf_extension_follows_content_not_name():
    result = inspect_upload(uploaded=upload("scan.JPG", make_pdf(1)), field_label=LABEL)
    assert result.kind == "pdf" and result.safe_name == "scan.pdf"


def test_pdf_with_junk_before_header_is_accepted():
    data = b"\r\n\r\n" + make_pdf(2)
    assert inspect_upload(uploaded=upload("a.pdf", data), field_label=LABEL).pages == 2


def test_jpeg_is_rotated_and_stripped_of_exif():
    data = make_jpeg(orientation=6, gps=True)
    assert Image.open(BytesIO(data)).getexif()  # the source really carries EXIF
    result = inspect_upload(uploaded=upload("现场照片.jpeg", data), field_label="现场照片")
    assert result.kind == "jpeg" and result.content_type == "image/jpeg"
    assert result.safe_name == "现场照片.jpg"
    stored = Image.open(BytesIO(result.data))
    assert stored.format == "JPEG"
    assert (result.width, result.height) == stored.size == (20, 40)  # orientation 6 = turn 90° clockwise
    assert not stored.getexif() and "exif" not in stored.info and "comment" not in stored.info
    assert b"Exif" not in result.data and b"ExampleCam" not in result.data and b"secret comment" not in result.data
    red, blue = stored.getpixel((10, 5)), stored.getpixel((10, 35))
    assert red[0] > 200 and red[2] < 60  # the left (red) half is now on top
    assert blue[2] > 200 and blue[0] < 60
    assert result.sha256 == hashlib.sha256(result.data).hexdigest() and result.size == len(result.data)
    assert result.pages == 1


def test_cmyk_jpeg_is_stored_as_rgb():
    out = BytesIO()
    Image.new("CMYK", (20, 20), (0, 255, 255, 0)).save(out, format="JPEG")
    result = inspect_upload(uploaded=upload("cmyk.jpg", out.getvalue()), field_label=LABEL)
    assert Image.open(BytesIO(result.data)).mode == "RGB"


def test_icc_profile_is_applied_then_dropped():
    out = BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (20, 20), (10, 200, 30)).save(out, format="JPEG", icc_profile=srgb)
    result = inspect_upload(uploaded=upload("icc.jpg", out.getvalue()), field_label=LABEL)
    stored = Image.open(BytesIO(result.data))
    assert "icc_profile" not in stored.info
    assert abs(stored.getpixel((5, 5))[1] - 200) < 10


def test_valid_png_is_reencoded_without_metadata():
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    info.add_text("Author", "张三 13800000000")
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"
    data = make_png(pnginfo=info, exif=exif.tobytes())
    result = inspect_upload(uploaded=upload("图表.png", data), field_label=LABEL)
    assert result.kind == "png" and result.content_type == "image/png" and result.safe_name == "图表.png"
    stored = Image.open(BytesIO(result.data))
    assert stored.format == "PNG" and stored.mode == "RGBA" and stored.size == (30, 20)
    assert (result.width, result.height) == (30, 20)
    assert "Author" not in stored.info and not stored.getexif()
    assert b"13800000000" not in result.data and b"ExampleCam" not in result.data


def test_palette_png_keeps_transparency():
    image = Image.new("P", (10, 10), 0)
    image.putpalette([255, 255, 255, 200, 0, 0])
    image.paste(1, (5, 0, 10, 10))
    out = BytesIO()
    image.save(out, format="PNG", transparency=0)
    assert Image.open(BytesIO(out.getvalue())).convert("RGBA").getpixel((0, 0))[3] == 0
    result = inspect_upload(uploaded=upload("logo.png", out.getvalue()), field_label=LABEL)
    stored = Image.open(BytesIO(result.data))
    assert stored.mode == "P"
    assert stored.convert("RGBA").getpixel((0, 0))[3] == 0
    assert stored.convert("RGBA").getpixel((9, 0)) == (200, 0, 0, 255)


def test_plain_file_objects_are_accepted():
    class Plain:
        name = "plain.pdf"

        def __init__(self, data):
            self.stream = BytesIO(data)

        def read(self, size=-1):
            return self.stream.read(size)

    assert inspect_upload(uploaded=Plain(make_pdf(2)), field_label=LABEL).pages == 2


# ---------------------------------------------------------------------------------------------- refused by content

def test_renamed_elf_executable_is_refused():
    data = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"%PDF-1.4 polyglot" + bytes(200)
    error, message = refused("报告.pdf", data)
    assert "可执行" in message and "报告.pdf" in message and error.code == "bad_type"
    assert "只修改扩展名" in message


def test_windows_exe_named_jpg_is_refused():
    data = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"This program cannot be run in DOS mode." + bytes(100)
    _, message = refused("photo.jpg", data)
    assert "可执行" in message and "photo.jpg" in message


def test_html_named_png_is_refused():
    data = "\ufeff<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".encode()
    _, message = refused("截图.png", data)
    assert "HTML" in message


def test_svg_named_jpg_is_refused():
    data = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    _, message = refused("图.jpg", data)
    assert "SVG" in message


def test_docx_is_refused_with_advice_to_save_as_pdf():
    data = make_zip(["[Content_Types].xml", "word/document.xml"])
    _, message = refused("自评报告.docx", data)
    assert "Word" in message and "另存为 PDF" in message


def test_zip_is_refused():
    _, message = refused("材料.zip", make_zip(["a.pdf", "b.pdf"]))
    assert "压缩包" in message


def test_zip_carrying_a_stored_pdf_is_not_taken_for_a_pdf():
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("a.pdf", make_pdf(1))
    data = out.getvalue()
    assert data.find(b"%PDF-") < 1024
    _, message = refused("a.pdf", data)
    assert "压缩包" in message


def test_unknown_content_is_refused():
    _, message = refused("x.pdf", b"\x00\x01\x02 random bytes" * 10)
    assert "无法识别" in message and "PDF、JPG 或 PNG" in message


def test_pdf_refused_where_only_images_are_allowed():
    error, message = refused("照片.pdf", make_pdf(1), allowed=("jpeg", "png"))
    assert error.code == "kind_not_allowed" and "JPG 或 PNG" in message and "图片" in message


def test_unknown_allowed_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        inspect_upload(uploaded=upload("a.pdf", make_pdf(1)), field_label=LABEL, allowed=("gif",))


# ---------------------------------------------------------------------------------------------- size

def test_zero_byte_file_is_refused():
    error, message = refused("空.pdf", b"")
    assert error.code == "empty" and "空.pdf" in message and "0 字节" in message


def test_oversize_file_is_refused_with_the_limit():
    error, message = refused("大.pdf", make_pdf(1) + bytes(5000), max_bytes=2 * 1024)
    assert error.code == "too_large" and "2 KB" in message


def test_oversize_message_says_megabytes():
    _, message = refused("大.pdf", bytes(10), max_bytes=5)
    assert "上限" in message
    big = SimpleUploadedFile("大.pdf", b"%PDF-1.4")
    big.size = 25 * 1024 * 1024  # Django measures .size itself; refuse before reading anything
    with pytest.raises(ValidationError) as caught:
        inspect_upload(uploaded=big, field_label=LABEL)
    assert "20 MB" in caught.value.messages[0] and "25 MB" in caught.value.messages[0]


def test_reading_stops_just_past_the_limit():
    class Endless:
        name = "endless.pdf"
        read_bytes = 0

        def read(self, size=-1):
            assert size > 0
            self.read_bytes += size
            return b"%PDF-" + bytes(size - 5)

    endless = Endless()
    with pytest.raises(ValidationError):
        inspect_upload(uploaded=endless, field_label=LABEL, max_bytes=1024 * 1024)
    assert endless.read_bytes <= 1024 * 1024 + 64 * 1024


# ---------------------------------------------------------------------------------------------- PDFs

def test_encrypted_pdf_is_refused():
    error, message = refused("加密.pdf", make_pdf(2, password="secret"))
    assert error.code == "pdf_encrypted" and "请上传未加密、无打开密码的 PDF" in message


def test_corrupt_pdf_is_refused():
    error, message = refused("坏.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4)
    assert error.code == "pdf_corrupt" and "坏.pdf" in message


def test_pdf_without_pages_is_refused():
    error, _ = refused("空白.pdf", make_pdf(0))
    assert error.code in ("pdf_empty", "pdf_corrupt")


def test_count_pdf_pages():
    assert count_pdf_pages(make_pdf(5)) == 5
    with pytest.raises(ValidationError) as caught:
        count_pdf_pages(b"%PDF-1.7 nonsense")
    assert caught.value.code == "pdf_corrupt" and caught.value.messages[0].startswith("该 PDF 无法读取")
    with pytest.raises(ValidationError) as caught:
        count_pdf_pages(make_pdf(1, password="secret"))
    assert "请上传未加密、无打开密码的 PDF" in caught.value.messages[0]


# ---------------------------------------------------------------------------------------------- images

def test_truncated_jpeg_is_refused():
    data = make_jpeg(size=(400, 300), progressive=False)
    error, message = refused("照片.jpg", data[: len(data) // 2])
    assert error.code == "image_corrupt" and "损坏" in message


def test_truncated_png_is_refused():
    image = Image.effect_noise((200, 200), 50).convert("RGB")
    out = BytesIO()
    image.save(out, format="PNG")
    data = out.getvalue()
    error, _ = refused("图.png", data[: len(data) // 2])
    assert error.code == "image_corrupt"


def test_decompression_bomb_is_refused_before_decoding(monkeypatch):
    data = make_bomb_png(30000, 30000)
    assert len(data) < 500_000
    loads = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self) or original_load(self))
    started = time.perf_counter()
    error, message = refused("炸弹.png", data)
    assert time.perf_counter() - started < 2
    assert error.code == "image_too_large" and "30000×30000" in message
    assert loads == []


def test_our_pixel_budget_is_below_pillows(monkeypatch):
    loads = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self) or original_load(self))
    error, message = refused("大图.png", make_bomb_png(2000, 1000), max_pixels=1_000_000)
    assert error.code == "image_too_large" and "2000×1000" in message and loads == []


def test_pillow_bomb_guard_is_also_caught():
    data = make_bomb_png(20000, 20000)  # 400 Mpx: Pillow itself refuses at open()
    error, _ = refused("炸弹.png", data, max_pixels=10**12)
    assert error.code == "image_too_large"


def test_small_photo_is_refused_with_its_size():
    data = make_jpeg(size=(400, 200))
    error, message = refused("小.jpg", data, min_image_side=300)
    assert error.code == "image_too_small" and "400×200" in message and "300" in message
    ok = inspect_upload(uploaded=upload("大.jpg", make_jpeg(size=(400, 300))), field_label=LABEL, min_image_side=300)
    assert (ok.width, ok.height) == (400, 300)


# ---------------------------------------------------------------------------------------------- names

@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\fakepath\\质量手册 v2.pdf", "质量手册_v2.pdf"),
    ("<script>alert(1).pdf", "script_alert(1).pdf"),
    ("<script>alert(1)</script>.pdf", "script.pdf"),  # "/" starts a path component: the base name is kept
    ("a\x00b\r\nc\"d'e.pdf", "a_b_c_d_e.pdf"),
    ("《质量报告》2024.pdf", "质量报告_2024.pdf"),
    ("@@@###.pdf", "文件.pdf"),
    ("...pdf", "文件.pdf"),
    ("..", "文件.pdf"),
    ("", "文件.pdf"),
    ("CON.pdf", "CON_.pdf"),
    ("report.tar.gz", "report_tar.pdf"),
])
def test_safe_file_name(name, expected):
    assert safe_file_name(name, ".pdf") == expected


def test_long_names_are_trimmed_to_80_characters():
    name = safe_file_name("很" * 200 + ".pdf", ".pdf")
    assert len(name) == 80 and name.endswith(".pdf")


def test_safe_name_comes_from_inspect_upload():
    result = inspect_upload(uploaded=upload("<script>.jpg", make_jpeg()), field_label=LABEL)
    assert result.safe_name == "script.jpg"
    result = inspect_upload(uploaded=upload("!!!.png", make_png()), field_label=LABEL)
    assert result.safe_name == "文件.png"


# ---------------------------------------------------------------------------------------------- page totals

def test_check_total_pages_boundary():
    check_total_pages(existing_pages=97, new_pages=3, limit=100, label="证明材料")
    with pytest.raises(ValidationError) as caught:
        check_total_pages(existing_pages=97, new_pages=4, limit=100, label="证明材料")
    assert caught.value.messages == ["证明材料总页数将达到 101 页，超过 100 页的上限。请删减后再上传。"]
    with pytest.raises(ValidationError) as caught:
        check_total_pages(existing_pages=100, new_pages=12, limit=100, label="证明材料")
    assert caught.value.messages == ["证明材料总页数将达到 112 页，超过 100 页的上限。请删减后再上传。"]


def test_truncated_images_are_refused_even_after_weasyprint_was_imported():
    """WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when imported."""
    import weasyprint  # noqa: F401

    from demo.content import jpeg_bytes

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    data = jpeg_bytes(800, 600)
    with pytest.raises(ValidationError):
        inspect_upload(uploaded=SimpleUploadedFile("半张.jpg", data[: len(data) // 2]), field_label="照片")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as WeasyPrint wants it
