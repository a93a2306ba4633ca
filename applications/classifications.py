"""Classifications the application form asks for, as data.

* 国民经济行业分类 GB/T 4754-2017 (``data/gbt4754-2017.json``): 门类 › 大类 › 中类 › 小类. The form
  asks for the 小类; ``industry_search`` offers it by code prefix or by name.
* 组织规模 by 国统字〔2017〕213号 (``data/org_size_2017.json``): the thresholds and the mapping from
  GB/T 4754 codes to the industry groups live in the JSON; ``suggest_org_size`` only applies the rule
  "大/中/小 must meet every listed lower bound, otherwise one size down; 微 is what is left".

Both files are read once per process (``functools.lru_cache``).
"""
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
INDUSTRY_FILE = DATA_DIR / "gbt4754-2017.json"
ORG_SIZE_FILE = DATA_DIR / "org_size_2017.json"

#: Longer queries are not searched (no industry name is this long); the caller gets no results.
MAX_QUERY_LENGTH = 40
MAX_LIMIT = 200

LEVELS = ("门类", "大类", "中类", "小类")
PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class Industry:
    """One node of GB/T 4754-2017. ``ancestors`` are (code, name) pairs from the 门类 down."""

    code: str
    name: str
    level: str
    ancestors: tuple = ()

    @property
    def path(self):
        """The ancestors as "C 制造业 › 36 汽车制造业 › 367 汽车零部件及配件制造"."""
        return PATH_SEPARATOR.join(f"{c} {n}" for c, n in self.ancestors)

    @property
    def section_code(self):
        return self.ancestors[0][0] if self.ancestors else self.code

    @property
    def label(self):
        return f"{self.code} {self.name}"

    def as_dict(self):
        return {"code": self.code, "name": self.name, "level": self.level, "path": self.path,
                "ancestors": [{"code": c, "name": n} for c, n in self.ancestors]}


