from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "kehu.sales"
    label = "sales"
    verbose_name = "案场 Sales office"

    def ready(self) -> None:
        # Home-page queue counters (``@queue_counter``) and customer-page panels
        # (``@customer_panel``) register when their module is imported.
        from kehu.sales import (  # noqa: F401
            alert_selectors,
            channel_selectors,
            customer_panels,
            deal_selectors,
            dispute_selectors,
            home_queues,
            registration_selectors,
        )
