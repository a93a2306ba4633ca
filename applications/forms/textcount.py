"""字数: the one definition of how long a text is, shared by the server and the browser counter.

A text's 字数 is the number of characters (Unicode code points) that are not whitespace, where
whitespace is exactly the set below. The browser counter (static/js/applicant-form.js) receives
this very set from the page, so both sides always agree, also on rare characters outside the
Basic Multilingual Plane (counted as one) and on full-width spaces (not counted).
"""
WHITESPACE = frozenset(
    "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def count_chars(text):
    """字数 of ``text``: code points that are not whitespace."""
    if not text:
        return 0
    return sum(1 for ch in text if ch not in WHITESPACE)


def whitespace_js_escape():
    """The whitespace set as the body of a JavaScript string literal, one backslash-u escape per character."""
    return "".join(f"\\u{ord(ch):04x}" for ch in sorted(WHITESPACE))