# --- loading ------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _industry_tree():
    with open(INDUSTRY_FILE, encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def _industry_index():
    """(every 小类 in code order, {code: Industry} for every level)."""
    by_code = {}
    classes = []

    def walk(node, depth, ancestors):
        item = Industry(code=node["code"], name=node["name"], level=LEVELS[depth], ancestors=tuple(ancestors))
        by_code[item.code] = item
        if depth == 3:
            classes.append(item)
        for child in node.get("children", ()):
            walk(child, depth + 1, [*ancestors, (item.code, item.name)])

    for section in _industry_tree():
        walk(section, 0, [])
    classes.sort(key=lambda i: i.code)
    search_text = tuple(" ".join([*(n for _c, n in i.ancestors), i.name]) for i in classes)
    return tuple(classes), by_code, search_text


@lru_cache(maxsize=1)
def _org_size_data():
    with open(ORG_SIZE_FILE, encoding="utf-8") as f:
        return json.load(f)


# --- industries ---------------------------------------------------------------------------------
_CODE_QUERY = re.compile(r"([A-T])?(\d{0,4})")


def _normalize_query(query):
    return unicodedata.normalize("NFKC", str(query or "")).strip()


def _split_code(code):
    """"C3670" / "c 3670" / "3670" -> ("C" or None, "3670"); None when it is not a code at all."""
    text = re.sub(r"\s+", "", _normalize_query(code)).upper()
    match = _CODE_QUERY.fullmatch(text)
    if not match or not (match.group(1) or match.group(2)):
        return None
    return match.group(1), match.group(2)


def industry_lookup(code):
    """The GB/T 4754-2017 node with this code (any level: "C", "36", "367", "3670"; a 门类 letter
    before the digits, as in "C3670", is accepted), or None."""
    parts = _split_code(code)
    if parts is None:
        return None
    letter, digits = parts
    _classes, by_code, _text = _industry_index()
    item = by_code.get(digits or letter)
    if item is None or (letter and digits and item.section_code != letter):
        return None
    return item


def industry_search(query, limit=20):
    """小类 matching ``query``: by code prefix ("36", "367", "C36", or a 门类 letter alone) or by name
    (every space-separated word must appear in the 小类's name or in its ancestors' names; matches
    in the 小类's own name come first). Empty or over-long queries give an empty list."""
    text = _normalize_query(query)
    if not text or len(text) > MAX_QUERY_LENGTH:
        return []
    try:
        limit = max(0, min(int(limit), MAX_LIMIT))
    except (TypeError, ValueError):
        limit = 20
    classes, _by_code, search_text = _industry_index()

    parts = _split_code(text)
    if parts is not None:
        letter, digits = parts
        return [i for i in classes if i.code.startswith(digits) and (not letter or i.section_code == letter)][:limit]

    terms = text.split()
    ranked = []
    for item, haystack in zip(classes, search_text):
        if not all(t in haystack for t in terms):
            continue
        if item.name == text:
            rank = 0
        elif item.name.startswith(terms[0]) and all(t in item.name for t in terms):
            rank = 1
        elif all(t in item.name for t in terms):
            rank = 2
        else:
            rank = 3
        ranked.append((rank, item.code, item))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [item for _rank, _code, item in ranked[:limit]]


# --- 组织规模 -------------------------------------------------------------------------------------
def org_size_group(industry_code):
    """The 国统字〔2017〕213号 industry group of a GB/T 4754 code (any level), as a dict with ``key``,
    ``name`` and ``bounds`` ({size: {metric: lower bound}}), or None for an unknown code."""
    item = industry_lookup(industry_code)
    if item is None:
        return None
    data = _org_size_data()
    codes = [c for c, _n in item.ancestors] + [item.code]  # 门类, 大类, 中类, 小类 (as deep as the node)
    key = data["default_group"]
    for code in reversed(codes):  # the most specific code listed in the mapping wins
        if code in data["mapping"]:
            key = data["mapping"][code]
            break
    group = data["groups"][key]
    return {"key": key, "name": group["name"], "bounds": group["bounds"]}


def org_size_metrics(industry_code):
    """The figures the size of an organization in this industry depends on ("employees", "revenue",
    "assets"), or () for an unknown code."""
    group = org_size_group(industry_code)
    if group is None:
        return ()
    order = list(_org_size_data()["metrics"])
    used = {m for bounds in group["bounds"].values() for m in bounds}
    return tuple(m for m in order if m in used)


def _number(value, name):
    if isinstance(value, bool):
        raise ValueError(f"{name} 不是数字")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{name} 不是数字：{value!r}") from exc
    if not number.is_finite() or number < 0:
        raise ValueError(f"{name} 必须是非负数：{value!r}")
    return number


def suggest_org_size(industry_code, employees=None, revenue=None, assets=None):
    """大型/中型/小型/微型 for an organization's own figures (employees in persons, revenue and assets
    in 万元), or None when the industry code is unknown or a figure the industry's rule needs is
    missing. Figures the rule does not use are ignored. Raises ValueError for a negative or
    non-numeric figure (forms check that first)."""
    group = org_size_group(industry_code)
    if group is None:
        return None
    given = {"employees": employees, "revenue": revenue, "assets": assets}
    needed = org_size_metrics(industry_code)
    if any(given[m] is None or (isinstance(given[m], str) and not given[m].strip()) for m in needed):
        return None
    values = {m: _number(given[m], m) for m in needed}
    sizes = _org_size_data()["sizes"]
    for size in sizes[:-1]:
        bounds = group["bounds"][size]
        if all(values[m] >= Decimal(str(bound)) for m, bound in bounds.items()):
            return size
    return sizes[-1]


def org_size_rule_text(industry_code):
    """The thresholds that apply, in Chinese, for showing next to the suggestion, e.g.
    ["按“工业”标准：", "大型：从业人员≥1000人，且营业收入≥40000万元", …]; [] for an unknown code."""
    group = org_size_group(industry_code)
    if group is None:
        return []
    metrics = _org_size_data()["metrics"]
    lines = [f"按“{group['name']}”标准（{_org_size_data()['source']}）："]
    for size, bounds in group["bounds"].items():
        parts = [f"{metrics[m]['label']}≥{bound}{metrics[m]['unit']}" for m, bound in bounds.items()]
        lines.append(f"{size}：" + "，且".join(parts))
    lines.append(_org_size_data()["rule"])
    return lines
