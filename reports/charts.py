"""Simple, accessible SVG bar charts for printed reports.

Drawn by hand rather than with a charting library: the statement needs static SVG (no script),
bars told apart without colour (solid and hatched, each bar labelled with its figure), and a
text alternative, which the libraries looked at either do not give or bury under interactive
markup. Charts are embedded as ``<img>`` with an ``alt`` text so both the HTML page and the
tagged PDF carry the text alternative.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape

DARK = "#1d70b8"
LIGHT = "#b1b4b6"
INK = "#0b0c0c"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int | None]  # None: not shown (small number)
    labels: list[str]  # what is printed beside each bar


def grouped_bars(categories: list[str], series: list[Series], *, width: int = 640) -> str:
    """A horizontal grouped bar chart as an SVG document. Drawn at the same scale whatever its
    width (the statement prints a narrow one beside its table): a narrower chart has a
    narrower label column (its labels wrap onto more lines) and its key on one line a series."""
    # Compact (bars 11 high, groups 6 apart); the figures are printed beside each bar.
    bar_h, gap, line_h = 11, 6, 12
    label_w = min(190, round(width * 0.36))
    value_w = 90 if width >= 640 else 72  # room for "fewer than 6" after the longest bar
    chars = LABEL_CHARS if label_w >= 190 else int((label_w - 8) / 5.8)
    plot_w = width - label_w - value_w
    # The key: side by side if it fits, else one series a line.
    key_widths = [30 + 7 * len(s.name) for s in series]
    stacked = label_w + sum(key_widths) > width
    top = 28 + (18 * (len(series) - 1) if stacked else 0)
    biggest = max([v for s in series for v in s.values if v] or [1])
    # Long category names wrap onto more lines (never cut short); a group grows to fit them.
    lines = [wrap(cat, chars) for cat in categories]
    heights = [max(bar_h * len(series), line_h * len(ls)) + gap for ls in lines]
    tops = [top + sum(heights[:i]) for i in range(len(categories))]
    height = top + sum(heights) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Liberation Sans, Arial, sans-serif" '
        'font-size="11">',
        "<defs><pattern id='hatch' width='6' height='6' patternUnits='userSpaceOnUse' "
        "patternTransform='rotate(45)'>"
        f"<rect width='6' height='6' fill='white'/><rect width='3' height='6' fill='{LIGHT}'/>"
        "</pattern></defs>",
    ]
    # Key
    x, y = label_w, 6
    for i, s in enumerate(series):
        fill = DARK if i == len(series) - 1 else "url(#hatch)"
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="{fill}" stroke="{INK}" '
            'stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{x + 20}" y="{y + 11}" fill="{INK}">{escape(s.name)}</text>')
        if stacked:
            y += 18
        else:
            x += key_widths[i]
    for gi, label_lines in enumerate(lines):
        y0 = tops[gi]
        middle = y0 + (heights[gi] - gap) / 2
        first = middle - line_h * (len(label_lines) - 1) / 2 + 4
        spans = "".join(
            f'<tspan x="{label_w - 8}" y="{first + i * line_h:g}">{escape(text)}</tspan>'
            for i, text in enumerate(label_lines)
        )
        parts.append(f'<text text-anchor="end" fill="{INK}">{spans}</text>')
        bars_top = y0 + (heights[gi] - gap - bar_h * len(series)) / 2
        for si, s in enumerate(series):
            y = bars_top + si * bar_h
            value = s.values[gi]
            fill = DARK if si == len(series) - 1 else "url(#hatch)"
            w = 0 if not value else max(1.5, plot_w * value / biggest)
            if w:
                parts.append(
                    f'<rect x="{label_w}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 2}" '
                    f'fill="{fill}" stroke="{INK}" stroke-width="0.5"/>'
                )
            parts.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 2}" fill="{INK}" font-size="10">'
                f"{escape(s.labels[gi])}</text>"
            )
    parts.append(
        f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 4}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


# About as many characters of 11px Liberation Sans as fit in the label column.
LABEL_CHARS = 32


def wrap(text: str, width: int = LABEL_CHARS) -> list[str]:
    """Words onto lines of at most ``width`` characters (a longer word has a line of its own)."""
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    return out or [""]


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def alt_text(title: str, categories: list[str], series: list[Series]) -> str:
    """A text alternative that gives every figure the chart shows."""
    bits = []
    for ci, cat in enumerate(categories):
        figures = ", ".join(f"{s.name} {s.labels[ci]}" for s in series)
        bits.append(f"{cat}: {figures}")
    return f"Bar chart: {title}. " + "; ".join(bits) + "."
