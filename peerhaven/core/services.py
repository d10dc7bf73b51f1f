"""Writes owned by core: contact messages."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from peerhaven.core.audit import audit_log
from peerhaven.core.models import ContactMessage


def contact_message_create(*, email: str, subject: str, message: str, request: HttpRequest | None = None) -> ContactMessage:
    with transaction.atomic():
        contact = ContactMessage(email=email, subject=subject, message=message)
        contact.full_clean()
        contact.save()
        audit_log("contact.create", target=contact, request=request)
        # The staff mail says only that a message arrived; staff read it in the product.
        transaction.on_commit(
            lambda: send_mail(
                subject=_("A new question arrived through the services page"),
                message=_("Someone sent a question through the contact form. Read it in the staff area."),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[str(settings.STAFF_CONTACT_EMAIL)],
            )
        )
    return contact
