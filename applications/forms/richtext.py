"""Narratives with figures and tables (richtext fields): what an applicant may write, and how it is read.

Seed 000 asks the self-assessment to use charts and tables where needed (附件1 三、自评报告: 必要时使用图表)
and lets the individual form carry pictures and charts (附件2: 可附图片、图表); seed 003 asks the benchmark's
practice to show results with data and charts (附件2: 用数据、图表展现成果). A richtext field stores HTML
in the section's JSON, limited to a small subset — headings (h2–h4), paragraphs, bold and italic, lists,
tables and images — cleaned on the server by nh3 (the ammonia sanitizer) on every save:

* scripts, event handlers, styles, links and ``javascript:`` addresses never survive;
* an image survives only when it points at an image uploaded to the same application through the
  narrative-image endpoint (``/applications/<id>/form/images/<n>/``): content-judged and re-encoded like
  every upload (``uploads.inspect_upload``); any other address is dropped with its ``<img>``.

A value stored before the field became rich is plain text (no markup): it stays as it is and is read as
text — shown as paragraphs, counted, printed — until the applicant edits it.

字数 of a rich value is that of its text content (``text_of``): tags and images count 0, block ends
separate words as a line break does (the browser counter does the same with the same rule).
"""
import re
from html import escape
from html.parser import HTMLParser

import nh3

#: Attachment.slot of the images inserted into narratives (not an upload slot of the form)
IMAGE_SLOT = "narrative_image"
IMAGE_KINDS = ("jpeg", "png")
#: narrative images one application may hold (every narrative together)
MAX_IMAGES = 100
IMAGE_MAX_BYTES = 10 * 1024 * 1024

TAGS = {"h2", "h3", "h4", "p", "br", "strong", "em", "b", "i", "ul", "ol", "li",
        "table", "thead", "tbody", "tr", "th", "td", "img"}
ATTRIBUTES = {"img": {"src", "alt"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
IMAGE_URL = re.compile(r"^/applications/(?P<application>[0-9]+)/form/images/(?P<image>[0-9]+)/$")
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "br", "table", "ul", "ol", "div"}
_MARKUP = re.compile(r"<\s*/?\s*(p|h[1-6]|ul|ol|li|table|tr|td|th|img|strong|em|b|i|br|div|span)\b", re.I)
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_EMPTY_SPAN = re.compile(r"^[\s\u00a0]*$")


def image_url(application_id, image_id):
    return f"/applications/{application_id}/form/images/{image_id}/"


def is_markup(value):
    """True when ``value`` is rich HTML; a stored plain text (the field before it was rich) is not."""
    return isinstance(value, str) and value.lstrip().startswith("<") and bool(_MARKUP.search(value))


def sanitize(value, *, application_id=None, image_ids=None):
    """``value`` cleaned to the narrative subset. With ``application_id`` only that application's images
    are kept, and with ``image_ids`` only those of them (the ones that exist)."""

    def keep(tag, attribute, content):
        if tag == "img" and attribute == "src":
            m = IMAGE_URL.match(content or "")
            if m is None:
                return None
            if application_id is not None and int(m["application"]) != int(application_id):
                return None
            if image_ids is not None and int(m["image"]) not in image_ids:
                return None
        if attribute in ("colspan", "rowspan") and not (content or "").isdigit():
            return None
        return content

    cleaned = nh3.clean(value or "", tags=TAGS, attributes=ATTRIBUTES, attribute_filter=keep,
                        url_schemes=set(), link_rel=None, strip_comments=True,
                        clean_content_tags={"script", "style"})
    return _IMG_WITHOUT_SRC.sub("", cleaned).strip()


def clean_value(value, *, application_id=None, image_ids=None):
    """What a richtext field stores: sanitized HTML, or plain text kept as typed; empty when nothing is left."""
    if not is_markup(value):
        return value
    cleaned = sanitize(value, application_id=application_id, image_ids=image_ids)
    if not text_of(cleaned).strip() and "<img" not in cleaned:
        return ""
    return cleaned


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def text_of(value):
    """The text a richtext value holds (block ends as line breaks); a plain text value as it is."""
    if not value:
        return ""
    if not is_markup(value):
        return str(value)
    parser = _Text()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


def as_html(value, *, application_id=None):
    """A stored value as the narrative subset's HTML: rich values re-cleaned, plain text as paragraphs."""
    if not value:
        return ""
    if is_markup(value):
        return sanitize(value, application_id=application_id)
    lines = (line.strip() for line in re.split(r"\r\n|[\r\n\u2028\u2029]", str(value)))
    return "".join(f"<p>{escape(line)}</p>" for line in lines if line)


# --- the HTML as a tree, for the printers (Word copy, dossier) -------------------------------------------
class Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag, attrs=None):
        self.tag = tag
        self.attrs = dict(attrs or {})
        self.children = []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _Tree(HTMLParser):
    VOID = {"br", "img"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def tree(value, *, application_id=None):
    """The sanitized value parsed into ``Node``s (text children are strings)."""
    parser = _Tree()
    parser.feed(as_html(value, application_id=application_id))
    parser.close()
    return parser.root


def image_id(src, application_id):
    """The narrative image's id a ``src`` names, when it belongs to ``application_id``; else None."""
    m = IMAGE_URL.match(src or "")
    if m is None or int(m["application"]) != int(application_id):
        return None
    return int(m["image"])
