"""Model fields whose values are encrypted at rest (see peerhaven.core.crypto)."""

from __future__ import annotations

from typing import Any

from django.db import models

from peerhaven.core.crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token. Not searchable or orderable by content, by design."""

    description = "Text encrypted at rest"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertext differs on every write: only null checks make sense.
        if lookup_name not in {"isnull"}:
            return None
        return super().get_lookup(lookup_name)


class EncryptedCharField(EncryptedTextField):
    """Short encrypted text: the max_length is enforced on the plaintext by validation."""

    def __init__(self, *args: Any, plaintext_max_length: int = 255, **kwargs: Any) -> None:
        self.plaintext_max_length = plaintext_max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["plaintext_max_length"] = self.plaintext_max_length
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        from django import forms

        kwargs.setdefault("max_length", self.plaintext_max_length)
        kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if value and len(value) > self.plaintext_max_length:
            from django.core.exceptions import ValidationError

            raise ValidationError(
                "Keep this under %(limit)d characters.",
                code="max_length",
                params={"limit": self.plaintext_max_length},
            )


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) pair holding encrypted text, for key rotation and tests."""
    from django.apps import apps

    found: list[tuple[type[models.Model], str]] = []
    for model in apps.get_models():
        if model._meta.proxy:
            # A proxy shares its parent's table: listing it too would rotate each row twice.
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field.name))
    return found
