from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "peerhaven.verification"
    label = "verification"

    def ready(self) -> None:
        from peerhaven.core import privacy
        from peerhaven.verification import privacy as verification_privacy

        privacy.register(verification_privacy.SECTION, exporter=verification_privacy.export_member, eraser=verification_privacy.erase_member)
