"""What the charts say: axis labels that match the axis, no pass verdict on a practice set."""

from datetime import UTC, datetime

from progress.charts import domain_bars_svg, mastery_bars_svg, score_trend_svg

DOMAINS = [{"number": 1, "name": "SDLC automation", "percent": 50, "verdict": "Needs"}]


def test_the_mastery_chart_labels_its_pass_line_as_a_percentage():
    svg = mastery_bars_svg(
        [{"number": 1, "name": "SDLC", "answered": 10, "correct": 5, "mastery_low": 0.4}]
    )
    assert "pass ≈ 72 %" in svg and "750" not in svg


def test_a_practice_chart_has_no_pass_line():
    svg = domain_bars_svg(DOMAINS, pass_line=False)
    assert "pass-line" not in svg and "pass ≈" not in svg
    assert "pass-line" in domain_bars_svg(DOMAINS)


def test_the_score_trend_labels_each_mock_on_the_x_axis():
    mocks = [
        {"scaled_score": 600, "finished_at": datetime(2026, 3, 1, 12, tzinfo=UTC)},
        {"scaled_score": 780, "finished_at": datetime(2026, 3, 8, 12, tzinfo=UTC)},
    ]
    svg = score_trend_svg(mocks)
    assert ">#1<" in svg and ">#2<" in svg and ">1 Mar<" in svg and ">8 Mar<" in svg


def test_many_mocks_get_at_most_about_eight_x_labels():
    mocks = [
        {"scaled_score": 600, "finished_at": datetime(2026, 3, d, 12, tzinfo=UTC)}
        for d in range(1, 29)
    ]
    assert 4 <= score_trend_svg(mocks).count(">#") <= 9


def test_the_information_curve_peaks_over_the_item_difficulty_without_inline_styles():
    import re

    from progress.charts import information_curve_svg

    svg = information_curve_svg(1.8, 1.0)
    points = [
        tuple(map(float, p.split(",")))
        for p in re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    ]
    peak_x = min(points, key=lambda p: p[1])[0]  # SVG y grows downwards
    left, plot_w = 34, 320 - 34 - 10
    assert abs(peak_x - (left + plot_w * (1.0 + 4) / 8)) < 2  # θ = b = 1.0
    assert "a = 1.80, b = 1.00, peak 0.81" in svg
    assert "style" not in svg and "<script" not in svg
    # A sharper item than a = 2 widens the axis instead of drawing off the chart.
    assert all(float(y) >= 0 for y in re.findall(r",(-?[\d.]+)", information_curve_svg(3.0, 0.0)))
