"""The fonts of every generated PDF: Chinese faces subset once, at setup, to what a dossier needs.

WeasyPrint embeds a subset of each font a PDF uses, and subsetting the full Noto CJK fonts (65,535 glyphs,
CFF outlines) costs seconds per document. ``prepare_fonts`` therefore cuts each face down once to the
characters Chinese forms use — GB 2312 (its 6,763 汉字 cover 通用规范汉字表 level 1 and most of level 2),
ASCII and Latin-1, CJK and full-width punctuation, and the symbols the forms print — and stores the result
in ``settings.PDF_FONT_CACHE_DIR`` with a manifest; it does nothing when the manifest is up to date.

Each face is declared under its own family name ("QA Song", "QA Hei") in ``templates/pdf/_fonts.html``,
followed by the full system font in the CSS font-family stack: a character outside the subset (a rare
character in a name, such as 龘 or 𠮷) is printed from the full font, so nothing turns into a box.
"""
import hashlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

#: Raise when the character set or the subsetting options change: prepared fonts are then rebuilt.
CHARSET_VERSION = "2"  # 2: the locale forms of other languages dropped (no 'locl')


@dataclass(frozen=True)
class Face:
    key: str  # file stem in the cache directory
    family: str  # the CSS family name of the subset
    weight: int
    source: str  # file name of the Debian fonts-noto-cjk collection
    source_family: str  # the member of the collection to take (Simplified Chinese)
    fallback: str  # the full system family printed when the subset lacks a character


