from django import template

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
