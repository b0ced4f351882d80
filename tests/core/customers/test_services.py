"""Registering customers, and the audited reveals of phones and ID numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.customers import services
from kehu.core.customers.errors import CustomerNotFound, RevealDenied
from kehu.core.customers.models import CustomerPhone, FamilyLink
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff

from .conftest import MakeCustomer

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


class TestCreate:
    def test_phones_are_normalised_once_and_duplicates_dropped(self, li: Staff) -> None:
        customer = services.customer_create(
            staff=li,
            data={"name": "张三", "phones": ["138 0013 8000", "+86 13800138000", "010-12345678"]},
        )
        phones = list(customer.phones.values_list("raw", "e164", "last4"))
        assert phones == [
            ("138 0013 8000", "+8613800138000", "8000"),
            ("010-12345678", "+861012345678", "5678"),
        ]
        assert customer.created_by == li
        assert customer.owner is None

    def test_a_phone_alone_is_enough(self, li: Staff) -> None:
        """A7.4: registrations may be incomplete."""
        assert services.customer_create(staff=li, data={"phones": ["13800138000"]}).pk

    def test_neither_name_nor_phone_is_refused(self, li: Staff) -> None:
        with pytest.raises(KehuError) as caught:
            services.customer_create(staff=li, data={"employer": "某公司"})
        assert caught.value.code == "customers.name_or_phone_required"
        assert caught.value.message_zh == "请至少填写客户姓名或一个联系电话。"

    @pytest.mark.parametrize(
        ("phone", "says"),
        [
            ("138001380", "位数不对：大陆手机号应为 11 位，现在是 9 位"),
            ("8888666", "缺少区号"),
            ("138-abc", "含有数字以外的字符"),
        ],
    )
    def test_bad_phone_says_what_is_wrong_and_what_is_expected(
        self, li: Staff, phone: str, says: str
    ) -> None:
        with pytest.raises(KehuError) as caught:
            services.customer_create(staff=li, data={"name": "张三", "phones": [phone]})
        error = caught.value
        assert error.code == "customers.phone_invalid"
        assert says in error.message_zh
        assert "如 010-12345678" in error.message_zh  # the expected format
        assert error.status == 400

    def test_bad_id_number_check_digit(self, li: Staff) -> None:
        with pytest.raises(KehuError) as caught:
            services.customer_create(
                staff=li, data={"name": "张三", "id_number": "110105194912310021"}
            )
        assert caught.value.code == "customers.id_number_invalid"
        assert "校验位" in caught.value.message_zh

    def test_staff_without_write_permission_is_refused(self, cast: object, east: object) -> None:
        from kehu.core.org.posts import Post

        driver = cast.staff(east, "司机", Post.DRIVER)  # type: ignore[attr-defined]
        with pytest.raises(KehuError) as caught:
            services.customer_create(staff=driver, data={"name": "张三"})
        assert caught.value.status == 403

    def test_owner_from_another_company_is_refused(self, li: Staff, chen: Staff) -> None:
        with pytest.raises(KehuError) as caught:
            services.customer_create(staff=li, data={"name": "张三"}, owner=chen)
        assert caught.value.code == "customers.owner_invalid"


class TestUpdateAndPhones:
    def test_update_recomputes_keys(self, li: Staff, make_customer: MakeCustomer) -> None:
        customer = make_customer(li, name="张三")
        updated = services.customer_update(
            staff=li, customer_id=customer.pk, data={"plate": "京A·12345", "car_brand": "宝马"}
        )
        assert (updated.plate_key, updated.car_brand_key) == ("京A12345", "bmw")

    def test_phone_add_and_duplicate(self, li: Staff, make_customer: MakeCustomer) -> None:
        customer = make_customer(li, name="张三", phones=["13800138000"])
        phone = services.customer_phone_add(staff=li, customer_id=customer.pk, phone="010-12345678")
        assert phone.e164 == "+861012345678"
        with pytest.raises(KehuError) as caught:
            services.customer_phone_add(
                staff=li, customer_id=customer.pk, phone="+86 138 0013 8000"
            )
        assert caught.value.code == "customers.phone_duplicate"

    def test_cannot_add_a_phone_to_a_colleagues_customer(
        self, li: Staff, zhao: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(li, name="张三", owner=li)
        with pytest.raises(CustomerNotFound):
            services.customer_phone_add(staff=zhao, customer_id=customer.pk, phone="13800138000")


class TestFamilyAndBatches:
    def test_family_link_is_stored_with_its_inverse(
        self, wang: Staff, make_customer: MakeCustomer
    ) -> None:
        """A7.6: B is A's parent ⇔ A is B's child."""
        son = make_customer(wang, name="张子")
        father = make_customer(wang, name="张父")
        services.family_link_add(
            staff=wang, customer_id=son.pk, relative_id=father.pk, relation="parent"
        )
        links = set(FamilyLink.objects.values_list("customer__name", "relative__name", "relation"))
        assert links == {("张子", "张父", "parent"), ("张父", "张子", "child")}

    def test_family_link_twice_or_to_oneself_is_refused(
        self, wang: Staff, make_customer: MakeCustomer
    ) -> None:
        a = make_customer(wang, name="甲")
        b = make_customer(wang, name="乙")
        services.family_link_add(staff=wang, customer_id=a.pk, relative_id=b.pk, relation="spouse")
        with pytest.raises(KehuError) as twice:
            services.family_link_add(
                staff=wang, customer_id=b.pk, relative_id=a.pk, relation="spouse"
            )
        assert twice.value.code == "customers.family_exists"
        with pytest.raises(KehuError) as self_link:
            services.family_link_add(
                staff=wang, customer_id=a.pk, relative_id=a.pk, relation="sibling"
            )
        assert self_link.value.code == "customers.family_self"

    def test_family_across_companies_is_not_found(
        self, wang: Staff, chen: Staff, make_customer: MakeCustomer
    ) -> None:
        mine = make_customer(wang, name="甲")
        theirs = make_customer(chen, name="乙")
        with pytest.raises(CustomerNotFound):
            services.family_link_add(
                staff=wang, customer_id=mine.pk, relative_id=theirs.pk, relation="spouse"
            )

    def test_batch_needs_two_visible_members(
        self, wang: Staff, chen: Staff, make_customer: MakeCustomer
    ) -> None:
        a = make_customer(wang, name="甲")
        b = make_customer(wang, name="乙")
        outsider = make_customer(chen, name="丙")
        batch = services.visit_batch_create(
            staff=wang, visit_date=dt.date(2026, 5, 1), customer_ids=[a.pk, b.pk], note="一起来的"
        )
        assert set(batch.members.values_list("name", flat=True)) == {"甲", "乙"}
        with pytest.raises(KehuError) as small:
            services.visit_batch_create(
                staff=wang, visit_date=dt.date(2026, 5, 1), customer_ids=[a.pk]
            )
        assert small.value.code == "customers.batch_too_small"
        with pytest.raises(CustomerNotFound):
            services.visit_batch_create(
                staff=wang, visit_date=dt.date(2026, 5, 1), customer_ids=[a.pk, outsider.pk]
            )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


class TestPhoneReveal:
    def test_reveal_returns_the_number_and_audits_who_what_which_field(
        self, li: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(li, name="张三", phones=["13812341234"])
        phone = customer.phones.get()
        revealed = services.customer_phone_reveal(
            staff=li, customer_id=customer.pk, phone_id=phone.pk
        )
        assert revealed.e164 == "+8613812341234"
        assert revealed.national == "13812341234"
        [event] = events(AuditAction.FIELD_REVEAL)
        assert event.actor == li.user
        assert event.company == li.company
        assert event.outcome == AuditOutcome.SUCCESS
        assert (event.object_type, event.object_id) == ("customers.customer", str(customer.pk))
        assert event.detail["field"] == "phone"
        assert event.detail["phone_id"] == phone.pk
        assert "13812341234" not in str(event.detail)  # the trail keeps only the masked form

    def test_denied_reveal_is_audited_and_refused(
        self, qian: Staff, make_customer: MakeCustomer
    ) -> None:
        """The front desk may register customers but not read their full numbers."""
        customer = make_customer(qian, name="张三", phones=["13812341234"])
        phone = customer.phones.get()
        with pytest.raises(RevealDenied) as caught:
            services.customer_phone_reveal(staff=qian, customer_id=customer.pk, phone_id=phone.pk)
        assert caught.value.status == 403
        assert events(AuditAction.FIELD_REVEAL) == []
        [event] = events(AuditAction.PERMISSION_DENIED)
        assert event.outcome == AuditOutcome.DENIED
        assert event.actor == qian.user
        assert event.object_id == str(customer.pk)
        assert event.detail["field"] == "phone"
        assert event.detail["permission"] == "customers.reveal_phone"

    def test_outsider_gets_not_found_and_no_number(
        self, li: Staff, chen: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(li, name="张三", phones=["13812341234"])
        with pytest.raises(CustomerNotFound):
            services.customer_phone_reveal(
                staff=chen, customer_id=customer.pk, phone_id=customer.phones.get().pk
            )

    def test_phone_of_another_customer_is_not_found(
        self, li: Staff, make_customer: MakeCustomer
    ) -> None:
        mine = make_customer(li, name="张三", phones=["13812341234"])
        other = make_customer(li, name="李四", phones=["13912341234"])
        with pytest.raises(KehuError) as caught:
            services.customer_phone_reveal(
                staff=li, customer_id=mine.pk, phone_id=other.phones.get().pk
            )
        assert caught.value.status == 404


class TestIdNumberReveal:
    def test_sales_manager_reveal_is_audited(
        self, wang: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(wang, name="张三", id_number=ID_NUMBER)
        assert services.customer_id_number_reveal(staff=wang, customer_id=customer.pk) == ID_NUMBER
        [event] = events(AuditAction.FIELD_REVEAL)
        assert (event.actor, event.object_id, event.detail["field"]) == (
            wang.user,
            str(customer.pk),
            "id_number",
        )

    def test_salesperson_may_not_reveal_and_the_attempt_is_audited(
        self, li: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(li, name="张三", id_number=ID_NUMBER)
        with pytest.raises(RevealDenied):
            services.customer_id_number_reveal(staff=li, customer_id=customer.pk)
        [event] = events(AuditAction.PERMISSION_DENIED)
        assert (event.outcome, event.detail["field"]) == (AuditOutcome.DENIED, "id_number")
        assert event.detail["permission"] == "customers.reveal_id_number"


def test_phone_rows_carry_the_customers_company(li: Staff, make_customer: MakeCustomer) -> None:
    customer = make_customer(li, name="张三", phones=["13800138000"])
    assert CustomerPhone.objects.get(customer=customer).company_id == li.company_id
