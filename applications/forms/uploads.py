"""Judging uploaded evidence files by their content, never by their name or the browser's word.

``inspect_upload`` reads an upload (stopping one byte past the size limit), decides from magic bytes
whether it really is a PDF, JPEG or PNG, and then:

* PDFs are opened with pypdf; encrypted, unreadable and empty ones are refused, pages are counted and
  the bytes are kept unchanged;
* images have their header size checked against a pixel budget *before* any pixels are decoded, are
  decoded in full (so truncated files are caught) and re-encoded with EXIF orientation applied and
  every piece of metadata (EXIF/GPS, XMP, comments, text chunks) dropped.

Every refusal is a ``ValidationError`` in Chinese that names the form field and the file and says what
to do next. Messages are plain strings (no ``params``), so a ``%`` in a file name is harmless.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
import unicodedata
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

import filetype
from django.core.exceptions import ValidationError
from PIL import Image, ImageCms, ImageFile, ImageOps, JpegImagePlugin, PngImagePlugin
from pypdf import PdfReader

KINDS = {
    # kind: (content type, extension, name shown to users)
    "pdf": ("application/pdf", ".pdf", "PDF"),
    "jpeg": ("image/jpeg", ".jpg", "JPG"),
    "png": ("image/png", ".png", "PNG"),
}
_EXTENSIONS_OF_KIND = {"pdf": {".pdf"}, "jpeg": {".jpg", ".jpeg", ".jpe", ".jfif"}, "png": {".png"}}

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
JPEG_QUALITY = 90
SAFE_NAME_MAX_CHARS = 80
FALLBACK_NAME = "文件"
_READ_CHUNK = 64 * 1024
_PDF_HEADER_WINDOW = 1024

_PDF_MAGIC = b"%PDF-"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class InspectedFile:
    kind: str  # "pdf" | "jpeg" | "png"
    content_type: str  # "application/pdf" | "image/jpeg" | "image/png"
    data: bytes  # bytes to store: PDFs unchanged, images re-encoded without metadata
    sha256: str  # hex digest of ``data``
    size: int  # len(data)
    safe_name: str  # sanitised name whose extension matches ``kind``
    pages: int  # PDF page count; 1 for images
    width: int | None  # images only
    height: int | None  # images only


# --------------------------------------------------------------------------------------------------
# Public API


def inspect_upload(*, uploaded, field_label, allowed=("pdf", "jpeg", "png"), max_bytes=DEFAULT_MAX_BYTES,
                   max_pixels=DEFAULT_MAX_PIXELS, min_image_side=None) -> InspectedFile:
    """Check one upload by content and return what should be stored; raise ``ValidationError`` otherwise."""
    allowed = tuple(allowed)
    unknown = [kind for kind in allowed if kind not in KINDS]
    if unknown or not allowed:
        raise ValueError(f"allowed must be a non-empty subset of {sorted(KINDS)}, got {allowed!r}")

    raw_name = _base_name(getattr(uploaded, "name", None))
    refuse = _Refuser(field_label, raw_name)

    declared = getattr(uploaded, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        refuse(f"大小为 {_human_size(declared)}，超过 {_limit_mb(max_bytes)} 的上限。"
               "请压缩（如降低扫描分辨率）或拆分成几个文件后再上传。", "too_large")

    data = _read_limited(uploaded, max_bytes)
    if not data:
        refuse("是空文件（0 字节）。请确认文件能正常打开后重新选择上传。", "empty")
    if len(data) > max_bytes:
        refuse(f"大小超过 {_limit_mb(max_bytes)} 的上限。请压缩（如降低扫描分辨率）或拆分成几个文件后再上传。",
               "too_large")

    kind = _detect_kind(data)
    if kind is None:
        _refuse_unrecognised(refuse, data, raw_name, allowed)
    if kind not in allowed:
        wanted = _allowed_text(allowed)
        refuse(f"是 {KINDS[kind][2]} 格式，此处只接受 {wanted} 格式的{_noun(allowed)}。"
               f"请上传 {wanted} 格式的{_noun(allowed)}。", "kind_not_allowed")

    width = height = None
    if kind == "pdf":
        try:
            pages = _pdf_pages(data)
        except _PdfProblem as problem:
            refuse(problem.text, problem.code)
        stored = data
    else:
        stored, width, height = _reencode_image(data, kind, refuse, max_pixels, min_image_side)
        pages = 1

    content_type, extension, _ = KINDS[kind]
    return InspectedFile(
        kind=kind,
        content_type=content_type,
        data=stored,
        sha256=hashlib.sha256(stored).hexdigest(),
        size=len(stored),
        safe_name=safe_file_name(raw_name, extension),
        pages=pages,
        width=width,
        height=height,
    )


def count_pdf_pages(data: bytes) -> int:
    """Page count of a PDF; ``ValidationError`` (codes pdf_encrypted / pdf_corrupt / pdf_empty) otherwise.

    The messages say what is wrong and what to do but name no field; ``inspect_upload`` adds field and file.
    """
    try:
        return _pdf_pages(data)
    except _PdfProblem as problem:
        raise ValidationError("该 PDF " + problem.text, code=problem.code) from problem.__cause__


_PDF_PROBLEMS = {
    "pdf_corrupt": "无法读取，可能已损坏或不完整。请用 PDF 阅读器确认能正常打开，必要时重新导出或重新扫描后再上传。",
    "pdf_encrypted": "已加密或设置了密码。请上传未加密、无打开密码的 PDF"
                     "（可在 PDF 软件中取消密码和权限限制后另存一份）。",
    "pdf_empty": "没有任何页面。请检查文件内容，重新导出后再上传。",
}


class _PdfProblem(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code, self.text = code, _PDF_PROBLEMS[code]


def _pdf_pages(data: bytes) -> int:
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many kinds of errors on malformed files
        raise _PdfProblem("pdf_corrupt") from exc
    if encrypted:
        raise _PdfProblem("pdf_encrypted")
    try:
        pages = len(reader.pages)
    except Exception as exc:
        raise _PdfProblem("pdf_corrupt") from exc
    if pages < 1:
        raise _PdfProblem("pdf_empty")
    return pages


def check_total_pages(*, existing_pages: int, new_pages: int, limit: int, label: str) -> None:
    """Refuse an upload that would push ``label``'s total page count past ``limit`` (reaching it is fine)."""
    total = existing_pages + new_pages
    if total > limit:
        raise ValidationError(
            f"{label}总页数将达到 {total} 页，超过 {limit} 页的上限。请删减后再上传。",
            code="too_many_pages",
        )


