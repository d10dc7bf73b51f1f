from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerhaven.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from peerhaven.accounts import privacy as accounts_privacy
        from peerhaven.accounts import signals  # noqa: F401
        from peerhaven.core import privacy

        privacy.register(
            accounts_privacy.SECTION,
            exporter=accounts_privacy.export_member,
            eraser=accounts_privacy.erase_member,
        )
        from peerhaven.accounts import sessions

        privacy.register(sessions.PRIVACY_SECTION, exporter=sessions.export_member, eraser=sessions.erase_member)
