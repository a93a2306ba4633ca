"""Shortcuts in WeasyPrint's layout that give the same pages in less time.

Profiling the dossier (a 200-page form: about 4 s, most of it inside WeasyPrint) found costs that do not
depend on what the pages say:

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
* **Every line sets Pango up from scratch, twice** (once to break it, once to draw it): a new Pango
  context, language and font description per line, which also leaves Pango's font caches cold.
  :func:`_setup` makes them once per style.
* **Every wrapped line is shaped again only to be measured.** :func:`_first_line_metrics` takes the
  measure of the line Pango already broke where shaping it again cannot change it (no space collapsing at
  its end, no letter or word spacing, no forced break).
* **Margins, paddings and sizes are resolved property by property for every copy of a box** (each line
  of a paragraph, each relayout after a page break): :func:`_resolve_percentages` keeps them on the style
  per containing-block size.

All of them are checked against WeasyPrint's own layout in the tests: box by box (named pages, ``:first``
and ``:left`` pages, page counters, margin boxes; Chinese, Latin, mixed and unbreakable text in wide and
narrow boxes; percentages, ``calc()``, ``box-sizing``, floats, tables with separate and collapsed borders)
and byte for byte in the PDF (decorations, font features, spacing, ellipsis, tabs). They are installed only
on the WeasyPrint release they were written against (:data:`WEASYPRINT_VERSION`); on another release the
layout is WeasyPrint's own and a test says so.
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
_boxes = None  # weasyprint.formatting_structure.boxes, once installed
_line_break = None  # weasyprint.text.line_break, once installed (the hot paths below read it per line)


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
        from weasyprint.formatting_structure import boxes
        from weasyprint.text import line_break
        from weasyprint.layout import absolute, block, column, float as float_, grid, percent, table

        global _boxes, _line_break
        _boxes, _line_break = boxes, line_break

        _originals.update(set_page_type_computed_styles=(page, page.set_page_type_computed_styles),
                          split_first_line=(inline, inline.split_first_line), strut=(inline, inline.strut))
        _originals["first_line_metrics"] = (line_break, line_break.first_line_metrics)
        _originals["setup"] = (line_break.Layout, line_break.Layout.setup)
        # ``resolve_percentages`` is imported by name into every layout module that calls it
        for module in (percent, absolute, block, column, float_, grid, inline, page, table):
            _originals[f"resolve_percentages@{module.__name__}"] = (module, percent.resolve_percentages)
        _install_shortcuts()
        _installed = True
        return True


def _install_shortcuts():
    for key, (module, _original) in _originals.items():
        name = key.partition("@")[0]
        setattr(module, name, _SHORTCUTS[name])


@contextlib.contextmanager
def weasyprint_layout():
    """Lay out with WeasyPrint's own functions inside the block (the tests compare the two)."""
    installed = install()
    with _lock:
        for key, (module, original) in _originals.items():
            setattr(module, key.partition("@")[0], original)
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


#: Text that a line's own layout would not measure as WeasyPrint's wrapped line does (breaks, tabs).
_MEASURED_APART = ("\n", "\t", "\r", "\f", "\x0b", "\x85", "\u2028", "\u2029")


def _first_line_metrics(first_line, text, layout, resume_at, space_collapse, style, hyphenated=False,
                        hyphenation_character=None):
    """``first_line_metrics``, measuring a wrapped line where Pango broke it instead of shaping it again.

    For a line that wraps, WeasyPrint sets the line's text into the layout with no width and shapes it anew,
    only to measure it (and strip the spaces that collapse at its end). A line that ends with no space, in
    a style with no letter or word spacing and no forced breaks, measures the same as the first line Pango
    already broke: its length, width, height and baseline are taken from that line, and the layout keeps the
    line's text for drawing, as WeasyPrint's does.
    """
    if (resume_at and resume_at == first_line.length and not hyphenated and style["letter_spacing"] == "normal"
            and not style["word_spacing"] and style["overflow_wrap"] == "normal"):
        line_text = text.encode()[:resume_at].decode()
        if line_text and line_text[-1] not in " \u3000" and not any(c in line_text for c in _MEASURED_APART):
            width, height = _line_break.line_size(first_line, style)
            baseline = _line_break.pango.pango_layout_get_baseline(layout.layout) * _line_break.FROM_UNITS
            layout.text = line_text
            layout.deactivate()  # frees the Pango layout, and ``first_line`` with it
            return layout, resume_at, resume_at, width, height, baseline
    return _originals["first_line_metrics"][1](first_line, text, layout, resume_at, space_collapse, style,
                                                hyphenated, hyphenation_character)


def _setup(self, style):
    """``Layout.setup``, with the Pango context, language, font description and font metrics made once per
    style instead of once per line.

    WeasyPrint makes a Pango layout for every line it breaks and again for every line it draws, each time
    creating a Pango context, parsing the language, building a font description from seven properties and,
    for decorated text, reading the font's metrics: all of it the same for every line of a style. The
    layout itself is still made per line, with the same calls in the same order.
    """
    pango = _line_break.pango
    self.style = style
    self.first_line_direction = 0
    try:
        shared = style.__dict__["_qa_pango"]
    except KeyError:
        shared = style.__dict__["_qa_pango"] = _pango_setup(style)
    context, self.language, description, decoration, attributes = shared
    self.ascent, self.underline_position, self.strikethrough_position = decoration[:3]
    if len(decoration) > 3:
        self.underline_thickness, self.strikethrough_thickness = decoration[3:]
    self.layout = _line_break.ffi.gc(pango.pango_layout_new(context), _line_break.gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(self.layout, False)
    pango.pango_layout_set_font_description(self.layout, description)
    if attributes is not None:  # as WeasyPrint does: a list per layout holding the shared features attribute
        attr_list = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attr_list, attributes)
        pango.pango_layout_set_attributes(self.layout, attr_list)


