"""Reading generated PDFs in tests: their text as a reader sees it, and order checks on it."""
import io
import re

from pypdf import PdfReader


def pdf_pages(data):
    """Each page's text with all whitespace removed (line breaks fall anywhere in Chinese text)."""
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data):
    return "".join(pdf_pages(data))


def in_order(text, parts):
    """Each part occurs in ``text`` after the previous one (raises with the first missing part)."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found != -1, f"{part!r} not found after position {at} in {text!r}"
        at = found + len(part)
    return True
