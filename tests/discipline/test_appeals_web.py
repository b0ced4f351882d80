"""The appeal pages (A4 四.七): 我的申诉, 待我处理的申诉, the appeal with its timeline, and the
action forms shown only to whom they apply. Pages extend base.html and carry no inline script
or style (the CSP forbids both)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kehu.core.org.models import Staff
from kehu.discipline import appeals_services as services
from kehu.discipline.models import Appeal, DisciplineEntry

from .test_appeals_support import (  # noqa: F401  (the *_fixture names register fixtures)
    Org,
    appeal_urls_fixture,
    criticism,
    frozen_fixture,
    media_fixture,
    org_fixture,
    pdf,
)

pytestmark = pytest.mark.usefixtures("frozen", "appeal_urls")

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def page(client: Client, staff: Staff, name: str, *args: object, query: str = "") -> str:
    client.force_login(staff.user)
    response = client.get(reverse(f"discipline:{name}", args=args) + query)
    assert response.status_code == 200, response.content.decode()[:500]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html) and " style=" not in html
    return html


def forms_in(html: str) -> set[str]:
    """Which action forms a page shows, by the URL they post to."""
    return {
        match.split("/")[-2]
        for match in re.findall(r'(?:action|formaction)="(/discipline/appeals/\d+/\w+/)"', html)
    }


def file_appeal(org: Org) -> Appeal:
    return services.appeal_submit(
        appellant=org.li,
        entry_id=criticism(org).pk,
        statement="资料已按时交回",
        evidence_text="前台签收记录",
        files=[pdf()],
    )


def test_li_files_an_appeal_from_the_entry_with_a_file(org: Org, client: Client) -> None:
    entry = criticism(org)
    # Given 李 follows the 申诉 link of his criticism
    html = page(client, org.li, "appeal_create", query=f"?entry={entry.pk}")
    assert "客户登记资料未按时交回" in html and 'enctype="multipart/form-data"' in html
    assert "主管领导 杨经理" in html
    # When he submits a statement and a file
    response = client.post(
        reverse("discipline:appeal_create"),
        {"entry": entry.pk, "statement": "资料已交前台", "evidence_text": "", "files": [pdf()]},
    )
    # Then the appeal exists and he lands on it
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("discipline:appeal_detail", args=[appeal.pk])
    html = page(client, org.li, "appeal_detail", appeal.pk)
    assert "考勤记录.pdf" in html and "杨经理" in html and "主管领导协调中" in html


def test_an_appeal_without_evidence_shows_the_reason_on_the_form(org: Org, client: Client) -> None:
    entry = criticism(org)
    client.force_login(org.li.user)
    response = client.post(
        reverse("discipline:appeal_create"),
        {"entry": entry.pk, "statement": "我不服", "evidence_text": ""},
    )
    assert response.status_code == 422
    assert "必须同时提供具体的事实依据" in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_create_page_without_an_entry_goes_to_my_appeals(org: Org, client: Client) -> None:
    client.force_login(org.li.user)
    response = client.get(reverse("discipline:appeal_create"))
    assert response["Location"] == reverse("discipline:appeal_mine")


def test_someone_elses_entry_cannot_be_appealed_from_the_form(org: Org, client: Client) -> None:
    entry = criticism(org)
    client.force_login(org.zhao.user)
    response = client.get(reverse("discipline:appeal_create") + f"?entry={entry.pk}")
    assert response.status_code == 404


def test_my_appeals_lists_appeals_and_entries_that_can_be_appealed(
    org: Org, client: Client
) -> None:
    appeal = file_appeal(org)
    other = criticism(org, reason="未参加晨会")
    html = page(client, org.li, "appeal_mine")
    assert f"#{appeal.pk}" in html and "未参加晨会" in html
    assert f"?entry={other.pk}" in html
    assert f"?entry={appeal.entry_id}" not in html


def test_the_queue_colours_the_deadline(org: Org, client: Client, frozen: object) -> None:
    import datetime as dt

    import time_machine

    appeal = file_appeal(org)
    html = page(client, org.yang, "appeal_queue")
    assert f"#{appeal.pk}" in html and "tag-ok" in html and "期限内" in html
    with time_machine.travel(appeal.due_at - dt.timedelta(hours=3), tick=False):  # type: ignore[operator]
        assert "即将到期" in page(client, org.yang, "appeal_queue")
    with time_machine.travel(appeal.due_at + dt.timedelta(minutes=1), tick=False):  # type: ignore[operator]
        html = page(client, org.yang, "appeal_queue")
        assert "tag-bad" in html and "已超期" in html
    # 李 has nothing to handle; 赵 neither
    assert "暂无待处理的申诉" in page(client, org.li, "appeal_queue")
    assert "暂无待处理的申诉" in page(client, org.zhao, "appeal_queue")


def test_each_person_sees_only_the_forms_that_apply_to_them(org: Org, client: Client) -> None:
    appeal = file_appeal(org)
    assert forms_in(page(client, org.li, "appeal_detail", appeal.pk)) == {"evidence", "withdraw"}
    assert forms_in(page(client, org.yang, "appeal_detail", appeal.pk)) == {"uphold", "reject"}
    assert forms_in(page(client, org.hr, "appeal_detail", appeal.pk)) == set()

    services.appeal_reject(actor=org.yang, appeal_id=appeal.pk, reason="不成立")
    assert forms_in(page(client, org.li, "appeal_detail", appeal.pk)) == {"escalate"}
    assert forms_in(page(client, org.yang, "appeal_detail", appeal.pk)) == set()

    services.appeal_escalate(actor=org.li, appeal_id=appeal.pk, reason="仍有异议")
    assert forms_in(page(client, org.hr, "appeal_detail", appeal.pk)) == {"findings"}
    html = page(client, org.wang, "appeal_detail", appeal.pk)
    assert forms_in(html) == set() and "尚未记录调查意见" in html

    services.appeal_findings_record(actor=org.hr, appeal_id=appeal.pk, findings="查明属实")
    assert forms_in(page(client, org.wang, "appeal_detail", appeal.pk)) == {"uphold", "reject"}


def test_the_whole_flow_through_the_pages(org: Org, client: Client) -> None:
    appeal = file_appeal(org)
    entry_id = appeal.entry_id

    def post(staff: Staff, action: str, data: dict[str, object]) -> None:
        client.force_login(staff.user)
        response = client.post(reverse(f"discipline:appeal_{action}", args=[appeal.pk]), data)
        assert response.status_code == 302, response.content.decode()[:800]

    post(org.li, "evidence_add", {"text": "补充：考勤机记录", "files": [pdf("考勤机.pdf")]})
    post(org.yang, "reject", {"reason": "签收记录无签名"})
    post(org.li, "escalate", {"reason": "前台可以作证"})
    post(org.hr, "findings", {"findings": "前台确认收到资料"})
    post(org.wang, "uphold", {"reason": "经调查属实"})

    html = page(client, org.li, "appeal_detail", appeal.pk)
    for label in ("提出申诉", "补充事实依据", "申诉不成立", "向上一级申诉", "人力资源调查意见"):
        assert label in html
    assert "申诉成立" in html and "撤销记录" in html and "考勤机.pdf" in html
    assert DisciplineEntry.objects.filter(kind="reversal", refs=[entry_id]).exists()


def test_a_refused_action_shows_why_and_keeps_what_was_typed(org: Org, client: Client) -> None:
    appeal = file_appeal(org)
    client.force_login(org.li.user)
    response = client.post(
        reverse("discipline:appeal_escalate", args=[appeal.pk]), {"reason": "我要上诉"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "不能向上一级申诉" in html and "我要上诉" not in html  # 李 has no escalate form yet
    response = client.post(
        reverse("discipline:appeal_evidence_add", args=[appeal.pk]), {"text": ""}
    )
    assert response.status_code == 422 and "请填写补充的事实依据" in response.content.decode()


def test_a_colleague_or_an_outsider_gets_not_found(org: Org, client: Client) -> None:
    appeal = file_appeal(org)
    for outsider in (org.zhao, org.chen):
        client.force_login(outsider.user)
        assert client.get(reverse("discipline:appeal_detail", args=[appeal.pk])).status_code == 404
        response = client.post(
            reverse("discipline:appeal_withdraw", args=[appeal.pk]), {"note": ""}
        )
        assert response.status_code == 404
    assert Appeal.objects.get(pk=appeal.pk).state == "supervisor_review"


def test_pages_need_a_login(client: Client, org: Org) -> None:
    response = client.get(reverse("discipline:appeal_mine"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_detail_page_reads_in_few_queries(
    org: Org, client: Client, django_assert_max_num_queries: object
) -> None:
    appeal = file_appeal(org)
    for n in range(5):
        services.appeal_evidence_add(actor=org.li, appeal_id=appeal.pk, text=f"补充 {n}")
    client.force_login(org.yang.user)
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        response = client.get(reverse("discipline:appeal_detail", args=[appeal.pk]))
    assert response.status_code == 200
