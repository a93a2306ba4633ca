"""字数: the one definition of how long a text is, shared by the server and the browser counter.

The forms' limits ("限 3000 字以内", 000 附件1/附件2, 003 附件2) are what an applicant checks with the
字数统计 of Word or WPS, so 字数 is counted as those programs count it:

* each Chinese (CJK) character counts 1, and so does each full-width punctuation mark or symbol
  (，。、；：？！“”‘’（）《》【】…—·￥％ and the like) and each full-width letter or digit (Ａ，１);
* a run of other characters between whitespace and CJK characters — a Latin word, a number — counts 1
  when it holds at least one letter or digit: "ISO9001" 1, "3.14" 1, "e-mail" 1, "GB/T" 1, "19580-2012" 1,
  "100%" 1, "ISO 9001" 2, "采用ISO9001标准" 5;
* whitespace counts 0, and so do half-width punctuation marks and symbols on their own (" - ", "&"):
  Word's 字数 counts half-width punctuation as 字符, not as 字; a word keeps what is attached to it.

Word reports this as 字数 = 中文字符和朝鲜语单词 + 非中文单词 (审阅 → 字数统计); a full-width mark is
counted like a Chinese character, a half-width one is not. Korean (Hangul) is written in words separated
by spaces and is counted by words, like Latin. Curly quotes, the ellipsis, the em dash and the middle
dot are counted as full-width: a Chinese input method types them in Chinese text, where Word counts
them as Chinese characters.

The rule is data (``RULE``: the whitespace set and the code-point ranges counted one by one); the page
hands it to the browser counter (static/js/textcount.js) as JSON, and both sides run the same short
algorithm (``count_chars`` here, ``qaTextCount.make`` there). A test runs one table of examples through
both.
"""
import json
import unicodedata

WHITESPACE = frozenset(
    "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)

#: Code points counted one each (inclusive ranges): CJK characters, full-width punctuation and forms.
CJK_RANGES = (
    (0x00B7, 0x00B7),  # · middle dot (间隔号)
    (0x2014, 0x2016),  # — ― ‖ (破折号)
    (0x2018, 0x201F),  # ‘ ’ “ ” (引号)
    (0x2025, 0x2027),  # ‥ … ‧ (省略号)
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x2FF0, 0x2FFF),  # ideographic description characters
    (0x3001, 0x303F),  # CJK symbols and punctuation (、。〈〉《》「」『』【】〔〕〖〗〇 …), U+3000 is whitespace
    (0x3040, 0x31FF),  # kana, bopomofo, CJK strokes
    (0x3200, 0x33FF),  # enclosed CJK letters and months, CJK compatibility (㈠ ㎡)
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE6F),  # CJK compatibility forms, small form variants
    (0xFF01, 0xFF60),  # full-width ASCII forms (，！（）：；？Ａ１％) and full-width brackets
    (0xFFE0, 0xFFE6),  # full-width signs (￥ ￡ ￠)
    (0x20000, 0x2FA1F),  # CJK unified ideographs extensions B–F, compatibility supplement
    (0x30000, 0x323AF),  # CJK unified ideographs extensions G–H
)

RULE = {
    "whitespace": sorted(ord(ch) for ch in WHITESPACE),
    "cjk": [list(r) for r in CJK_RANGES],
}


def is_cjk(ch):
    code = ord(ch)
    return code >= 0xB7 and any(lo <= code <= hi for lo, hi in CJK_RANGES)


def _is_word_char(ch):
    """A letter or digit (Unicode categories L* and N*; the browser uses /[\\p{L}\\p{N}]/u)."""
    return unicodedata.category(ch)[0] in "LN"


def count_chars(text):
    """字数 of ``text`` as Word/WPS count it (see the module's docstring)."""
    if not text:
        return 0
    count = 0
    in_word = False  # the current run of other characters holds a letter or digit
    for ch in str(text):
        if ch in WHITESPACE:
            count += in_word
            in_word = False
        elif is_cjk(ch):
            count += in_word + 1
            in_word = False
        elif not in_word and _is_word_char(ch):
            in_word = True
    return count + in_word


def rule_json():
    """The rule as compact JSON for the page's ``data-count-rule`` attribute."""
    return json.dumps(RULE, separators=(",", ":"))