def safe_file_name(name, extension: str) -> str:
    """A display/storage name: the base name's CJK characters, ASCII letters and digits and ``-_（）()``
    kept, every other run collapsed to ``_``, at most 80 characters including ``extension``."""
    base = _base_name(name)
    stem = base
    dot = base.rfind(".")
    if dot > 0:
        stem = base[:dot]
    stem = _UNSAFE_RUN.sub("_", stem).strip("_")
    if not any(ch.isalnum() for ch in stem):  # nothing meaningful left, e.g. "@@@.pdf" or "..pdf"
        stem = FALLBACK_NAME
    stem = stem[: SAFE_NAME_MAX_CHARS - len(extension)].rstrip("_") or FALLBACK_NAME
    if stem.upper() in _WINDOWS_RESERVED:  # CON.pdf, NUL.jpg... cannot be saved on Windows
        stem += "_"
    return stem + extension


# --------------------------------------------------------------------------------------------------
# Reading and naming

_SAFE_CHARS = "A-Za-z0-9\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\\-_（）()"
_UNSAFE_RUN = re.compile(f"[^{_SAFE_CHARS}]+")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def _base_name(name) -> str:
    """The last path component of a client-supplied name (browsers on Windows may send ``C:\\...``)."""
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    name = unicodedata.normalize("NFC", str(name or ""))
    parts = [part for part in re.split(r"[\\/]", name) if part.strip()]
    return parts[-1].strip() if parts else ""


def _display_name(raw_name: str) -> str:
    """The user's own name for the file, for messages: control characters dropped, long names shortened."""
    shown = "".join(ch for ch in raw_name if unicodedata.category(ch)[0] != "C").strip()
    if not shown:
        return "（未命名）"
    return shown if len(shown) <= 60 else shown[:40] + "…" + shown[-15:]


