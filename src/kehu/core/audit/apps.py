from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kehu.core.audit"
    label = "audit"
    verbose_name = "审计 Audit"

    def ready(self) -> None:
        from kehu.core.audit import signals  # noqa: F401  (connects login/lockout receivers)
