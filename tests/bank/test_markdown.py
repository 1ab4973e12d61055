from html.parser import HTMLParser

import pytest

from questions.markdown import render_many, render_markdown


class _Elements(HTMLParser):
    """Every element and attribute of an HTML fragment (text, escaped or not, is ignored)."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.attrs = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<svg onload="alert(1)"></svg>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_dangerous_markup_renders_inert(evil):
    html = str(render_markdown("Before\n\n" + evil + "\n\nAfter"))
    found = _Elements(html)
    assert not {"script", "img", "svg", "iframe", "style"} & set(found.tags)
    assert not [name for name, _ in found.attrs if name.startswith("on") or name == "style"]
    assert not [v for _, v in found.attrs if "javascript:" in v.lower()]
    assert "Before" in html and "After" in html


def test_angle_brackets_outside_code_are_shown_as_written():
    html = str(
        render_markdown(
            "Trust `arn:aws:iam::<account-id>:root` and arn:aws:iam::<account-id>:role/<role-name>"
        )
    )
    assert html.count("&lt;account-id&gt;") == 2 and "&lt;role-name&gt;" in html


def test_fenced_code_and_tables_survive():
    text = "```yaml\nversion: 0.2\nphases:\n  build:\n    commands: [make]\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    html = str(render_markdown(text))
    assert '<code class="language-yaml">' in html and "phases:" in html
    assert "<table>" in html and "<td>1</td>" in html


def test_links_get_safe_rel_and_headings_are_demoted():
    html = str(render_markdown("# Big\n\n[docs](https://docs.aws.amazon.com/)"))
    assert "<h2>Big</h2>" in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_render_many_matches_render_markdown():
    texts = ["**a**", "*b*", "**a**"]
    many = render_many(texts)
    assert many["**a**"] == render_markdown("**a**")
    assert set(many) == {"**a**", "*b*"}


def test_rendering_survives_a_cache_outage(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }  # nothing listens there
    assert str(render_markdown("**still here**")) == "<p><strong>still here</strong></p>"
