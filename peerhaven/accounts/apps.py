from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerhaven.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from peerhaven.accounts import signals  # noqa: F401
