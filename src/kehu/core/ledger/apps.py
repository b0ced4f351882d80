from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "kehu.core.ledger"
    label = "ledger"
