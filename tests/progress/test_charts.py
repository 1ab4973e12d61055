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
