"""Template filters of the web shell: ``{% load kehu_web %}``."""

from __future__ import annotations

from datetime import timedelta

from django import template

from kehu.core.org.posts import post_label as _post_label

register = template.Library()


@register.filter
def post_label(post: str) -> str:
    """岗位 in the page's language: ``{{ staff.post|post_label }}`` → 售楼员 / Salesperson."""
    return _post_label(post)


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up (a lockout of 0:30:00 → 30)."""
    if value is None:
        return 0
    seconds = int(value.total_seconds())
    return (seconds + 59) // 60
