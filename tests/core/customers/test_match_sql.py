"""The hand-written A7.4 statement (``match_sql``): built once per shape, values only as
parameters, the company condition written for each backend, one query per match."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.core.customers import match_sql, rules, selectors
from kehu.core.org.models import Staff

from .conftest import MakeCustomer

pytestmark = pytest.mark.django_db


def keys(**raw: object) -> rules.IdentityKeys:
    return rules.IdentityKeys.from_raw(**raw)  # type: ignore[arg-type]


class TestStatement:
    def test_one_statement_per_shape_whatever_the_values(self, wang: Staff) -> None:
        """Given two candidates of the same shape, the SQL is the same cached string."""
        a_sql, a_params = match_sql.match_statement(
            wang.company_id, keys(name="张三", phones=["13800138000"]), connection=connection
        )
        b_sql, b_params = match_sql.match_statement(
            wang.company_id, keys(name="李四", phones=["13900139000"]), connection=connection
        )
        assert a_sql is b_sql
        assert a_params != b_params
        c_sql, _ = match_sql.match_statement(
            wang.company_id,
            keys(name="李四", phones=["13900139000", "13700137000"]),
            connection=connection,
        )
        assert c_sql != a_sql  # two phones: another shape

    def test_values_are_parameters_never_sql(self, wang: Staff) -> None:
        candidate = keys(
            name="O'Brien; DROP TABLE x", phones=["13800138000"], car_brand="宝马", plate="京A1"
        )
        sql, params = match_sql.match_statement(
            wang.company_id, candidate, exclude_customer_id=99, connection=connection
        )
        for value in (candidate.full_name, "+8613800138000", "京A1", "bmw", "99"):
            assert value not in sql
            assert value in [str(p) for p in params.values()]
        assert set(re.findall(r"%\((\w+)\)s", sql)) == set(params)
        assert "%s" not in sql

    def test_company_condition_is_written_for_the_backend(self, wang: Staff) -> None:
        """SQLite needs ``company_id + 0`` (or it walks the company); PostgreSQL needs the plain
        condition (or it misestimates the company's size)."""
        sql, _ = match_sql.match_statement(wang.company_id, keys(name="张三"))
        if connection.vendor == "sqlite":
            assert "c.company_id + 0 = %(company)s" in sql
        else:
            assert "c.company_id = %(company)s" in sql
            assert "+ 0" not in sql

    def test_a_candidate_without_keys_has_no_statement(self) -> None:
        shape = match_sql.MatchShape.of("sqlite", keys(name="张先生"), None)
        with pytest.raises(ValueError, match="without keys"):
            match_sql._build_sql(shape, connection.ops.quote_name)


class TestOneQuery:
    def test_many_matches_one_query_owners_included(
        self, wang: Staff, li: Staff, zhao: Staff, make_customer: MakeCustomer
    ) -> None:
        """Given 30 customers called 张伟 with owners, matching costs one query, and reading
        each match's owner costs none."""
        for i in range(30):
            make_customer(
                wang, name="张伟", phones=[f"1380000{i:04d}"], owner=(li, zhao, None)[i % 3]
            )
        with CaptureQueriesContext(connection) as queries:
            matches = selectors.customer_match(
                wang.company, name="张伟", phones=["13800000001", "13800000002"]
            )
            owners = [m.customer.owner for m in matches]
        assert len(queries) == 1
        assert len(matches) == 30
        assert owners.count(None) == 10
        assert {o.name for o in owners if o is not None} == {"李明", "赵强"}
        phones = [m.match.matched_phones for m in matches if m.match.matched_phones]
        assert phones == [("+8613800000001",), ("+8613800000002",)]

    def test_a_name_with_quotes_is_matched_as_typed(
        self, wang: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(wang, name="O'Brien %s")
        [found] = selectors.customer_match(wang.company, name="o'brien %s")
        assert found.customer.pk == customer.pk
        assert found.match.needs_confirmation

    def test_nothing_to_match_on_costs_no_query(self, wang: Staff) -> None:
        with CaptureQueriesContext(connection) as queries:
            assert selectors.customer_match(wang.company, name="王女士", plate="京A12345") == []
        assert len(queries) == 0
