"""Three shortcuts in WeasyPrint's layout that give the same pages in less time.

Profiling the dossier (a 200-page form: about 4 s, most of it inside WeasyPrint) found two costs that do
not depend on what the pages say, and a third, smaller one:

* **Page styles are computed again for every page.** Each page has its own page type (its index is part
  of it), so WeasyPrint matches the ``@page`` rules, builds a fresh computed style for the page and for
  each of its sixteen margin boxes, and resolves them property by property, page after page: about 2 ms a
  page, a third of a second for a 200-page dossier before a line of text is set. Two pages matched by the
  same ``@page`` rules have the same styles, so :func:`_shared_page_styles` gives the second page the
  first one's computed styles (WeasyPrint already shares computed styles between equivalent elements of
  the document; pages are the one place it does not).
* **Each line of Chinese text is shaped four times over.** To find where a line ends, WeasyPrint lays out
  a slice of the remaining text sized for Latin script (the line's width over the font size, times 4:
  four lines of Chinese, whose characters are a full em wide) and keeps the first line.
  :func:`_split_first_line` hands it a slice sized by the characters themselves (about one and a half
  lines), and keeps the answer only when the slice plainly held the whole first line and a break
  opportunity after it, which is the test WeasyPrint itself applies to its slice; otherwise WeasyPrint
  runs on the full text as before.
* **The used line height is looked up three times a line** through a text key built from fourteen font
  properties: :func:`_strut` keeps it on the style.

All three are checked against WeasyPrint's own layout, box by box, in the tests (named pages, ``:first`` and
``:left`` pages, page counters, margin boxes; Chinese, Latin, mixed and unbreakable text in wide and narrow
boxes). They are installed only on the WeasyPrint release they were written against
(:data:`WEASYPRINT_VERSION`); on another release the layout is WeasyPrint's own and a test says so.
"""
import contextlib
import logging
import threading

logger = logging.getLogger(__name__)

#: The WeasyPrint release these shortcuts were read from and tested against (requirements.txt pins it).
WEASYPRINT_VERSION = "70.0"

_lock = threading.Lock()
_originals = {}
_installed = None  # decided once per process: True, or False on another WeasyPrint release


def install():
    """Install the shortcuts (once per process). Returns whether they are in place."""
    global _installed
    if _installed is not None:
        return _installed
    with _lock:
        if _installed is not None:
            return _installed
        import weasyprint
        from weasyprint.layout import inline, page

        if weasyprint.__version__ != WEASYPRINT_VERSION:
            logger.warning("WeasyPrint %s is not the release the layout shortcuts were tested with (%s): "
                           "documents are laid out without them.", weasyprint.__version__, WEASYPRINT_VERSION)
            _installed = False
            return False
        _originals.update(set_page_type_computed_styles=(page, page.set_page_type_computed_styles),
                          split_first_line=(inline, inline.split_first_line), strut=(inline, inline.strut))
        _install_shortcuts()
        _installed = True
        return True


def _install_shortcuts():
    for name, replacement in _SHORTCUTS.items():
        setattr(_originals[name][0], name, replacement)


@contextlib.contextmanager
def weasyprint_layout():
    """Lay out with WeasyPrint's own functions inside the block (the tests compare the two)."""
    installed = install()
    with _lock:
        for name, (module, original) in _originals.items():
            setattr(module, name, original)
    try:
        yield
    finally:
        if installed:
            with _lock:
                _install_shortcuts()


# --- page styles ---------------------------------------------------------------------------------
def _shared_page_styles(page_type, html, style_for):
    """``set_page_type_computed_styles``, computing the styles once per set of matching ``@page`` rules.

    The computed style of a page and of its margin boxes depends only on the declarations that match its
    page type (and on the root element, the same for every page), so the matching rules are the key.
    What WeasyPrint later writes into these styles (``_standardize_page_based_counters``, the page's
    ``overflow``) gives the same value on every page that shares them.
    """
    matched = []
    for sheet, _origin, _sheet_specificity in style_for._sheets:
        for _rule, selector_list, declarations in sheet.page_rules:
            for specificity, pseudo_type, page_selector_type in selector_list:
                if style_for._page_type_match(page_selector_type, page_type):
                    matched.append((id(declarations), repr(specificity), pseudo_type))
    key = tuple(matched)
    computed = style_for._computed_styles
    seen = style_for.__dict__.setdefault("_qa_page_styles", {})
    if key in seen:
        first, pseudo_types = seen[key]
        for pseudo_type in pseudo_types:
            computed[page_type, pseudo_type] = computed[first, pseudo_type]
        return
    _originals["set_page_type_computed_styles"][1](page_type, html, style_for)
    seen[key] = (page_type, [pseudo for element, pseudo in computed if element == page_type])


# --- line breaking ---------------------------------------------------------------------------------
def _short_length(text, ems_per_line):
    """How many characters of ``text`` to lay out to hold its first line and a little of the second, or
    None when that would not be shorter than WeasyPrint's own slice (so nothing would be gained).

    A character's width is estimated from its UTF-8 length: CJK characters (three bytes) are an em wide,
    one- and two-byte characters about half an em."""
    weasyprint_slice = int(ems_per_line * 4)
    length = int(ems_per_line * 1.5) + 2
    for _ in range(2):
        if length >= min(weasyprint_slice, len(text)):
            return None
        prefix = text[:length]
        wide = (len(prefix.encode()) - length) // 2
        ems = wide + (length - wide) / 2
        if ems >= ems_per_line * 1.4:
            return length
        length = int(length * ems_per_line * 1.5 / max(ems, 1)) + 2
    return None


def _split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                      minimum=False):
    """``split_first_line`` on a slice of ``text`` sized for its script, when the slice gives the same line."""
    original = _originals["split_first_line"][1]
    font_size = style["font_size"]
    if (not minimum and max_width is not None and 0 < max_width < float("inf") and font_size
            and font_size * 4 <= max_width and style["white_space"] in ("normal", "pre-wrap", "pre-line")):
        length = _short_length(text, max_width / font_size)
        if length is not None:
            short = text[:length]
            result = original(short, style, context, max_width, justification_spacing, is_line_start, minimum)
            resume_index, width = result[2], result[3]
            if resume_index is not None and width <= max_width and _can_break_after(short, resume_index, style):
                return result
    return original(text, style, context, max_width, justification_spacing, is_line_start, minimum)


def _can_break_after(short, resume_index, style):
    """Whether the rest of the slice after the first line has a line-break opportunity inside it: then the
    slice held the first line and what decides it (WeasyPrint's own test of its slice)."""
    from weasyprint.text.line_break import can_break_text

    rest = short.encode()[resume_index:].decode(errors="ignore")
    return can_break_text(rest, style["lang"])


# --- line height -----------------------------------------------------------------------------------
def _strut(style):
    """``strut``, kept on the style: WeasyPrint looks the used line height up three times a line, each time
    building a text key from fourteen of the style's font properties. A computed style does not change once
    layout has begun, so the answer is kept with it."""
    try:
        return style.__dict__["_qa_strut"]
    except KeyError:
        value = style.__dict__["_qa_strut"] = _originals["strut"][1](style)
        return value


_SHORTCUTS = {"set_page_type_computed_styles": _shared_page_styles, "split_first_line": _split_first_line,
              "strut": _strut}
