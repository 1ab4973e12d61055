# ruff: noqa: E501 - SVG markup reads better on one line per element
"""Server-side SVG charts: no JavaScript library, no CDN, readable without scripts.

Every chart also has its numbers in text next to it (for screen readers and for print).
"""

import math

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from domains import blueprint

from .scoring import MEETS_FRACTION


def _short(name, limit=18):
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def domain_bars_svg(domains, width=560, bar_height=26, gap=10, pass_line=True):
    """Horizontal bars: percent correct per domain, with the share that passes (72 %) drawn
    across as a dashed line (`pass_line=False` leaves it out: a small practice set is no exam)."""
    if not domains:
        return ""
    label_width, right_pad = 150, 50
    plot = width - label_width - right_pad
    height = len(domains) * (bar_height + gap) + 30
    pass_x = label_width + plot * MEETS_FRACTION
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-title">Percent correct per domain'
        + (
            f"; the dashed line marks {round(MEETS_FRACTION * 100)} %, the share that passes"
            if pass_line
            else ""
        )
        + "</title>"
    ]
    for index, d in enumerate(domains):
        y = index * (bar_height + gap) + 10
        bar = plot * d["percent"] / 100
        css = "bar-ok" if d["verdict"].startswith("Meets") else "bar-low"
        parts.append(
            f'<text x="0" y="{y + bar_height * 0.7:.0f}" class="chart-label">'
            f"D{d['number']} {escape(_short(d['name']))}</text>"
            f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" class="bar-bg"/>'
            f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{bar_height}" class="{css}"/>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + bar_height * 0.7:.0f}" class="chart-value">'
            f"{escape(d.get('label', str(d['percent']) + ' %'))}</text>"
        )
    if pass_line:
        # The axis is a percentage: label the line with the share that passes, not the 750.
        parts.append(
            f'<line x1="{pass_x:.1f}" x2="{pass_x:.1f}" y1="0" y2="{height - 20}" class="pass-line"/>'
            f'<text x="{pass_x:.1f}" y="{height - 5}" class="chart-value" text-anchor="middle">'
            f"pass ≈ {round(MEETS_FRACTION * 100)} %</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def mastery_bars_svg(domains, width=560, bar_height=22, gap=10):
    """Conservative mastery per domain (bar) with the share needed to pass (dashed line)."""
    rows = [
        {
            "number": d["number"],
            "name": d["name"],
            "percent": round(100 * d["mastery_low"]) if d["answered"] else 0,
            "verdict": "Meets" if d["answered"] and d["mastery_low"] >= MEETS_FRACTION else "Needs",
            **({} if d["answered"] else {"label": "no answers yet"}),
        }
        for d in domains
    ]
    return domain_bars_svg(rows, width=width, bar_height=bar_height, gap=gap)


def score_trend_svg(mocks, width=560, height=220):
    """Scaled scores of finished mocks over time, with the 750 pass line; the x axis labels each
    mock with its number and local date (at most ~8 labels)."""
    if not mocks:
        return ""
    left, right, top, bottom = 44, 24, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = blueprint.MIN_SCALED_SCORE, blueprint.MAX_SCALED_SCORE

    def y(score):
        return top + plot_h * (1 - (score - lo) / (hi - lo))

    step = plot_w / max(1, len(mocks) - 1)
    points = [
        (left + i * step if len(mocks) > 1 else left + plot_w / 2, y(m["scaled_score"]))
        for i, m in enumerate(mocks)
    ]
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="trend-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="trend-title">Scaled score of each mock, oldest first; dashed line at '
        f"{blueprint.PASSING_SCALED_SCORE}</title>"
    ]
    for score in (lo, 500, blueprint.PASSING_SCALED_SCORE, hi):
        css = "pass-line" if score == blueprint.PASSING_SCALED_SCORE else "grid-line"
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(score):.1f}" y2="{y(score):.1f}" class="{css}"/>'
            f'<text x="{left - 6}" y="{y(score) + 4:.1f}" class="chart-value" text-anchor="end">{score}</text>'
        )
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
        parts.append(f'<polyline points="{path}" class="trend-line" fill="none"/>')
    every = max(1, math.ceil(len(mocks) / 8))
    for i, ((x, yy), mock) in enumerate(zip(points, mocks, strict=True)):
        css = "bar-ok" if mock["scaled_score"] >= blueprint.PASSING_SCALED_SCORE else "bar-low"
        parts.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="4" class="{css}"/>')
        if i % every == 0 or i == len(mocks) - 1:
            when = date_format(timezone.localtime(mock["finished_at"]), "j M")
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" class="chart-value" '
                f'text-anchor="middle">#{i + 1}</text>'
                f'<text x="{x:.1f}" y="{height - bottom + 30}" class="chart-value" '
                f'text-anchor="middle">{escape(when)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def information_curve_svg(a, b, width=320, height=150):
    """The item information curve I(θ) = a² P(θ) (1 − P(θ)) of a 2PL item over θ ∈ [−4, 4]
    (P the 2PL probability of a right answer, θ and b in logits). The y axis runs to at least
    1.0 (a = 2's peak) so curves of different items compare at a glance. Colours are SVG
    attributes, not CSS: the admin does not load the site's stylesheet."""
    from .calibration import item_information

    left, right, top, bottom = 34, 10, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    thetas = [-4 + 8 * i / 80 for i in range(81)]
    info = item_information(a, b, thetas)
    peak = a * a / 4
    y_max = max(1.0, math.ceil(peak * 4) / 4)

    def x(theta):
        return left + plot_w * (theta + 4) / 8

    def y(value):
        return top + plot_h * (1 - value / y_max)

    label = (
        f"Item information over ability -4 to 4 logits: a = {a:.2f}, b = {b:.2f}, "
        f"peak {peak:.2f} at ability {b:.2f}"
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
        f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#888"/>'
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{y(0):.1f}" stroke="#888"/>'
    ]
    for theta in (-4, -2, 0, 2, 4):
        parts.append(
            f'<text x="{x(theta):.1f}" y="{height - bottom + 14}" font-size="10" '
            f'text-anchor="middle" fill="currentColor">{theta}</text>'
        )
    for value in (0, y_max / 2, y_max):
        parts.append(
            f'<text x="{left - 4}" y="{y(value) + 3:.1f}" font-size="10" text-anchor="end" '
            f'fill="currentColor">{value:.2g}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 3}" font-size="10" text-anchor="middle" '
        f'fill="currentColor">ability θ (logits)</text>'
    )
    if -4 <= b <= 4:
        parts.append(
            f'<line x1="{x(b):.1f}" x2="{x(b):.1f}" y1="{top}" y2="{y(0):.1f}" stroke="#888" '
            f'stroke-dasharray="3 3"/>'
        )
    points = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in zip(thetas, info, strict=True))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#1f6feb" stroke-width="2"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
