"""URLs of the appeal pages (A4 四.七). ``kehu.discipline.urls`` includes them under
``appeals/`` in the namespace "discipline", so names are ``discipline:appeal_*``."""

from django.urls import URLPattern, path

from kehu.discipline import appeals_views as views

urlpatterns: list[URLPattern] = [
    path("", views.appeal_mine, name="appeal_mine"),
    path("queue/", views.appeal_queue, name="appeal_queue"),
    path("new/", views.appeal_create, name="appeal_create"),
    path("<int:appeal_id>/", views.appeal_detail, name="appeal_detail"),
    path("<int:appeal_id>/uphold/", views.appeal_uphold, name="appeal_uphold"),
    path("<int:appeal_id>/reject/", views.appeal_reject, name="appeal_reject"),
    path("<int:appeal_id>/escalate/", views.appeal_escalate, name="appeal_escalate"),
    path("<int:appeal_id>/withdraw/", views.appeal_withdraw, name="appeal_withdraw"),
    path("<int:appeal_id>/evidence/", views.appeal_evidence_add, name="appeal_evidence_add"),
    path("<int:appeal_id>/findings/", views.appeal_findings, name="appeal_findings"),
    path(
        "<int:appeal_id>/evidence/<int:evidence_id>/file/",
        views.appeal_evidence_file,
        name="appeal_evidence_file",
    ),
]
