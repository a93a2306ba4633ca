"""Charts as inline SVG (no script, no external library), like the review report's radar: each function
takes plain rows and returns markup safe to print. Colours are dark enough for a black-and-white
printer; every chart sits beside its table on the page."""
from html import escape

from django.utils.safestring import mark_safe

BAR = "#1f6feb"
ALT = "#8250df"
LINE = "#d1242f"
GRID = "#d0d7de"
PALETTE = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a3069", "#57606a"]


def _svg(width, height, label, parts):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
        f'aria-label="{escape(label)}" font-size="12" font-family="sans-serif" '
        f'preserveAspectRatio="xMinYMin meet">{"".join(parts)}</svg>')


def _text(x, y, text, anchor="start", extra=""):
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(str(text))}</text>'


def _number(value):
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def bar_chart(rows, *, label, width=560, colour=BAR):
    """Horizontal bars: ``rows`` are (label, value) with values ≥ 0."""
    if not rows:
        return ""
    top = max(v for _l, v in rows) or 1
    left, row_h, right = 190, 22, 50
    height = row_h * len(rows) + 10
    parts = []
    for i, (name, value) in enumerate(rows):
        y = 5 + i * row_h
        w = (width - left - right) * value / top
        parts.append(_text(left - 6, y + 15, name if len(str(name)) <= 16 else str(name)[:15] + "…", "end"))
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}"/>')
        parts.append(_text(left + w + 4, y + 15, _number(value)))
    return _svg(width, height, label, parts)


def histogram(rows, *, label, threshold=None, top=1000, width=560, height=220, colour=BAR):
    """Vertical bars over equal bins from 0 to ``top`` (``rows``: (bin label, count)); a dashed line marks
    ``threshold`` (the finalist line)."""
    if not rows:
        return ""
    peak = max(n for _l, n in rows) or 1
    left, bottom, plot_h = 36, 34, height - 50
    plot_w = width - left - 24
    bar_w = plot_w / len(rows)
    parts = [f'<line x1="{left}" y1="{10 + plot_h}" x2="{left + plot_w}" y2="{10 + plot_h}" stroke="#57606a"/>']
    for frac in (0.5, 1.0):
        y = 10 + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" stroke-dasharray="2 3"/>')
        parts.append(_text(left - 4, y + 4, round(peak * frac), "end"))
    for i, (_name, n) in enumerate(rows):
        h = plot_h * n / peak
        x = left + i * bar_w
        parts.append(f'<rect x="{x + 1:.1f}" y="{10 + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{colour}"/>')
    for tick in range(0, top + 1, top // 5):
        x = left + plot_w * tick / top
        parts.append(_text(x, height - bottom + 40 - 22, tick, "middle"))
    if threshold is not None:
        x = left + plot_w * min(threshold, top) / top
        parts.append(f'<line x1="{x:.1f}" y1="6" x2="{x:.1f}" y2="{10 + plot_h}" stroke="{LINE}" stroke-width="2" stroke-dasharray="6 3"/>')
        parts.append(_text(x + 4, 18, f"入围线 {threshold:g}", extra=f' fill="{LINE}"'))
    return _svg(width, height, label, parts)


def box_plot(boxes, *, label, width=560):
    """One horizontal box per row (min, quartiles, median, max) on 0–100 % of the category's points."""
    if not boxes:
        return ""
    left, right, row_h = 170, 20, 30
    plot_w = width - left - right
    height = row_h * len(boxes) + 30

    def x(v):
        return left + plot_w * max(0.0, min(v, 100.0)) / 100

    parts = []
    for tick in range(0, 101, 20):
        parts.append(f'<line x1="{x(tick):.1f}" y1="4" x2="{x(tick):.1f}" y2="{height - 22}" stroke="{GRID}"/>')
        parts.append(_text(x(tick), height - 8, f"{tick}%", "middle"))
    for i, b in enumerate(boxes):
        y = 6 + i * row_h
        mid = y + row_h / 2 - 3
        parts.append(_text(left - 6, mid + 4, b["label"] if len(b["label"]) <= 13 else b["label"][:12] + "…", "end"))
        parts.append(f'<line x1="{x(b["min"]):.1f}" y1="{mid:.1f}" x2="{x(b["max"]):.1f}" y2="{mid:.1f}" stroke="#24292f"/>')
        parts.append(f'<rect x="{x(b["q1"]):.1f}" y="{y + 4}" width="{max(x(b["q3"]) - x(b["q1"]), 1):.1f}" '
                     f'height="{row_h - 14}" fill="#ddf4ff" stroke="{BAR}"/>')
        parts.append(f'<line x1="{x(b["median"]):.1f}" y1="{y + 4}" x2="{x(b["median"]):.1f}" y2="{y + row_h - 10}" '
                     f'stroke="{LINE}" stroke-width="2"/>')
    return _svg(width, height, label, parts)


def diverging(rows, *, label, width=560, limit=None):
    """Bars left (negative) and right (positive) of zero: ``rows`` are (label, value)."""
    if not rows:
        return ""
    span = limit or max(abs(v) for _l, v in rows) or 1
    left, right, row_h = 130, 50, 20
    plot_w = width - left - right
    zero = left + plot_w / 2
    height = row_h * len(rows) + 26
    parts = [f'<line x1="{zero:.1f}" y1="2" x2="{zero:.1f}" y2="{height - 20}" stroke="#57606a"/>',
             _text(left, height - 6, f"−{span:.0f}（偏严）"), _text(width - right, height - 6, f"+{span:.0f}（偏宽）", "end")]
    for i, (name, value) in enumerate(rows):
        y = 2 + i * row_h
        w = plot_w / 2 * min(abs(value), span) / span
        x0 = zero if value >= 0 else zero - w
        parts.append(_text(left - 6, y + 14, name, "end"))
        parts.append(f'<rect x="{x0:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                     f'fill="{ALT if value >= 0 else BAR}"/>')
        # the value on the other side of zero, clear of the bar and of the names at the left
        parts.append(_text(zero + (-4 if value >= 0 else 4), y + 14, f"{value:+.1f}", "end" if value >= 0 else "start"))
    return _svg(width, height, label, parts)


def lines(series, *, labels, label, width=560, height=260):
    """One line per series over ``labels`` (x, each centred in its slot), values 0–100 (%) or None for a gap; a
    legend below. Labels longer than their slot keep their end, and are staggered on two rows past three."""
    if not series or not labels:
        return ""
    stagger = len(labels) > 3
    left, top, plot_h = 40, 10, height - 100 - (16 if stagger else 0)
    plot_w = width - left - 20
    slot = plot_w / len(labels)
    fits = max(int(slot * (2 if stagger else 1) / 12) - 1, 3)  # 12 px a character
    parts = []
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 4, y + 4, f"{tick}%", "end"))
    for i, name in enumerate(labels):
        # the end tells campaigns (and applications) apart: keep it
        text = str(name) if len(str(name)) <= fits else "…" + str(name)[-(fits - 1):]
        parts.append(_text(left + (i + 0.5) * slot, top + plot_h + 16 + (16 if stagger and i % 2 else 0), text,
                           "middle"))
    for s, (name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [(left + (i + 0.5) * slot, top + plot_h * (1 - v / 100)) for i, v in enumerate(values)
                  if v is not None]
        if len(points) > 1:
            parts.append(f'<polyline points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}" fill="none" '
                         f'stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points]
        lx = left + (s % 3) * (plot_w / 3)
        ly = top + plot_h + 36 + (16 if stagger else 0) + (s // 3) * 16
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(lx + 14, ly, name))
    return _svg(width, height, label, parts)