FACES = (
    Face("qa-song-regular", "QA Song", 400, "NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "Noto Serif CJK SC"),
    Face("qa-song-bold", "QA Song", 700, "NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC", "Noto Serif CJK SC"),
    Face("qa-hei-regular", "QA Hei", 400, "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "Noto Sans CJK SC"),
    Face("qa-hei-bold", "QA Hei", 700, "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC", "Noto Sans CJK SC"),
)

#: The CSS stacks (宋体 body, 黑体 headings): the subset first, then the full fonts, then any CJK font.
SONG_STACK = '"QA Song", "Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei", serif'
HEI_STACK = '"QA Hei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif'

# Symbols the forms and notices print beyond GB 2312: ticks and boxes, circled numbers, units, dashes.
EXTRA_SYMBOLS = "☐☑☒✓✔✗√□■◇◆○●△▲※★☆①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳℃℉‰‱°±×÷≤≥≠≈∞∑√—–―‒…‥·•‧〔〕〖〗【】〈〉《》「」『』﹝﹞￥€£¥©®™№§¶†‡"


def charset():
    """The code points every prepared face keeps."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))  # ASCII, Latin-1, Latin Extended-A
    chars |= set(range(0x2000, 0x2070))  # general punctuation
    chars |= set(range(0x2100, 0x2200))  # letterlike symbols, number forms, arrows
    chars |= set(range(0x2460, 0x24FF))  # enclosed alphanumerics
    chars |= set(range(0x2500, 0x2600))  # box drawing, blocks, geometric shapes
    chars |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    chars |= set(range(0x3200, 0x3300))  # enclosed CJK letters and months
    chars |= set(range(0xFE30, 0xFE50))  # CJK compatibility forms (vertical punctuation)
    chars |= set(range(0xFF00, 0xFFF0))  # full-width forms
    chars |= {ord(c) for c in EXTRA_SYMBOLS}
    for lead in range(0xA1, 0xF8):  # every character GB 2312 encodes
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((lead, trail)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def cache_dir():
    return Path(getattr(settings, "PDF_FONT_CACHE_DIR", None) or Path(settings.BASE_DIR) / "var" / "fonts")


def _source_path(face):
    for root in getattr(settings, "PDF_FONT_DIRS", ["/usr/share/fonts"]):
        for dirpath, _dirs, files in os.walk(root):
            if face.source in files:
                return Path(dirpath) / face.source
    return None


def _fingerprint(face, source):
    stat = source.stat()
    text = f"{CHARSET_VERSION}|{face}|{source}|{stat.st_size}|{int(stat.st_mtime)}"
    return hashlib.sha256(text.encode()).hexdigest()


def _manifest_path():
    return cache_dir() / "manifest.json"


def _read_manifest():
    try:
        return json.loads(_manifest_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _subset(face, source, target):
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(source), lazy=True)
    font = next((f for f in collection.fonts if f["name"].getDebugName(1) == face.source_family), None)
    if font is None:
        raise RuntimeError(f"{source} has no {face.source_family}")
    options = subset.Options()
    # Every layout feature (vertical forms, full-width and proportional alternates stay usable) but 'locl': in
    # the Simplified Chinese member it only maps to the Japanese, Korean and Traditional Chinese glyph forms,
    # which zh-CN text never uses; dropping them makes each face about 40 % smaller, and a dossier build
    # holds the faces it embeds in memory while it writes.
    options.layout_features = sorted({record.FeatureTag for table in ("GSUB", "GPOS") if table in font
                                      for record in font[table].table.FeatureList.FeatureRecord} - {"locl"})
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=charset())
    subsetter.subset(font)
    _rename(font, face)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
        font.save(tmp.name)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, target)


def _rename(font, face):
    """Give the subset its own family name, so that fontconfig never takes it for the full font."""
    style = "Bold" if face.weight >= 700 else "Regular"
    names = {1: face.family, 2: style, 4: f"{face.family} {style}", 6: f"{face.family.replace(' ', '')}-{style}",
             16: face.family, 17: style}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17):
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
    table.setName(f"{names[6]};{CHARSET_VERSION}", 3, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [names[6]]
        top = cff.topDictIndex[0]
        top.FamilyName = face.family
        top.FullName = names[4]


def prepared_paths():
    """{face key: path} of the faces that are prepared and up to date (others are left out)."""
    manifest = _read_manifest()
    out = {}
    for face in FACES:
        entry = manifest.get(face.key)
        path = cache_dir() / f"{face.key}.otf"
        source = _source_path(face)
        if entry and source and path.exists() and entry.get("fingerprint") == _fingerprint(face, source):
            out[face.key] = path
    return out


def prepare_fonts(*, force=False, stdout=None):
    """Subset every face whose subset is missing or out of date. Returns {face key: "prepared"|"current"|...}."""
    manifest = _read_manifest()
    result = {}
    for face in FACES:
        source = _source_path(face)
        target = cache_dir() / f"{face.key}.otf"
        if source is None:
            result[face.key] = "missing"
            if stdout:
                stdout.write(f"{face.source} not found under {', '.join(map(str, settings.PDF_FONT_DIRS))}: "
                             "PDFs fall back to the system fonts (install fonts-noto-cjk).")
            continue
        fingerprint = _fingerprint(face, source)
        entry = manifest.get(face.key) or {}
        if not force and target.exists() and entry.get("fingerprint") == fingerprint:
            result[face.key] = "current"
            continue
        _subset(face, source, target)
        manifest[face.key] = {"fingerprint": fingerprint, "family": face.family, "weight": face.weight,
                              "source": str(source), "size": target.stat().st_size}
        _manifest_path().write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        result[face.key] = "prepared"
        if stdout:
            stdout.write(f"{face.family} {face.weight}: {target} ({target.stat().st_size // 1024} KB)")
    _css_cache.clear()
    return result


_lock = threading.Lock()
_css_cache = {}


def ensure_fonts():
    """The prepared faces, preparing them first when they are missing (once per process)."""
    paths = prepared_paths()
    if len(paths) == len(FACES):
        return paths
    with _lock:
        paths = prepared_paths()
        if len(paths) < len(FACES):
            try:
                prepare_fonts()
            except Exception:  # a PDF in the system fonts beats no PDF
                log.exception("preparing the PDF fonts failed; PDFs use the full system fonts")
            paths = prepared_paths()
    return paths


def font_face_css():
    """@font-face rules for the prepared subsets (empty when none is prepared)."""
    paths = ensure_fonts()
    key = tuple(sorted((k, str(p)) for k, p in paths.items()))
    css = _css_cache.get(key)
    if css is None:
        rules = []
        for face in FACES:
            path = paths.get(face.key)
            if path is not None:
                rules.append(f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
                             f'font-style: normal; src: url("{path.resolve().as_uri()}"); }}')
        css = "\n".join(rules)
        _css_cache.clear()
        _css_cache[key] = css
    return css
