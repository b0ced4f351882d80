from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "kehu.core.policy"
    label = "policy"
