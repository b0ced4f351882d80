from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kehu.core.web"
    label = "web"
