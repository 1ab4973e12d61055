"""Markdown to safe HTML. Every piece of authored text reaches a page through `render_markdown`.

Rendering is cached by content hash, so an exam page does not re-render 75 stems per request and
an edit shows at once (new text, new key).
"""

import hashlib

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


def _render(text):
    html = md.markdown(text, extensions=EXTENSIONS, output_format="html")
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


def render_markdown(text):
    if not text:
        return mark_safe("")
    key = "md:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    html = cache.get(key)
    if html is None:
        html = _render(text)
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - sanitised by nh3 above


def render_many(texts):
    """Render several texts with one cache round trip (used by the exam page)."""
    keys = {
        text: "md:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        for text in texts
        if text
    }
    found = cache.get_many(list(keys.values()))
    out, missing = {}, {}
    for text, key in keys.items():
        if key in found:
            out[text] = mark_safe(found[key])
        else:
            html = _render(text)
            missing[key] = html
            out[text] = mark_safe(html)
    if missing:
        cache.set_many(missing, CACHE_SECONDS)
    return out
