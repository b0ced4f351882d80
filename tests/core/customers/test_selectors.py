"""Who sees which customers, search (phone, name, plate, pinyin) and A7.4 matching."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.core.customers import selectors
from kehu.core.customers.errors import CustomerNotFound
from kehu.core.customers.rules import IdentityKey
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff

from .conftest import MakeCustomer

pytestmark = pytest.mark.django_db


def names(staff: Staff, query: str = "") -> list[str]:
    return [c.name for c in selectors.customer_list_for_user(staff, query=query)]


class TestVisibility:
    def test_salesperson_sees_only_own_customers(
        self, li: Staff, zhao: Staff, wang: Staff, make_customer: MakeCustomer
    ) -> None:
        """A1.2 / A7.21: a salesperson sees only their own customers; the manager reads all."""
        make_customer(wang, name="李的客户", owner=li)
        make_customer(wang, name="赵的客户", owner=zhao)
        assert names(li) == ["李的客户"]
        assert names(zhao) == ["赵的客户"]
        assert sorted(names(wang)) == ["李的客户", "赵的客户"]

    def test_registrar_sees_an_unowned_customer_until_an_owner_is_decided(
        self, li: Staff, zhao: Staff, make_customer: MakeCustomer
    ) -> None:
        from kehu.core.customers.services import customer_owner_set

        customer = make_customer(li, name="张三")
        assert names(li) == ["张三"] and names(zhao) == []
        customer_owner_set(company_id=li.company_id, customer_id=customer.pk, owner=zhao)
        assert names(li) == [] and names(zhao) == ["张三"]

    def test_another_company_sees_nothing_and_gets_not_found(
        self, wang: Staff, chen: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(wang, name="张三", phones=["13800138000"])
        assert names(chen) == []
        assert names(chen, "13800138000") == []
        with pytest.raises(CustomerNotFound) as caught:
            selectors.customer_get_for_user(chen, customer.pk)
        assert caught.value.status == 404

    def test_other_salesperson_gets_not_found_for_a_colleagues_customer(
        self, li: Staff, zhao: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(li, name="张三", owner=li)
        with pytest.raises(CustomerNotFound):
            selectors.customer_get_for_user(zhao, customer.pk)


class TestSearch:
    @pytest.fixture
    def book(self, wang: Staff, make_customer: MakeCustomer) -> None:
        make_customer(wang, name="张三", phones=["13800138000"], plate="京A·12345")
        make_customer(wang, name="张三丰", phones=["0571-88886666"])
        make_customer(wang, name="李四", phones=["13912345678"], car_brand="宝马", plate="沪B99999")
        make_customer(wang, name="欧阳修")

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("zs", ["张三", "张三丰"]),  # pinyin initials
            ("ZS", ["张三", "张三丰"]),
            ("zsf", ["张三丰"]),
            ("zhangsan", ["张三", "张三丰"]),  # full pinyin
            ("zhang san", ["张三", "张三丰"]),
            ("zhangs", ["张三", "张三丰"]),  # partial
            ("oyx", ["欧阳修"]),
            ("张", ["张三", "张三丰"]),  # name prefix
            ("张三丰", ["张三丰"]),
            ("+86 138-0013-8000", ["张三"]),  # phone in another format
            ("138 0013 8000", ["张三"]),
            ("8000", ["张三"]),  # 尾号 last four
            ("6666", ["张三丰"]),
            ("1391234", ["李四"]),  # start of a number
            ("0571-8888", ["张三丰"]),
            ("京A12345", ["张三"]),  # plate, separators ignored
            ("京a·123", ["张三"]),
            ("王五", []),
            ("99", []),
        ],
    )
    def test_query(self, book: None, wang: Staff, query: str, expected: list[str]) -> None:
        assert sorted(names(wang, query)) == sorted(expected)

    def test_search_stays_within_what_the_caller_may_see(
        self, book: None, li: Staff, make_customer: MakeCustomer
    ) -> None:
        make_customer(li, name="张小明", owner=li)
        assert names(li, "zs") == []
        assert names(li, "zxm") == ["张小明"]


class TestMatchA74:
    def test_each_key_is_reported_in_one_query(
        self, wang: Staff, li: Staff, make_customer: MakeCustomer
    ) -> None:
        by_phone = make_customer(wang, name="王二", phones=["13800138000"], owner=li)
        by_car = make_customer(wang, name="张三", car_brand="BMW", plate="京A12345")
        by_name = make_customer(wang, name="张先", phones=["13700000000"])
        make_customer(wang, name="李四", car_brand="BMW", plate="京A12345")  # other surname
        with CaptureQueriesContext(connection) as queries:
            matches = selectors.customer_match(
                wang.company,
                phone="+86 138 0013 8000",
                name="张先",
                plate="京A·12345",
                car_brand="宝马",
            )
        assert len(queries) == 1
        found = {m.customer.pk: m.match for m in matches}
        assert set(found) == {by_phone.pk, by_car.pk, by_name.pk}
        assert found[by_phone.pk].keys == (IdentityKey.PHONE,)
        assert found[by_car.pk].keys == (IdentityKey.CAR_PLATE_SURNAME,)
        assert found[by_name.pk].keys == (IdentityKey.FULL_NAME,)
        assert found[by_name.pk].needs_confirmation
        assert all("A7.4" in m.rule_ids for m in found.values())
        # the owner comes with the match (select_related), for "already registered by 李明"
        assert next(m for m in matches if m.customer.pk == by_phone.pk).customer.owner == li

    def test_full_name_alone_decides_under_that_policy(
        self, wang: Staff, make_customer: MakeCustomer
    ) -> None:
        make_customer(wang, name="张三")
        [match] = selectors.customer_match(wang.company, name="张 三", full_name_alone="decides")
        assert match.match.decides

    def test_match_is_per_company(
        self, wang: Staff, chen: Staff, make_customer: MakeCustomer
    ) -> None:
        make_customer(wang, name="张三", phones=["13800138000"])
        assert selectors.customer_match(chen.company, phone="13800138000", name="张三") == []

    def test_results_in_registration_order_first_wins(
        self, wang: Staff, make_customer: MakeCustomer
    ) -> None:
        """A1.5: the first registration wins, so the earliest comes first."""
        first = make_customer(wang, name="张三", phones=["13800138000"])
        second = make_customer(wang, name="张叁", phones=["138-0013-8000"])
        matches = selectors.customer_match(wang.company, phone="13800138000")
        assert [m.customer.pk for m in matches] == [first.pk, second.pk]

    def test_bad_phone_is_a_clear_error(self, wang: Staff) -> None:
        with pytest.raises(KehuError) as caught:
            selectors.customer_match(wang.company, phone="138001380")
        assert caught.value.code == "customers.phone_invalid"
        assert "11 位" in caught.value.message_zh

    def test_nothing_to_match_on_matches_nothing(self, wang: Staff) -> None:
        assert selectors.customer_match(wang.company, name="张先生") == []


class TestFamilyGroups:
    def test_family_and_batch_members_form_one_group(
        self, wang: Staff, make_customer: MakeCustomer
    ) -> None:
        """A7.6 / A7.14: a family, or a batch visiting together, is one customer."""
        import datetime as dt

        from kehu.core.customers.services import family_link_add, visit_batch_create

        father = make_customer(wang, name="张父")
        son = make_customer(wang, name="张子")
        friend = make_customer(wang, name="王友")
        stranger = make_customer(wang, name="路人")
        family_link_add(staff=wang, customer_id=son.pk, relative_id=father.pk, relation="parent")
        visit_batch_create(
            staff=wang, visit_date=dt.date(2026, 5, 1), customer_ids=[father.pk, friend.pk]
        )
        group = selectors.customer_group(company=wang.company, customer_id=son.pk)
        assert group.members == {son.pk, father.pk, friend.pk}
        assert stranger.pk not in group.members
        # the family is reached by family links alone: the father's batch companion is not in it
        assert group.family == {son.pk, father.pk}
        assert selectors.customer_group(company=wang.company, customer_id=friend.pk).family == {
            friend.pk
        }


class TestMatchIds:
    """``customer_match_ids``: the same customers, keys and phones as ``customer_match``, as ids
    (registering a visit: a common name matches hundreds, and only their ids are kept)."""

    def test_ids_are_the_same_customers_keys_and_phones_as_the_full_match(
        self, wang: Staff, li: Staff, make_customer: MakeCustomer
    ) -> None:
        make_customer(wang, name="张伟", phones=["13800000001"], owner=li)
        second = make_customer(wang, name="张伟", phones=["13800000002"])
        make_customer(wang, name="王芳", phones=["13800000003"], car_brand="宝马", plate="沪A12345")
        for query in (
            {"name": "张伟", "phone": "13800000002"},
            {"name": "张伟"},
            {"name": "张伟", "exclude_customer_id": second.pk},
            {"plate": "沪A·12345", "car_brand": "BMW", "name": "王芳"},
            {"name": "张伟", "full_name_alone": "decides"},
        ):
            full = selectors.customer_match(wang.company_id, **query)
            ids = selectors.customer_match_ids(wang.company_id, **query)
            assert [(m.customer_id, m.match) for m in ids] == [
                (m.customer.pk, m.match) for m in full
            ], query
            assert [m.matched_phone for m in ids] == [
                getattr(m.customer, "matched_phone", None) for m in full
            ], query

    def test_namesakes_of_every_shape_in_one_match_get_each_their_own_grounds(
        self, wang: Staff, make_customer: MakeCustomer
    ) -> None:
        # given many files sharing the name, some also the phone or the car, one the car only
        for i in range(4):
            make_customer(wang, name="张伟", phones=[f"1380000010{i}"])
        make_customer(wang, name="张伟", phones=["13800000002"])
        make_customer(wang, name="张伟", car_brand="宝马", plate="沪A12345")
        make_customer(wang, name="张伟", phones=["13800000002"], car_brand="宝马", plate="沪A12345")
        make_customer(wang, name="张伟", car_brand="奔驰", plate="沪A12345")
        make_customer(wang, name="张三", car_brand="宝马", plate="沪A12345")
        make_customer(wang, name="李四", car_brand="宝马", plate="沪A12345")
        for query in (
            {"name": "张伟", "phone": "13800000002", "car_brand": "BMW", "plate": "沪A·12345"},
            {"name": "张伟", "car_brand": "宝马", "plate": "沪A12345"},
            {"name": "张伟"},
            {"phone": "13800000002"},
        ):
            # then each file's grounds are what the full match finds for it
            full = selectors.customer_match(wang.company_id, **query)
            ids = selectors.customer_match_ids(wang.company_id, **query)
            assert [(m.customer_id, m.match, m.matched_phone) for m in ids] == [
                (m.customer.pk, m.match, getattr(m.customer, "matched_phone", None)) for m in full
            ], query
        # and the first query saw every shape of match at once
        first = selectors.customer_match_ids(
            wang.company_id, name="张伟", phone="13800000002", car_brand="宝马", plate="沪A12345"
        )
        name, phone, car = "full_name", "phone", "car_plate_surname"
        assert {m.match.keys for m in first} == {
            (name,),
            (name, phone),
            (name, car),
            (name, phone, car),
            (car,),
        }

    def test_ids_are_one_narrow_statement_without_the_owner(
        self, wang: Staff, li: Staff, make_customer: MakeCustomer
    ) -> None:
        made = make_customer(wang, name="张伟", phones=["13800000001"], owner=li)
        with CaptureQueriesContext(connection) as captured:
            (found,) = selectors.customer_match_ids(wang.company_id, name="张伟")
        assert len(captured.captured_queries) == 1
        assert "org_staff" not in captured.captured_queries[0]["sql"]
        assert found.customer_id == made.pk and found.match.needs_confirmation
