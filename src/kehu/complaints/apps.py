from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "kehu.complaints"
    label = "complaints"
    verbose_name = "客户投诉 Complaints"

    def ready(self) -> None:
        # Home-page queue counters register when their module is imported.
        from kehu.complaints import selectors  # noqa: F401
