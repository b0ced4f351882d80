from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "kehu.core.customers"
    label = "customers"
