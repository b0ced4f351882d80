from django.apps import AppConfig


class DisciplineConfig(AppConfig):
    name = "kehu.discipline"
    label = "discipline"
    verbose_name = "奖惩 Rewards and penalties"
