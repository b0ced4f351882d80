"""Pages of the registration book: the book for its readers (audited), my customers with the
not-followed-up list, the registration form with live matching, the PM's queue, the phone book,
follow-ups; outsiders get 404."""

from __future__ import annotations

import re
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Staff
from kehu.sales.models.registration import PhoneEnquiry, Registration, RegistrationConfirmation

from .test_book_support import (  # noqa: F401  (fixtures)
    desk_fixture,
    director_fixture,
    pm_fixture,
    register,
    shanghai,
    west_manager_fixture,
)


def as_(client: Client, staff: Staff) -> Client:
    client.force_login(staff.user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


# --- the book --------------------------------------------------------------------------------


def test_a1_2_the_book_page_shows_every_line_to_the_sales_manager_and_audits_the_read(
    client: Client, li: Staff, zhao: Staff, wang: Staff
) -> None:
    register(li)
    register(zhao, name="刘洋", phone="18657112233")
    response = as_(client, wang).get(reverse("sales:book_index"))
    assert response.status_code == 200
    page = text(response)
    assert "张伟" in page and "刘洋" in page and "138****5678" in page
    assert "13812345678" not in page
    assert AuditEvent.objects.filter(action=AuditAction.BOOK_READ).count() == 1


def test_a1_2_a_salesperson_is_sent_to_their_own_page_which_shows_only_their_lines(
    client: Client, li: Staff, zhao: Staff
) -> None:
    register(li)
    register(zhao, name="刘洋", phone="18657112233")
    response = as_(client, li).get(reverse("sales:book_index"))
    assert response.status_code == 302 and response["Location"] == reverse("sales:book_mine")
    page = text(as_(client, li).get(reverse("sales:book_mine")))
    assert "张伟" in page and "刘洋" not in page
    assert not AuditEvent.objects.filter(action=AuditAction.BOOK_READ).exists()


def test_front_desk_lands_on_the_registration_form(client: Client, desk: Staff) -> None:
    response = as_(client, desk).get(reverse("sales:book_index"))
    assert response["Location"] == reverse("sales:book_register")


def test_outsiders_get_404_for_a_line_and_no_nav_link(
    client: Client, li: Staff, zhao: Staff, west_manager: Staff, chen: Staff
) -> None:
    line = register(li).registration
    for outsider in (zhao, west_manager, chen):
        url = reverse("sales:book_detail", args=[line.pk])
        assert as_(client, outsider).get(url).status_code == 404
        assert (
            as_(client, outsider).get(reverse("sales:book_correct", args=[line.pk])).status_code
            == 404
        )
    assert "张伟" not in text(as_(client, west_manager).get(reverse("sales:book_index")))
    home = text(as_(client, chen).get("/"))
    assert "/sales/book/" not in home
    assert "/sales/book/" in text(as_(client, li).get("/"))


# --- registering with live matching (A7.4) --------------------------------------------------------


def test_live_matching_partial_shows_which_key_matched_the_owner_and_protection(
    client: Client, li: Staff, desk: Staff
) -> None:
    # given 李's customer 张伟 with a BMW 浙A·12345
    with time_machine.travel(shanghai(2026, 11, 1, 10, 0), tick=False):
        register(li, car_brand="宝马", plate="浙A·12345")
    # when the desk types another phone, the surname-only name, the brand and the plate
    with time_machine.travel(shanghai(2026, 11, 11, 10, 0), tick=False):
        response = as_(client, desk).get(
            reverse("sales:book_match"),
            {
                "contact": "1390000",
                "customer_name": "张先生",
                "car_brand": "BMW",
                "plate": "浙A12345",
            },
            HTTP_HX_REQUEST="true",
        )
    # then the partial names the matched key (the car ground), the owner and the days left
    page = text(response)
    assert response.status_code == 200
    assert 'data-keys="car_plate_surname"' in page
    assert "车辆品牌+车牌号+姓氏" in page and "李明" in page
    assert re.search(r"剩 50 天", page)
    assert "<html" not in page


def test_live_matching_full_name_only_says_the_sales_manager_must_confirm(
    client: Client, li: Staff, desk: Staff
) -> None:
    register(li)
    page = text(as_(client, desk).get(reverse("sales:book_match"), {"customer_name": "张伟"}))
    assert 'data-keys="full_name"' in page and "需销售经理确认" in page


def test_live_matching_with_nothing_typed_shows_nothing(client: Client, desk: Staff) -> None:
    assert text(as_(client, desk).get(reverse("sales:book_match"))).strip() == ""


def test_the_form_registers_a_new_customer_and_an_old_one_chosen_among_matches(
    client: Client, li: Staff, desk: Staff
) -> None:
    form = {
        "customer_name": "张伟",
        "contact": "13812345678",
        "receiver": li.pk,
        "source": "朋友介绍",
    }
    with time_machine.travel(shanghai(2026, 11, 20, 10, 2), tick=False):
        response = as_(client, desk).post(reverse("sales:book_register"), form)
    assert response.status_code == 302
    first = Registration.objects.get()
    assert response["Location"] == reverse("sales:book_detail", args=[first.pk])
    # two days later the same visitor typed as new is refused with who and when, and the
    # match is offered; choosing it registers the visit on the same customer
    with time_machine.travel(shanghai(2026, 11, 22, 15, 0), tick=False):
        again = as_(client, desk).post(reverse("sales:book_register"), form)
        assert again.status_code == 400
        page = text(again)
        assert "已由 李明 于 2026-11-20 10:02 登记" in page and 'name="customer_id"' in page
        chosen = as_(client, desk).post(
            reverse("sales:book_register"), {**form, "customer_id": first.customer_id}
        )
    assert chosen.status_code == 302
    assert Registration.objects.filter(customer=first.customer).count() == 2


def test_the_form_page_wires_live_matching_with_htmx(client: Client, desk: Staff) -> None:
    page = text(as_(client, desk).get(reverse("sales:book_register")))
    assert 'hx-get="/sales/book/register/match/"' in page and "delay:400ms" in page
    assert "<script>" not in page and 'style="' not in page


# --- PM queue, detail, correction, verification --------------------------------------------------


def test_pm_confirms_from_the_queue(client: Client, li: Staff, pm: Staff) -> None:
    line = register(li).registration
    page = text(as_(client, pm).get(reverse("sales:book_confirm_queue")))
    assert "张伟" in page
    response = as_(client, pm).post(
        reverse("sales:book_confirm", args=[line.pk]), {"next": "queue"}
    )
    assert response.status_code == 302
    assert RegistrationConfirmation.objects.filter(registration=line).exists()
    assert "没有待确认的登记" in text(as_(client, pm).get(reverse("sales:book_confirm_queue")))
    assert as_(client, li).get(reverse("sales:book_confirm_queue")).status_code == 403


def test_correction_page_appends_a_line(client: Client, li: Staff, wang: Staff) -> None:
    line = register(li, intention="两居").registration
    url = reverse("sales:book_correct", args=[line.pk])
    assert as_(client, li).get(url).status_code == 200
    missing = as_(client, li).post(url, {"customer_name": "张伟", "intention": "三居"})
    assert missing.status_code == 400
    done = as_(client, li).post(
        url,
        {"customer_name": "张伟", "contact": "13812345678", "intention": "三居", "reason": "记错"},
    )
    assert done.status_code == 302
    new = Registration.objects.get(corrects=line)
    detail = text(as_(client, wang).get(reverse("sales:book_detail", args=[new.pk])))
    assert "记错" in detail and f"#{line.pk}" in detail and "registration.correction" in detail


def test_verify_page_for_readers(client: Client, li: Staff, wang: Staff) -> None:
    register(li)
    page = text(as_(client, wang).post(reverse("sales:book_verify")))
    assert "完整" in page and "registration_book" in page
    assert as_(client, li).get(reverse("sales:book_verify")).status_code == 403


# --- phone book and follow-ups -------------------------------------------------------------------


def test_phone_pages(client: Client, li: Staff, zhao: Staff, wang: Staff) -> None:
    response = as_(client, zhao).post(
        reverse("sales:phone_record"),
        {
            "desk_owner": li.pk,
            "caller_name": "刘先生",
            "contact": "13900002222",
            "intention": "问价",
        },
    )
    assert response.status_code == 302
    call = PhoneEnquiry.objects.get()
    assert call.desk_owner == li and call.answered_by == zhao
    assert "刘先生" in text(as_(client, li).get(reverse("sales:phone_index")))
    whole = text(as_(client, wang).get(reverse("sales:phone_index")))
    assert "刘先生" in whole and "代接" in whole
    assert AuditEvent.objects.filter(object_type="sales.phone_book").count() == 1
    assert Registration.objects.count() == 0


def test_follow_up_page_records_and_lists(client: Client, li: Staff, zhao: Staff) -> None:
    customer = register(li).customer
    url = reverse("sales:followup_customer", args=[customer.pk])
    response = as_(client, li).post(url, {"channel": "wechat", "note": "发送样板间视频"})
    assert response.status_code == 302
    assert "发送样板间视频" in text(as_(client, li).get(url))
    assert as_(client, zhao).get(url).status_code == 404


def test_my_customers_page_lists_the_not_followed_up(client: Client, li: Staff) -> None:
    with time_machine.travel(shanghai(2026, 11, 1, 10, 0), tick=False):
        register(li)
    with time_machine.travel(shanghai(2026, 11, 20, 10, 0), tick=False):
        page = text(as_(client, li).get(reverse("sales:book_mine")))
    assert "超过 7 天未跟进" in page and "从未跟进" in page


def test_list_pages_make_the_same_number_of_queries_for_few_and_many_lines(
    client: Client, li: Staff, wang: Staff, pm: Staff
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(staff: Staff, url: str) -> int:
        as_(client, staff)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    pages = [
        (wang, reverse("sales:book_index")),
        (pm, reverse("sales:book_confirm_queue")),
        (li, reverse("sales:book_mine")),
    ]
    for n in range(2):
        register(li, name=f"客户{n}", phone=f"1380000000{n}")
    few = [queries(staff, url) for staff, url in pages]
    for n in range(2, 9):
        register(li, name=f"客户{n}", phone=f"1380000000{n}")
    many = [queries(staff, url) for staff, url in pages]
    assert few == many
