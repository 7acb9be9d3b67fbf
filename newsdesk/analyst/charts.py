"""Inline SVG charts for the HTML report, generated in Python (no JavaScript, no network).

Every function returns one ``<svg class="chart ...">`` string that scales to its
container (``viewBox`` + ``width="100%"``). All text is escaped; every mark has a
``<title>`` so hovering shows the exact value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

#: Tableau 10: distinct, colour-blind friendly enough, pleasant on white.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
OTHER = "#c7ccd4"
GRID = "#e6e8ec"
AXIS_TEXT = "#5b6472"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\""


@dataclass
class Series:
    """One stacked series: a name, a colour and one value per bucket."""

    name: str
    color: str
    values: list[int]


def nice_step(maximum: float, target: int = 5) -> float:
    """A round tick step (1, 2 or 5 x 10^k, at least 1) giving about ``target`` ticks."""
    if maximum <= target:
        return 1.0
    raw = maximum / target
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _fit(text: str, width_px: float, font_px: float = 12) -> str:
    """``text`` cut with … to about ``width_px`` (average glyph ~0.58 em)."""
    limit = max(3, int(width_px / (font_px * 0.58)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(css_class: str, width: float, height: float, body: list[str], label: str) -> str:
    return (
        f'<svg class="chart {css_class}" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        + "".join(body)
        + "</svg>"
    )


def empty_chart(message: str, width: float = 1000, height: float = 120) -> str:
    """A placeholder with a message (still an SVG, so the layout does not jump)."""
    body = [
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="8" fill="#fafbfc" '
        f'stroke="{GRID}" stroke-dasharray="4 4"/>',
        f'<text x="{width / 2}" y="{height / 2 + 5}" text-anchor="middle" font-size="15" '
        f'fill="{AXIS_TEXT}">{escape(message)}</text>',
    ]
    return _svg("empty", width, height, body, message)


def stacked_columns(
    buckets: Sequence[str],
    series: Sequence[Series],
    *,
    axis_labels: dict[int, str],
    label: str,
    width: float = 1000,
    height: float = 300,
) -> str:
    """Stacked columns, one per bucket (day or week), series bottom-up in the given order."""
    n = len(buckets)
    if n == 0 or not series:
        return empty_chart("No articles in this window")
    totals = [sum(s.values[i] for s in series) for i in range(n)]
    top = max(totals) or 1
    step = nice_step(top)
    y_max = math.ceil(top / step) * step
    left, right, upper, lower = 48.0, 12.0, 14.0, 30.0
    plot_w, plot_h = width - left - right, height - upper - lower
    slot = plot_w / n
    gap = min(2.0, slot * 0.18)
    body: list[str] = []
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = upper + plot_h - tick / y_max * plot_h
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{AXIS_TEXT}">{_num(tick)}</text>'
        )
        tick += step
    for i, bucket in enumerate(buckets):
        x = left + i * slot + gap / 2
        base = upper + plot_h
        parts = []
        for s in series:
            value = s.values[i]
            if not value:
                continue
            h = value / y_max * plot_h
            base -= h
            parts.append(
                f'<rect class="mark" x="{x:.2f}" y="{base:.2f}" width="{slot - gap:.2f}" '
                f'height="{h:.2f}" fill="{s.color}"><title>{escape(bucket)} · {escape(s.name)}: '
                f"{value}</title></rect>"
            )
        if parts:
            body.append(
                f"<g><title>{escape(bucket)}: {totals[i]} articles</title>{''.join(parts)}</g>"
            )
    for i, text in sorted(axis_labels.items()):
        x = left + (i + 0.5) * slot
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{upper + plot_h}" y2="{upper + plot_h + 5}" '
            f'stroke="{AXIS_TEXT}"/><text x="{x:.1f}" y="{height - 8}" text-anchor="middle" '
            f'font-size="11" fill="{AXIS_TEXT}">{escape(text)}</text>'
        )
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{upper + plot_h}" y2="{upper + plot_h}" '
        f'stroke="{AXIS_TEXT}"/>'
    )
    return _svg("stacked", width, height, body, label)


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[int]],
    *,
    column_labels: dict[int, str],
    label: str,
    width: float = 1000,
    low: str = "#e8f0fa",
    high: str = "#1f4e8c",
) -> str:
    """A row x column grid of counts (darker = more), row totals on the right."""
    if not rows or not columns:
        return empty_chart("No tagged articles in this window")
    label_w, total_w, top_pad, cell_h = 190.0, 56.0, 24.0, 24.0
    plot_w = width - label_w - total_w
    cell_w = plot_w / len(columns)
    height = top_pad + cell_h * len(rows) + 6
    peak = max((v for row in values for v in row), default=0) or 1
    body: list[str] = []
    for j, text in sorted(column_labels.items()):
        x = label_w + j * cell_w
        body.append(
            f'<text x="{x + 2:.1f}" y="14" font-size="11" fill="{AXIS_TEXT}">{escape(text)}</text>'
        )
    for i, name in enumerate(rows):
        y = top_pad + i * cell_h
        row_total = sum(values[i])
        body.append(
            f'<text x="{label_w - 10}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="#26303c"><title>{escape(name)}</title>'
            f"{escape(_fit(name, label_w - 16))}</text>"
        )
        for j, column in enumerate(columns):
            value = values[i][j]
            fill = "#f3f4f6" if value == 0 else _mix(low, high, math.sqrt(value / peak))
            body.append(
                f'<rect class="mark" x="{label_w + j * cell_w + 1:.2f}" y="{y + 1:.1f}" '
                f'width="{max(cell_w - 2, 0.5):.2f}" height="{cell_h - 2}" rx="3" fill="{fill}">'
                f"<title>{escape(name)} · {escape(column)}: {value} articles</title></rect>"
            )
        body.append(
            f'<text x="{width - 6}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="12" font-weight="600" fill="#26303c">{row_total}</text>'
        )
    return _svg("heatmap", width, height, body, label)


def hbars(
    items: Sequence[tuple[str, int]],
    total: int,
    *,
    label: str,
    color: str = PALETTE[0],
    width: float = 560,
    muted: Sequence[str] = (),
    colors: dict[str, str] | None = None,
) -> str:
    """Horizontal bars with count and share of ``total``; ``muted`` labels are drawn grey.

    ``colors`` gives some labels their own colour (else ``color``).
    """
    if not items or total <= 0:
        return empty_chart("Nothing to show", width=width, height=90)
    label_w, value_w, row_h = 170.0, 104.0, 28.0
    plot_w = width - label_w - value_w
    peak = max(v for _, v in items) or 1
    height = row_h * len(items) + 4
    body: list[str] = []
    for i, (name, value) in enumerate(items):
        y = i * row_h + 2
        w = max(value / peak * plot_w, 1.5)
        share = value / total
        fill = OTHER if name in muted else (colors or {}).get(name, color)
        body.append(
            f"<g><title>{escape(name)}: {value} ({share:.1%})</title>"
            f'<text x="{label_w - 10}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="12.5" fill="#26303c">{escape(_fit(name, label_w - 14, 12.5))}</text>'
            f'<rect x="{label_w}" y="{y + 4:.1f}" width="{plot_w:.1f}" height="{row_h - 8}" '
            f'rx="4" fill="#f1f3f6"/>'
            f'<rect class="mark" x="{label_w}" y="{y + 4:.1f}" width="{w:.1f}" '
            f'height="{row_h - 8}" rx="4" fill="{fill}"/>'
            f'<text x="{label_w + plot_w + 10}" y="{y + row_h / 2 + 4:.1f}" font-size="12" '
            f'fill="#26303c"><tspan font-weight="600">{value}</tspan>'
            f'<tspan fill="{AXIS_TEXT}"> · {share:.1%}</tspan></text></g>'
        )
    return _svg("bars", width, height, body, label)


def stacked_rows(
    rows: Sequence[tuple[str, Sequence[tuple[str, int]]]],
    colors: dict[str, str],
    *,
    label: str,
    width: float = 1000,
    right_note: Sequence[str] | None = None,
) -> str:
    """100% horizontal bars, one per row, split into named parts (e.g. field by layer)."""
    if not rows:
        return empty_chart("Nothing to show")
    label_w, note_w, row_h = 150.0, 70.0, 26.0
    plot_w = width - label_w - note_w
    height = row_h * len(rows) + 4
    body: list[str] = []
    for i, (name, parts) in enumerate(rows):
        y = i * row_h + 2
        total = sum(v for _, v in parts) or 1
        x = label_w
        body.append(
            f'<text x="{label_w - 10}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="12.5" fill="#26303c">{escape(_fit(name, label_w - 14, 12.5))}</text>'
        )
        for part, value in parts:
            if not value:
                continue
            w = value / total * plot_w
            body.append(
                f'<rect class="mark" x="{x:.2f}" y="{y + 4:.1f}" width="{w:.2f}" '
                f'height="{row_h - 8}" fill="{colors.get(part, OTHER)}">'
                f"<title>{escape(name)} · {escape(part)}: {value} ({value / total:.1%})</title>"
                "</rect>"
            )
            x += w
        if right_note is not None:
            body.append(
                f'<text x="{width - 6}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end" '
                f'font-size="12" font-weight="600" fill="#26303c">{escape(right_note[i])}</text>'
            )
    return _svg("rows", width, height, body, label)


def legend(items: Sequence[tuple[str, str]]) -> str:
    """An HTML legend: coloured chips with labels (``(label, colour)``)."""
    chips = "".join(
        f'<span class="chip"><i style="background:{color}"></i>{escape(text)}</span>'
        for text, color in items
    )
    return f'<div class="legend">{chips}</div>'