def _read_limited(uploaded, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of the upload, read in chunks."""
    limit = max_bytes + 1
    buffer = bytearray()
    chunks = getattr(uploaded, "chunks", None)
    if callable(chunks):
        source = chunks(_READ_CHUNK)
    else:
        source = iter(lambda: uploaded.read(_READ_CHUNK), b"")
    for chunk in source:
        if not chunk:
            break
        buffer += chunk[: limit - len(buffer)]
        if len(buffer) >= limit:
            break
    seek = getattr(uploaded, "seek", None)
    if callable(seek):
        try:
            seek(0)
        except Exception:  # not every stream can rewind; the caller stores our bytes anyway
            pass
    return bytes(buffer)


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.1f} KB".replace(".0 KB", " KB")
    return f"{size} 字节"


def _limit_mb(max_bytes: int) -> str:
    """The limit in MB, as users think of it (small limits, used in tests, fall back to KB/bytes)."""
    return _human_size(max_bytes)


class _Refuser:
    """Raises ``ValidationError`` as ``{field}：文件“{name}”{problem}``."""

    def __init__(self, field_label, raw_name):
        self.prefix = f"{field_label}：文件“{_display_name(raw_name)}”"

    def __call__(self, problem: str, code: str):
        raise ValidationError(self.prefix + problem, code=code)


# --------------------------------------------------------------------------------------------------
# Detecting what the bytes are


def _detect_kind(data: bytes) -> str | None:
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if _describe_other(data) is not None:
        # Something we can name (an executable, a ZIP, a web page...) that merely carries "%PDF-" in its
        # first kilobyte, e.g. a ZIP whose first entry is a stored PDF. Not a PDF.
        return None
    offset = data.find(_PDF_MAGIC, 0, _PDF_HEADER_WINDOW)
    if offset > 0 and not _looks_like_markup(data[:offset]):
        return "pdf"  # readers tolerate junk before the header (mail gateways, some scanners)
    return None


_EXECUTABLE_MAGICS = (
    b"\x7fELF",  # Linux/Unix
    b"MZ",  # Windows EXE/DLL/SCR
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"dex\n",  # Android
    b"#!",  # scripts
)
_ARCHIVE_MAGICS = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<meta", b"<style",
                 b"<div", b"<img", b"<a ", b"<form", b"<object", b"<embed")

_TO_PDF = "请用原软件“另存为”或“导出为” PDF 后上传"


def _looks_like_markup(head: bytes) -> bool:
    text = head.replace(b"\x00", b"").lower()
    return b"<svg" in text or b"<?xml" in text or any(marker in text for marker in _HTML_MARKERS)


def _describe_other(data: bytes) -> tuple[str, str] | None:
    """(what was detected, what to do) for content we can name, ``None`` if we cannot tell."""
    head = data[:8192]
    if head.startswith(_EXECUTABLE_MAGICS):
        return "可执行程序", "出于安全考虑不能上传程序或脚本文件"
    if head.startswith(_ZIP_MAGICS):
        return _describe_zip(data)
    if head.startswith(_OLE2_MAGIC):
        return "旧版 Office/WPS 文档（如 DOC、XLS、WPS）", _TO_PDF
    if head.startswith(_ARCHIVE_MAGICS):
        return "压缩包", "请解压后逐个上传其中的文件"
    if head.startswith(b"{\\rtf"):
        return "RTF 文档", _TO_PDF
    text = head[:1024].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00").replace(b"\x00", b"").lower()
    if b"<svg" in text:
        return "SVG 矢量图", "请导出为 PNG 或 JPG 图片后上传"
    if any(marker in text for marker in _HTML_MARKERS):
        return "网页（HTML）文件", "请在浏览器中“打印”为 PDF 后上传"
    if text.startswith(b"<?xml"):
        return "XML 文件", _TO_PDF
    guess = filetype.guess(head)
    if guess is not None:
        extension = guess.extension.upper()
        if guess.extension in ("heic", "heif", "avif"):
            return (f"{extension} 图片（苹果等手机的默认照片格式）",
                    "请在手机“设置 > 相机 > 格式”中选择“兼容性最佳”后重新拍摄，或转换为 JPG 后上传")
        if guess.mime.startswith("image/"):
            return f"{extension} 图片", "请转换为 JPG 或 PNG 图片后上传"
        if guess.mime.startswith(("video/", "audio/")):
            return f"{extension} 音视频文件", "此处不接受音视频，请截图或整理成 PDF 后上传"
        return f"{extension} 文件", _TO_PDF
    return None


def _describe_zip(data: bytes) -> tuple[str, str]:
    try:  # reads only the central directory, never decompresses members
        names = zipfile.ZipFile(BytesIO(data)).namelist()
    except Exception:
        names = []
    if any(name.startswith("word/") for name in names):
        return "Word 文档（DOCX）", "请在 Word 或 WPS 中“另存为 PDF”后上传"
    if any(name.startswith("xl/") for name in names):
        return "Excel 表格（XLSX）", "请在 Excel 或 WPS 中“另存为 PDF”后上传"
    if any(name.startswith("ppt/") for name in names):
        return "PowerPoint 演示文稿（PPTX）", "请在 PowerPoint 或 WPS 中“另存为 PDF”后上传"
    if any(name.upper() == "OFD.XML" for name in names):
        return "OFD 版式文件", "请用 OFD 阅读器（如数科阅读器）导出或打印为 PDF 后上传"
    return "ZIP 压缩包", "请解压后逐个上传其中的文件"


def _allowed_text(allowed) -> str:
    names = [KINDS[kind][2] for kind in KINDS if kind in allowed]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + " 或 " + names[-1]


def _noun(allowed) -> str:
    return "文件" if "pdf" in allowed else "图片"


def _refuse_unrecognised(refuse, data, raw_name, allowed):
    wanted, noun = _allowed_text(allowed), _noun(allowed)
    described = _describe_other(data)
    if described is None:
        detected, advice = "无法识别文件类型，可能已损坏", f"请确认文件能正常打开，并上传 {wanted} 格式的{noun}"
    else:
        what, advice = described
        detected = "检测到" + (" " if what[0].isascii() else "") + what
        advice = f"{advice}；此处只接受 {wanted} 格式的{noun}"
    extension = os.path.splitext(raw_name)[1].lower()
    renamed = any(extension in _EXTENSIONS_OF_KIND[kind] for kind in KINDS)
    note = "（只修改扩展名不能转换文件格式）" if renamed else ""
    refuse(f"不是 {wanted} {noun}（{detected}）。{advice}{note}。", "bad_type")


# --------------------------------------------------------------------------------------------------
# Images

_PNG_KEEP_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"}
_ROTATED_ORIENTATIONS = {5, 6, 7, 8}


_STRICT_LOCK = threading.Lock()


@contextmanager
def _strict_decoding():
    """Decode with truncated images refused. WeasyPrint switches Pillow's process-wide
    LOAD_TRUNCATED_IMAGES on when it is imported; uploads must not inherit that."""
    with _STRICT_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _reencode_image(data, kind, refuse, max_pixels, min_image_side):
    pillow_format = "JPEG" if kind == "jpeg" else "PNG"
    too_big = (f"像素过多（超过 {max_pixels:,} 像素），无法安全处理。"
               "请缩小图片尺寸（如长边不超过 6000 像素）后再上传。")
    corrupt = "已损坏或不完整，无法读取。请用看图软件确认能正常打开，或重新导出、重新拍摄后再上传。"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=[pillow_format])
            width, height = image.size  # from the header; no pixels decoded yet
            if width * height > max_pixels:
                refuse(f"尺寸为 {width}×{height}，" + too_big, "image_too_large")
            if min_image_side:
                shown_w, shown_h = width, height
                if _orientation(image) in _ROTATED_ORIENTATIONS:
                    shown_w, shown_h = height, width
                if min(width, height) < min_image_side:
                    refuse(f"尺寸为 {shown_w}×{shown_h} 像素，短边不足 {min_image_side} 像素，不够清晰。"
                           f"请上传短边至少 {min_image_side} 像素的原图（不要截图或压缩）。", "image_too_small")
            with _strict_decoding():
                image.load()  # decodes every pixel: truncated or corrupt data fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        refuse(_header_size_text(data, kind) + too_big, "image_too_large")
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError, struct.error... on bad data
        refuse(corrupt, "image_corrupt")

    try:
        image = _to_srgb(image)
        image = ImageOps.exif_transpose(image)
        image = _output_mode(image, kind)
        transparency = image.info.get("transparency") if kind == "png" else None
        image.info = {}  # EXIF/GPS, XMP, comments, text chunks, ICC profile: none of it is written
        out = BytesIO()
        if kind == "jpeg":
            image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        else:
            params = {} if transparency is None else {"transparency": transparency}
            image.save(out, format="PNG", **params)
    except Exception:
        refuse(corrupt, "image_corrupt")
    return out.getvalue(), image.width, image.height


def _header_size_text(data, kind) -> str:
    """"尺寸为 W×H，" from the header alone (Image.open refused it, so ask the format plugin directly)."""
    plugin = JpegImagePlugin.JpegImageFile if kind == "jpeg" else PngImagePlugin.PngImageFile
    try:
        width, height = plugin(BytesIO(data)).size
    except Exception:
        return ""
    return f"尺寸为 {width}×{height}，"


def _orientation(image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:
        return 1


def _to_srgb(image):
    """Convert pixels described by an embedded ICC profile to sRGB, since the profile itself is dropped."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        output_mode = "RGB" if image.mode == "CMYK" else image.mode
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                              outputMode=output_mode)
    except Exception:  # a broken profile: keep the pixels as they are
        return image
    converted.info = {key: value for key, value in image.info.items() if key != "icc_profile"}
    return converted  # keeps info["exif"], so exif_transpose still sees the orientation


def _output_mode(image, kind):
    if kind == "jpeg":
        if image.mode in ("RGB", "L"):
            return image
        if image.mode in ("RGBA", "LA", "P", "PA"):
            return _flatten(image)
        return image.convert("RGB")  # CMYK, YCbCr, 1, I;16...
    if image.mode in _PNG_KEEP_MODES:
        return image
    return image.convert("RGBA")


def _flatten(image):
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
