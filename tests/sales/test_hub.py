"""The sales office's start page and the front line's home-page counters."""

from __future__ import annotations

import pytest
from django.test import Client

from kehu.core.org.models import Company, Post, Site, Staff
from kehu.core.web.queues import queue_states_for_staff
from kehu.sales.models.reception import Visit

pytestmark = pytest.mark.django_db


def test_each_post_sees_the_areas_it_may_open(client: Client, li: Staff, wang: Staff) -> None:
    client.force_login(li.user)
    page = client.get("/sales/").content.decode()
    assert "登记来访" in page and "成交与业绩" in page
    assert "撞单裁决" not in page and "导入旧登记本" not in page
    client.force_login(wang.user)
    page = client.get("/sales/").content.decode()
    assert "撞单裁决" in page and "案场报表" in page


def test_the_main_navigation_leads_to_the_sales_start_page(client: Client, li: Staff) -> None:
    client.force_login(li.user)
    home = client.get("/").content.decode()
    assert 'href="/sales/"' in home


def test_today_receptions_count_the_salespersons_visits(
    cast,
    east: Company,
    li: Staff,
    zhao: Staff,  # type: ignore[no-untyped-def]
) -> None:
    site = Site.objects.create(company=east, name="云栖府售楼处")
    desk = cast.staff(east, "前台", Post.RECEPTIONIST, site=site)
    for receiver in (li, li, zhao):
        Visit.objects.create(
            company=east, site=site, arrival="walk_in", receiver=receiver, recorded_by=desk
        )
    counts = {s.queue.key: s.count for s in queue_states_for_staff(staff=li)}
    assert counts["sales.today_receptions"] == 2
    desk_counts = {s.queue.key: s.count for s in queue_states_for_staff(staff=desk)}
    assert desk_counts["sales.today_visitors"] == 3
    assert desk_counts["sales.rotation"] == 3  # none ended yet: all in progress (A2.5)
