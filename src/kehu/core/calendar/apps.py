from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "kehu.core.calendar"
    label = "calendar"
