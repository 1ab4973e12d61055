# ruff: noqa: E501 - SVG markup reads better on one line per element
"""Server-side SVG charts: no JavaScript library, no CDN, readable without scripts.

Every chart also has its numbers in text next to it (for screen readers and for print).
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from domains import blueprint

from .scoring import MEETS_FRACTION


def domain_bars_svg(domains, width=560, bar_height=26, gap=10):
    """Horizontal bars: percent correct per domain, with the pass line (72 %) drawn across."""
    if not domains:
        return ""
    label_width, right_pad = 150, 50
    plot = width - label_width - right_pad
    height = len(domains) * (bar_height + gap) + 30
    pass_x = label_width + plot * MEETS_FRACTION
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-title">Percent correct per domain; '
        f"the dashed line marks {round(MEETS_FRACTION * 100)} %, the share that passes</title>"
    ]
    for index, d in enumerate(domains):
        y = index * (bar_height + gap) + 10
        bar = plot * d["percent"] / 100
        css = "bar-ok" if d["verdict"].startswith("Meets") else "bar-low"
        parts.append(
            f'<text x="0" y="{y + bar_height * 0.7:.0f}" class="chart-label">'
            f"D{d['number']} {escape(d['name'][:18])}</text>"
            f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" class="bar-bg"/>'
            f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{bar_height}" class="{css}"/>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + bar_height * 0.7:.0f}" class="chart-value">'
            f"{d['percent']} %</text>"
        )
    parts.append(
        f'<line x1="{pass_x:.1f}" x2="{pass_x:.1f}" y1="0" y2="{height - 20}" class="pass-line"/>'
        f'<text x="{pass_x:.1f}" y="{height - 5}" class="chart-value" text-anchor="middle">'
        f"pass ≈ {blueprint.PASSING_SCALED_SCORE}</text></svg>"
    )
    return mark_safe("".join(parts))
