from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "kehu.complaints"
    label = "complaints"
    verbose_name = "客户投诉 Complaints"
