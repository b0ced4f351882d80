from django.urls import URLPattern, URLResolver

app_name = "discipline"

urlpatterns: list[URLPattern | URLResolver] = []
