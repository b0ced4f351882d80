"""Complaint pages: the desk, intake by any unit, one-click actions, the dashboard and its export,
work orders and callbacks, needs; outsiders get 404."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.complaints.models import Complaint, WorkOrder
from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Company, Department, Post, Staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineering(west: Company) -> Department:
    return Department.objects.create(company=west, name="工程部")


@pytest.fixture
def fitter(cast, west: Company, engineering: Department) -> Staff:  # type: ignore[no-untyped-def]
    return cast.staff(west, "周工", Post.REPAIRMAN, department=engineering)


@pytest.fixture
def clerk(cast, west: Company) -> Staff:  # type: ignore[no-untyped-def]
    return cast.staff(west, "吴营业", Post.BUSINESS_CLERK)


FORM = {
    "channel": "department",
    "customer_name": "刘女士",
    "category": "燃气表",
    "subject": "燃气表走字快",
    "description": "客户反映燃气表走字异常",
    "place": "3栋",
}


def take(client: Client, staff: Staff, **extra: str) -> Complaint:
    client.force_login(staff.user)
    response = client.post("/complaints/new/", {**FORM, **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Complaint.objects.latest("pk")


def test_a3_any_unit_takes_a_complaint_through_the_form_and_sees_its_deadline(
    client: Client, clerk: Staff
) -> None:
    complaint = take(client, clerk)
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "燃气表走字快" in page
    assert "转客服中心" in page  # the one action the clerk may take
    assert "拒绝" not in page and "退回" not in page  # one-stop: nothing to refuse with


def test_a3_a_missing_field_is_said_on_the_form_and_nothing_is_written(
    client: Client, clerk: Staff
) -> None:
    client.force_login(clerk.user)
    response = client.post("/complaints/new/", {**FORM, "description": ""})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_the_desk_shows_queues_by_stage_and_one_click_actions_move_the_complaint(
    client: Client, clerk: Staff, chen: Staff, engineering: Department
) -> None:
    complaint = take(client, clerk)
    client.post(f"/complaints/{complaint.pk}/action/", {"action": "forward"})
    client.force_login(chen.user)
    desk = client.get("/complaints/").content.decode()
    assert 'id="stage-at_service"' in desk and "燃气表走字快" in desk and "tag-ok" in desk
    response = client.post(
        f"/complaints/{complaint.pk}/action/",
        {"action": "dispatch", "department": engineering.pk},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.stage == "dispatched" and complaint.department == engineering


def test_a_refused_step_is_a_message_not_a_change(
    client: Client, clerk: Staff, chen: Staff
) -> None:
    complaint = take(client, clerk)
    client.force_login(chen.user)
    response = client.post(
        f"/complaints/{complaint.pk}/action/", {"action": "tell_customer"}, follow=True
    )
    assert "不能" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.stage == "received"


def test_the_department_inbox_lists_what_it_must_answer(
    client: Client, clerk: Staff, chen: Staff, fitter: Staff, engineering: Department
) -> None:
    complaint = take(client, clerk)
    client.post(f"/complaints/{complaint.pk}/action/", {"action": "forward"})
    client.force_login(chen.user)
    client.post(
        f"/complaints/{complaint.pk}/action/", {"action": "dispatch", "department": engineering.pk}
    )
    client.force_login(fitter.user)
    assert "燃气表走字快" in client.get("/complaints/inbox/").content.decode()


def test_outsiders_get_404(
    client: Client, clerk: Staff, fitter: Staff, cast, east: Company
) -> None:  # type: ignore[no-untyped-def]
    complaint = take(client, clerk)
    client.force_login(fitter.user)
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 404
    outsider = cast.staff(east, "外客服", Post.CUSTOMER_SERVICE)
    client.force_login(outsider.user)
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 404
    assert (
        client.post(f"/complaints/{complaint.pk}/action/", {"action": "forward"}).status_code == 404
    )


def test_the_dashboard_and_its_audited_export(
    client: Client, clerk: Staff, cast, west: Company
) -> None:  # type: ignore[no-untyped-def]
    take(client, clerk)
    assert client.get("/complaints/dashboard/").status_code == 403
    boss = cast.staff(west, "钱经理", Post.MANAGER)
    client.force_login(boss.user)
    page = client.get("/complaints/dashboard/").content.decode()
    assert "complaints-trend-chart" in page
    export = client.get("/complaints/dashboard/export/")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    rows = list(book["投诉台账"].iter_rows(values_only=True))
    assert rows[1][6] == "燃气表走字快"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=boss.user).exists()


def test_a4_a9_work_order_callback_through_the_pages(
    client: Client, clerk: Staff, chen: Staff, fitter: Staff
) -> None:
    take(client, clerk, leak="on", address="3栋201", category="漏气")
    order = WorkOrder.objects.get()
    assert order.urgent
    client.force_login(fitter.user)
    client.post(f"/complaints/work-orders/{order.pk}/complete/")
    client.force_login(chen.user)
    page = client.get("/complaints/work-orders/").content.decode()
    assert "记录回访" in page
    client.post(
        f"/complaints/work-orders/{order.pk}/callback/", {"satisfied": "0", "note": "仍有味"}
    )
    order.refresh_from_db()
    assert order.status == "open" and order.reopened_count == 1


def test_a11_needs_page_records_and_routes(client: Client, chen: Staff) -> None:
    client.force_login(chen.user)
    response = client.post(
        "/complaints/needs/", {"text": "想了解团购", "need_class": "business"}, follow=True
    )
    assert "e家网商务服务部门" in response.content.decode()


def test_english_page_uses_the_engines_english_labels(
    client: Client, clerk: Staff, chen: Staff
) -> None:
    complaint = take(client, clerk)
    client.force_login(chen.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "Pass to customer service" in page


def test_a3_the_customer_page_lists_the_customers_complaints_for_customer_service(
    client: Client, clerk: Staff, chen: Staff
) -> None:
    """The kernel's customer page carries customer service's section (``customer_panels``):
    the customer's complaints, open first, and the link to the whole history."""
    from kehu.complaints.services import complaint_receive
    from kehu.core.customers.models import Customer

    customer = Customer.objects.create(company=chen.company, name="刘女士", created_by=chen)
    complaint = complaint_receive(
        actor=clerk, customer_id=customer.pk, **{k: v for k, v in FORM.items() if k != "place"}
    )
    client.force_login(chen.user)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "投诉与服务" in page and f"/complaints/{complaint.pk}/" in page
    assert f"/complaints/customer/{customer.pk}/" in page and "燃气表走字快" in page
