from django.urls import URLPattern, URLResolver, include, path

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns.append(path("rotation/", include("kehu.sales.rotation_urls")))
urlpatterns.append(path("", include("kehu.sales.registration_urls")))
urlpatterns.append(path("receptions/", include("kehu.sales.reception_urls")))
