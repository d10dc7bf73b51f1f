"""Template helpers for safety snippets (safety/member_actions.html)."""

from __future__ import annotations

from typing import Any

from django import template

from peerhaven.safety.policies import has_blocked

register = template.Library()


@register.simple_tag(takes_context=True)
def member_blocked_by_viewer(context: dict[str, Any], member: Any) -> bool:
    """Whether the viewer blocked `member`: one query per request however often it is used."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return has_blocked(viewer, member)
