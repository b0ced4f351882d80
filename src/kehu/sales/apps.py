from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "kehu.sales"
    label = "sales"
    verbose_name = "案场 Sales office"
