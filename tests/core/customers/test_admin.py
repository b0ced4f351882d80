"""The back office shows phones and ID numbers masked, never decrypted."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kehu.core.org.models import Staff

from .conftest import MakeCustomer

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def admin_client_() -> Client:
    user = get_user_model().objects.create_superuser("root", password="kehu-test-pass-2026")
    client = Client()
    client.force_login(user)
    return client


def test_changelist_and_change_page_are_masked(
    admin_client_: Client, li: Staff, make_customer: MakeCustomer
) -> None:
    customer = make_customer(li, name="张三", phones=[PHONE], id_number=ID_NUMBER)
    for url in ("/admin/customers/customer/", f"/admin/customers/customer/{customer.pk}/change/"):
        response = admin_client_.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "138****1234" in html
        assert PHONE not in html and ID_NUMBER not in html
        assert customer.id_number_encrypted not in html


def test_batch_and_family_admin_pages_render(admin_client_: Client) -> None:
    for url in ("/admin/customers/visitbatch/", "/admin/customers/familylink/"):
        assert admin_client_.get(url).status_code == 200
