"""Markdown to safe HTML. Every piece of authored text reaches a page through `render_markdown`.

Rendering is cached by content hash, so an exam page does not re-render 75 stems per request and
an edit shows at once (new text, new key).
"""

import contextlib
import hashlib
import logging

import markdown as md
import nh3
from django.core.cache import cache
from django.utils.safestring import mark_safe

EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "pre",
    "code",
    "blockquote",
    "em",
    "strong",
    "del",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "span",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "th": {"align"}, "td": {"align"}}
CACHE_SECONDS = 24 * 3600
log = logging.getLogger(__name__)


def _render(text):
    converter = md.Markdown(extensions=EXTENSIONS, output_format="html")
    # Raw HTML is not part of the bank's markdown: without these two, "<account-id>" in
    # "arn:aws:iam::<account-id>:role/x" would pass through as an unknown tag that nh3 then
    # removes, and the learner would read "arn:aws:iam:::role/x". Escaped, it reads as written.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    html = converter.convert(text)
    # Authors' headings move one level down so they never compete with the page's own <h1>.
    for level in (5, 4, 3, 2, 1):
        html = html.replace(f"<h{level}", f"<h{level + 1}").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def _key(text):
    return "md2:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _cached(keys):
    # The cache is an optimisation: if Redis is down, render instead of failing the page.
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001
        log.warning("Markdown cache unavailable; rendering without it.", exc_info=True)
        return {}


def _store(entries):
    with contextlib.suppress(Exception):
        cache.set_many(entries, CACHE_SECONDS)


def render_many(texts):
    """{text: safe HTML} for several texts, with one cache round trip (the exam page's 75)."""
    keys = {text: _key(text) for text in texts if text}
    found = _cached(list(keys.values()))
    out, missing = {}, {}
    for text, key in keys.items():
        html = found.get(key)
        if html is None:
            html = missing[key] = _render(text)
        out[text] = mark_safe(html)  # noqa: S308 - sanitised by nh3 in _render
    if missing:
        _store(missing)
    return out


def render_markdown(text):
    if not text:
        return mark_safe("")
    return render_many([text])[text]