def _pango_setup(style):
    """What ``Layout.setup`` derives from the style alone, made as it makes it."""
    from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
    from weasyprint.text.fonts import font_features, get_font_description
    from weasyprint.text.line_break import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p

    context = ffi.gc(pango.pango_font_map_create_context(style.font_config.font_map), gobject.g_object_unref)
    pango.pango_context_set_round_glyph_positions(context, False)
    pango.pango_context_set_base_dir(context, PANGO_DIRECTION[style["direction"]])
    if style["font_language_override"] != "normal":
        lang_p, lang = unicode_to_char_p(LST_TO_ISO.get(style["font_language_override"].lower(),
                                                        style["font_language_override"]))
    elif style["lang"]:
        lang_p, lang = unicode_to_char_p(style["lang"])
    else:
        lang = None
        language = pango.pango_language_get_default()
    if lang:
        language = pango.pango_language_from_string(lang_p)
        pango.pango_context_set_language(context, language)
    assert not isinstance(style["font_family"], str), "font_family should be a list"
    description = get_font_description(style)
    if style["text_decoration_line"] != "none":
        metrics = ffi.gc(pango.pango_context_get_metrics(context, description, language),
                         pango.pango_font_metrics_unref)
        decoration = (FROM_UNITS * pango.pango_font_metrics_get_ascent(metrics),
                      FROM_UNITS * pango.pango_font_metrics_get_underline_position(metrics),
                      FROM_UNITS * pango.pango_font_metrics_get_strikethrough_position(metrics),
                      FROM_UNITS * pango.pango_font_metrics_get_underline_thickness(metrics),
                      FROM_UNITS * pango.pango_font_metrics_get_strikethrough_thickness(metrics))
    else:
        decoration = (None, None, None)
    features = font_features(
        style["font_kerning"], style["font_variant_ligatures"], style["font_variant_position"],
        style["font_variant_caps"], style["font_variant_numeric"], style["font_variant_alternates"],
        style["font_variant_east_asian"], style["font_feature_settings"])
    attribute = None
    if features:
        features = ",".join(f"{key} {value}" for key, value in features.items()).encode()
        # WeasyPrint keeps one attribute per set of features on the font configuration
        attribute = style.font_config.font_features.setdefault(
            features, pango.pango_attr_font_features_new(features))
    return context, language, description, decoration, attribute


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


# --- used lengths ------------------------------------------------------------------------------------
#: What ``resolve_percentages`` sets on a box from its style and containing block: margins, paddings, sizes...
_USED_LENGTHS = tuple(f"{side}_{edge}" for side in ("margin", "padding")
                      for edge in ("left", "right", "top", "bottom")) + (
    "width", "min_width", "max_width", "height", "min_height", "max_height")
#: ... and border widths, which with collapsed borders come from the table's border conflict resolution.
_BORDER_WIDTHS = ("border_top_width", "border_right_width", "border_bottom_width", "border_left_width")


def _resolve_percentages(box, containing_block):
    """``resolve_percentages``, kept on the style per containing-block size.

    A box's used margins, paddings and sizes follow from its computed style and the size of its containing
    block alone; so do its border widths, except inside a table with collapsed borders, where a border
    width already set on the box is kept (and, with ``box-sizing`` other than ``content-box``, changes the
    sizes: those boxes go through WeasyPrint's function every time). The same style is laid out many times
    over (every line of a paragraph is a copy of its boxes, and a page break lays a block out again), each
    time resolving fifteen properties one by one; the answer is kept with the style, as for ``strut``.
    """
    style = box.style
    collapse = style["border_collapse"] == "collapse"
    if collapse and style["box_sizing"] != "content-box":
        return _originals["resolve_percentages@weasyprint.layout.percent"][1](box, containing_block)
    if isinstance(containing_block, _boxes.Box):
        key = (containing_block.width, containing_block.height, isinstance(box, _boxes.PageBox))
    else:
        width, height = containing_block
        key = (width, height, isinstance(box, _boxes.PageBox))
    try:
        known = style.__dict__["_qa_used_lengths"]
    except KeyError:
        known = style.__dict__["_qa_used_lengths"] = {}
    values = known.get(key)
    if values is None:
        _originals["resolve_percentages@weasyprint.layout.percent"][1](box, containing_block)
        known[key] = tuple(getattr(box, name) for name in _USED_LENGTHS) + tuple(style[n] for n in _BORDER_WIDTHS)
        return
    attributes = box.__dict__
    attributes.update(zip(_USED_LENGTHS, values))
    for name, value in zip(_BORDER_WIDTHS, values[len(_USED_LENGTHS):]):
        if not (collapse and name in attributes):
            attributes[name] = value


_SHORTCUTS = {"set_page_type_computed_styles": _shared_page_styles, "split_first_line": _split_first_line,
              "strut": _strut, "setup": _setup, "first_line_metrics": _first_line_metrics,
              "resolve_percentages": _resolve_percentages}
