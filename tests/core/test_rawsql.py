"""``kehu.core.rawsql``: the hot paths' plain statements write and read what the ORM would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from kehu.core import rawsql
from kehu.core.org.models import Company, Site, SiteKind

pytestmark = pytest.mark.django_db


def test_insert_reads_back_the_id_and_writes_every_field(east: Company) -> None:
    site = rawsql.insert(Site(company=east, name="湖畔售楼处", kind=SiteKind.SALES_OFFICE))
    assert site.pk is not None and not site._state.adding
    stored = Site.objects.get(pk=site.pk)
    assert (stored.company_id, stored.name, stored.kind, stored.address) == (
        east.pk,
        "湖畔售楼处",
        SiteKind.SALES_OFFICE,
        "",  # the field's default, applied when the instance was built
    )


def test_insert_is_one_statement_and_a_broken_constraint_still_raises(east: Company) -> None:
    with CaptureQueriesContext(connection) as captured:
        rawsql.insert(Site(company=east, name="一号", kind=SiteKind.SALES_OFFICE))
    assert len(captured.captured_queries) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        rawsql.insert(Site(company=east, name="一号", kind=SiteKind.OFFICE))


def test_insert_many_reads_back_each_rows_id_in_order_when_asked(east: Company) -> None:
    sites = [Site(company=east, name=f"{n}号楼", kind=SiteKind.OFFICE) for n in range(1, 8)]
    with CaptureQueriesContext(connection) as captured:
        rawsql.insert_many(Site, sites, batch=3, read_ids=True)
    assert len(captured.captured_queries) == 3  # 3 + 3 + 1
    assert all(s.pk is not None and not s._state.adding for s in sites)
    stored = dict(Site.objects.filter(company=east).values_list("pk", "name"))
    assert [stored[s.pk] for s in sites] == [f"{n}号楼" for n in range(1, 8)]


def test_update_writes_only_the_named_fields(east: Company) -> None:
    site = Site.objects.create(company=east, name="旧名", kind=SiteKind.OFFICE, address="旧址")
    site.name, site.address = "新名", "新址"
    assert rawsql.update(site, ["name"]) == 1
    stored = Site.objects.get(pk=site.pk)
    assert (stored.name, stored.address) == ("新名", "旧址")


def test_select_and_rows_read_the_same_rows_as_the_orm(east: Company) -> None:
    made = [
        Site.objects.create(company=east, name=f"站点{i}", kind=SiteKind.OFFICE) for i in range(3)
    ]
    found = rawsql.select(Site, "company_id = %s", [east.pk], order_by="id", lock=True)
    assert [s.pk for s in found] == [s.pk for s in made]
    assert isinstance(found[0], Site) and found[0].name == "站点0"
    rows = rawsql.rows(
        Site,
        f"SELECT id, name FROM {rawsql.table(Site)} WHERE company_id = %s ORDER BY id",
        [east.pk],
    )
    assert rows == [(s.pk, s.name) for s in made]
    sql, params = rawsql.in_list([])
    assert (sql, params) == ("(NULL)", [])


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-27 02:00:00.250000",  # SQLite: the text the ORM wrote, naive UTC
        dt.datetime(2026, 11, 27, 10, 0, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ],
)
def test_datetime_value_is_aware_and_the_same_moment(value: str | dt.datetime) -> None:
    moment = rawsql.datetime_value(value)
    assert moment == dt.datetime(2026, 11, 27, 2, 0, 0, 250000, tzinfo=dt.UTC)
    assert moment.tzinfo is not None
