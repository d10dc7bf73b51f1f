"""The one notification e-mail. It says only that there is something new, and links to it.

Privacy: the templates see the dict built by `email_context` and nothing else — no model
object, no request, no context processors — so no name, pseudonym, post or licence detail can
reach a mail server, however a template is later edited.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from peerhaven.notifications.kinds import kind_title

TEXT_TEMPLATE = "notifications/email/base.txt"
HTML_TEMPLATE = "notifications/email/base.html"
EMAIL_CONTEXT_KEYS = frozenset({"org_name", "kind_title", "link_url", "unsubscribe_url", "preferences_url"})


def org_name() -> str:
    from peerhaven.sitesettings.selectors import org_name as instance_org_name

    return instance_org_name()


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def email_context(*, kind: str, link: str, unsubscribe_token: str) -> dict[str, str]:
    """The complete, allow-listed template context: fixed text and URLs, nothing else."""
    context = {
        "org_name": org_name(),
        "kind_title": kind_title(kind),
        "link_url": absolute_url(link or reverse("notifications:list")),
        "unsubscribe_url": absolute_url(reverse("notifications:unsubscribe", args=[unsubscribe_token])),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
    }
    assert set(context) == EMAIL_CONTEXT_KEYS
    return context


def email_subject() -> str:
    return _("There is something new for you on %(org)s") % {"org": org_name()}


def notification_email_build(
    *, to: str, kind: str, link: str, unsubscribe_token: str, language: str = ""
) -> EmailMultiAlternatives:
    """A plain-text message with an HTML alternative and RFC 8058 one-click unsubscribe headers,
    in the recipient's language (the site's default when they have not chosen one)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = email_context(kind=kind, link=link, unsubscribe_token=unsubscribe_token)
        text_body = render_to_string(TEXT_TEMPLATE, context)
        html_body = render_to_string(HTML_TEMPLATE, context)
        subject = email_subject()
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html_body, "text/html")
    return message
