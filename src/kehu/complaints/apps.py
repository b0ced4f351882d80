from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "kehu.complaints"
    label = "complaints"
    verbose_name = "客户投诉 Complaints"

    def ready(self) -> None:
        # Home-page queue counters and customer-page panels register when imported.
        from kehu.complaints import customer_panels, selectors  # noqa: F401
