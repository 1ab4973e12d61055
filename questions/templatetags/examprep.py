from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from questions.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def letter(index):
    """0 -> A, 1 -> B ..."""
    return "ABCDEFGHIJ"[int(index)] if 0 <= int(index) < 10 else str(index)


@register.filter
def duration(seconds):
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


@register.filter
def when(value):
    """A datetime (or ISO 8601 string) in the learner's time zone, with the zone's name:
    "30 Nov 2026, 13:05 CET". Empty for None."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), date_format(local, "j M Y, H:i T")
    )
