"""Pages of the registration book, the phone-enquiry book and follow-ups, in the "sales"
namespace: ``book_*`` under /sales/book/, ``phone_*`` under /sales/phone/, ``followup_*`` under
/sales/followups/. Importing this module also registers the home-page queue counters
(``sales.registrations_to_confirm``, ``sales.register_book``, ``sales.follow_ups_due``,
``sales.registrations_due``) defined in ``registration_selectors``.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from kehu.sales import registration_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("book/", views.book_index, name="book_index"),
    path("book/mine/", views.book_mine, name="book_mine"),
    path("book/register/", views.book_register, name="book_register"),
    path("book/register/match/", views.book_match, name="book_match"),
    path("book/confirm/", views.book_confirm_queue, name="book_confirm_queue"),
    path("book/verify/", views.book_verify, name="book_verify"),
    path("book/<int:registration_id>/", views.book_detail, name="book_detail"),
    path("book/<int:registration_id>/correct/", views.book_correct, name="book_correct"),
    path("book/<int:registration_id>/confirm/", views.book_confirm, name="book_confirm"),
    path("phone/", views.phone_index, name="phone_index"),
    path("phone/new/", views.phone_record, name="phone_record"),
    path("followups/<int:customer_id>/", views.followup_customer, name="followup_customer"),
]
