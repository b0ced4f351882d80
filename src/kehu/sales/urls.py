from django.urls import URLPattern, URLResolver, include, path

from kehu.sales import hub_views

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns.append(path("", hub_views.sales_hub, name="hub"))
urlpatterns.append(path("rotation/", include("kehu.sales.rotation_urls")))
urlpatterns.append(path("", include("kehu.sales.registration_urls")))
urlpatterns.append(path("receptions/", include("kehu.sales.reception_urls")))
urlpatterns.append(path("disputes/", include("kehu.sales.dispute_urls")))
urlpatterns.append(path("deals/", include("kehu.sales.deal_urls")))
urlpatterns.append(path("channel/", include("kehu.sales.channel_urls")))
urlpatterns.append(path("pool/", include("kehu.sales.pool_urls")))
urlpatterns.append(path("alerts/", include("kehu.sales.alert_urls")))
urlpatterns.append(path("reports/", include("kehu.sales.report_urls")))
urlpatterns.append(path("import/", include("kehu.sales.import_urls")))
