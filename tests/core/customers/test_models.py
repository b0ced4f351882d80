"""Keys are derived on write; the ID number is stored encrypted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from kehu.core.customers.crypto import FieldDecryptionError
from kehu.core.customers.models import Customer
from kehu.core.org.models import Staff

from .conftest import MakeCustomer

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


def raw_row(customer: Customer) -> str:
    """Every column of the customer's row as the database stores it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {Customer._meta.db_table} WHERE id = %s",
            [customer.pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return "|".join(str(value) for value in row)


class TestIdNumberAtRest:
    def test_raw_row_never_contains_the_id_number(
        self, li: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(li, name="张三", id_number=ID_NUMBER.lower())
        stored = raw_row(customer)
        assert ID_NUMBER not in stored
        assert ID_NUMBER.lower() not in stored
        assert "19491231" not in stored  # not even the birth date
        assert "110105********002X" in stored  # the masked form is kept for display

    def test_decrypts_with_the_key_and_not_without(
        self, li: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = Customer.objects.get(pk=make_customer(li, name="张三", id_number=ID_NUMBER).pk)
        assert customer.get_id_number() == ID_NUMBER
        with (
            override_settings(FIELD_ENCRYPTION_KEY="another-key"),
            pytest.raises(FieldDecryptionError),
        ):
            customer.get_id_number()

    def test_old_key_still_reads_after_rotation(
        self, li: Staff, make_customer: MakeCustomer
    ) -> None:
        with override_settings(FIELD_ENCRYPTION_KEY="old-key"):
            customer = make_customer(li, name="张三", id_number=ID_NUMBER)
        with override_settings(
            FIELD_ENCRYPTION_KEY="new-key", FIELD_ENCRYPTION_KEYS_PREVIOUS=["old-key"]
        ):
            assert Customer.objects.get(pk=customer.pk).get_id_number() == ID_NUMBER


class TestKeysOnWrite:
    def test_save_derives_every_key(self, li: Staff, make_customer: MakeCustomer) -> None:
        customer = make_customer(li, name="欧阳 修", car_brand="寶馬", plate="京a·12345")
        assert customer.full_name_key == "欧阳修"
        assert customer.surname == "欧阳"
        assert (customer.pinyin_initials, customer.pinyin_full) == ("oyx", "ouyangxiu")
        assert (customer.car_brand_key, customer.plate_key) == ("bmw", "京A12345")

    def test_keys_follow_an_edit(self, li: Staff, make_customer: MakeCustomer) -> None:
        customer = make_customer(li, name="张三")
        customer.name = "李四"
        customer.save(update_fields=["name"])
        customer.refresh_from_db()
        assert (customer.full_name_key, customer.surname, customer.pinyin_initials) == (
            "李四",
            "李",
            "ls",
        )
