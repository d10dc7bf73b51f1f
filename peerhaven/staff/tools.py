"""Where staff reach each programme's own tools from the console: one list, so a programme's
settings, queues and figures are never only reachable by typing an address. (Moderators' queues
are reached from the "Moderation" link that the moderator role shows.)"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from peerhaven.core.programmes import enabled_programmes


@dataclass(frozen=True)
class Tool:
    label: StrOrPromise
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class ToolSection:
    title: StrOrPromise
    tools: tuple[Tool, ...]


# Tools every instance has, whichever programmes are switched on.
INSTANCE_TOOLS = ToolSection(
    _("The whole instance"),
    (
        Tool(_("Instance settings"), "sitesettings:edit"),
        Tool(_("Crisis resources"), "safety:crisis_manage"),
        Tool(_("Audit log"), "core:audit_log"),
    ),
)

# Per programme slug (core.programmes), the staff pages its app offers.
PROGRAMME_TOOLS: dict[str, tuple[Tool, ...]] = {
    "t4t": (
        Tool(_("Supporter applications"), "support:staff_supporters"),
        Tool(_("Supporter agreement"), "support:staff_agreement"),
        Tool(_("Session feedback (counts only)"), "support:feedback_aggregates"),
    ),
    "groups": (Tool(_("Group settings"), "groups:settings"),),
    "community": (
        Tool(_("Forum settings"), "forums:forum_settings"),
        Tool(_("Watched words"), "forums:watched_words"),
        Tool(_("Live meetup settings"), "live:settings"),
    ),
}


def programme_tools(request: HttpRequest | None = None) -> list[ToolSection]:
    """The instance's tools, then those of each programme that is switched on."""
    sections = [INSTANCE_TOOLS]
    for programme in enabled_programmes(request):
        tools = PROGRAMME_TOOLS.get(programme.slug)
        if tools:
            sections.append(ToolSection(programme.title, tools))
    return sections
