"""Channel reports (渠道报备): the PM's list of channel companies and agents, reports entered on
an agent's behalf, and the visit that confirms a report. One transaction each.

A report is refused (409, X7.2) when its phone is already a registered customer of the office
(the registration book's first phone key) or is held by a report still protecting. Both checks
run while the phone's ``ChannelPhoneLock`` row is locked, so two desks reporting one phone at the
same moment are serialised: exactly one report is made, the other is told who holds the phone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kehu.core import rawsql
from kehu.core.customers import rules as identity_rules
from kehu.core.customers.models import Customer, CustomerPhone
from kehu.core.org.models import Site, Staff
from kehu.sales import channel_rules as rules
from kehu.sales.channel_errors import (
    already_customer,
    already_reported,
    bad_input,
    not_found,
)
from kehu.sales.channel_selectors import (
    can_manage,
    report_rows,
    require_manage,
    require_report,
    sales_settings,
)
from kehu.sales.models.channel import (
    ChannelAgent,
    ChannelCompany,
    ChannelConfirmation,
    ChannelPhoneLock,
    ChannelReport,
)
from kehu.sales.models.registration import RegistrationKey, RegistrationKeyKind
from kehu.sales.registration_selectors import office_tz


def _text(value: str, limit: int, what_zh: str, what_en: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise bad_input(f"请填写{what_zh}。", f"Enter the {what_en}.", field)
    if len(value) > limit:
        raise bad_input(
            f"{what_zh}最多 {limit} 个字。", f"The {what_en} is at most {limit} characters.", field
        )
    return value


def _phone(raw: str, *, required: bool, field: str = "phone") -> str:
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise bad_input("请填写客户电话。", "Enter the customer's phone.", field)
        return ""
    try:
        return identity_rules.normalise_phone(raw)
    except identity_rules.PhoneNumberInvalid:
        raise bad_input(
            f"电话号码“{raw}”无效（手机号为 1 开头的 11 位数字）。",
            f"The phone number '{raw}' is not valid (mobiles have 11 digits starting with 1).",
            field,
        ) from None


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


@transaction.atomic
def channel_company_add(
    *, actor: Staff, name: str, contact_person: str = "", phone: str = ""
) -> ChannelCompany:
    require_manage(actor)
    name = _text(name, 100, "渠道公司名称", "channel company's name", "name")
    if ChannelCompany.objects.filter(company_id=actor.company_id, name=name).exists():
        raise bad_input(f"渠道公司“{name}”已在名单中。", f"'{name}' is already listed.", "name")
    return ChannelCompany.objects.create(
        company_id=actor.company_id,
        name=name,
        contact_person=(contact_person or "").strip()[:50],
        phone_e164=_phone(phone, required=False),
        created_by=actor,
    )


@transaction.atomic
def channel_agent_add(*, actor: Staff, channel_id: int, name: str, phone: str = "") -> ChannelAgent:
    require_manage(actor)
    channel = ChannelCompany.objects.filter(company_id=actor.company_id, pk=channel_id).first()
    if channel is None:
        raise not_found("渠道公司", "Channel company")
    return ChannelAgent.objects.create(
        company_id=actor.company_id,
        channel=channel,
        name=_text(name, 50, "经纪人姓名", "agent's name", "name"),
        phone_e164=_phone(phone, required=False),
        created_by=actor,
    )


@transaction.atomic
def channel_agent_set_active(*, actor: Staff, agent_id: int, active: bool) -> ChannelAgent:
    """The PM marks an agent as having left (or back): their reports stay as they are."""
    require_manage(actor)
    agent = (
        ChannelAgent.objects.select_for_update()
        .filter(company_id=actor.company_id, pk=agent_id)
        .first()
    )
    if agent is None:
        raise not_found("经纪人", "Agent")
    agent.active = active
    agent.save(update_fields=["active"])
    return agent


def _lock_phone(company_id: int, phone_e164: str) -> None:
    """Lock the phone's row (created on first use) for the rest of the transaction."""
    ChannelPhoneLock.objects.get_or_create(company_id=company_id, phone_e164=phone_e164)
    ChannelPhoneLock.objects.select_for_update().get(company_id=company_id, phone_e164=phone_e164)


def _refuse_registered(company_id: int, phone_e164: str) -> None:
    key = (
        RegistrationKey.objects.select_related("registration", "registration__receiver")
        .filter(company_id=company_id, kind=RegistrationKeyKind.PHONE, value=phone_e164)
        .first()
    )
    if key is None:
        return
    first = key.registration
    raise already_customer(
        by=first.receiver.name,
        at_text=_local(first.recorded_at),
        details={
            "customer_id": key.customer_id,
            "registration_id": first.pk,
            "registered_by": first.receiver.name,
            "registered_at": first.recorded_at.isoformat(),
            "rule_ids": [rules.RULE_DUPLICATE, "A1.5"],
        },
    )


def _refuse_held(company_id: int, phone_e164: str, now: dt.datetime) -> None:
    reports = (
        ChannelReport.objects.filter(company_id=company_id, phone_e164=phone_e164)
        .select_related("agent", "agent__channel", "confirmation")
        .order_by("reported_at", "pk")
    )
    for row in report_rows(reports, now):
        if row.state.holds:
            report = row.report
            raise already_reported(
                agent=report.agent.name,
                channel=report.agent.channel.name,
                at_text=_local(report.reported_at),
                until_text=(
                    row.state.label
                    if row.state.remaining is None
                    else _local(report.protected_until)
                ),
                details={
                    "report_id": report.pk,
                    "agent": report.agent.name,
                    "agent_id": report.agent_id,
                    "channel": report.agent.channel.name,
                    "reported_at": report.reported_at.isoformat(),
                    "protected_until": report.protected_until.isoformat(),
                    "status": row.state.status.value,
                    "rule_ids": [rules.RULE_DUPLICATE, *row.state.rule_ids],
                },
            )


@transaction.atomic
def channel_report_create(
    *,
    actor: Staff,
    agent_id: int,
    customer_name: str,
    phone: str,
    site_id: int | None = None,
    note: str = "",
    reported_at: dt.datetime | None = None,
) -> ChannelReport:
    """An agent reports a prospective customer, entered by the PM or the front desk on the
    agent's behalf (or through the API with the PM's token). Protected from now for the policy's
    period (X7.1); refused when the phone is a customer of the office or held by another report
    (X7.2). ``reported_at``: the PM may enter a report the agent made earlier (by phone or
    WeChat) with its time — never in the future; the period runs from it."""
    require_report(actor)
    name = _text(customer_name, 100, "客户姓名", "customer's name", "customer_name")
    phone_e164 = _phone(phone, required=True)
    agent = (
        ChannelAgent.objects.select_related("channel")
        .filter(company_id=actor.company_id, pk=agent_id, active=True, channel__active=True)
        .first()
    )
    if agent is None:
        raise not_found("经纪人", "Agent")
    site = None
    if site_id is not None:
        site = Site.objects.filter(company_id=actor.company_id, pk=site_id).first()
        if site is None:
            raise not_found("项目", "Site")
    now = timezone.now()
    if reported_at is not None and not can_manage(actor):
        raise bad_input(
            "只有项目经理或销售经理可以补录较早的报备时间。",
            "Only the PM or the sales manager may enter an earlier report time.",
            "reported_at",
        )
    if reported_at is not None and reported_at > now:
        raise bad_input(
            "报备时间不能晚于现在。", "The report time cannot be in the future.", "reported_at"
        )
    reported_at = reported_at or now
    settings, ref = sales_settings(actor.company, reported_at)
    _lock_phone(actor.company_id, phone_e164)
    _refuse_registered(actor.company_id, phone_e164)
    _refuse_held(actor.company_id, phone_e164, now)
    until = rules.protected_until(
        reported_at,
        amount=settings.channel_protection_amount,
        unit=settings.channel_protection_unit,
        tz=office_tz(),
    )
    return ChannelReport.objects.create(
        company_id=actor.company_id,
        site=site or actor.site,
        agent=agent,
        customer_name=name,
        phone_e164=phone_e164,
        reported_at=reported_at,
        protected_until=until,
        protection_amount=settings.channel_protection_amount,
        protection_unit=settings.channel_protection_unit,
        visit_decides=settings.channel_visit_decides,
        policy_ref=ref,
        note=(note or "").strip()[:200],
        recorded_by=actor,
        recorded_at=now,
    )


def channel_visit_confirm(
    *, actor: Staff, customer: Customer, visited_at: dt.datetime
) -> ChannelConfirmation | None:
    """A visit registered ``customer``: if one of the customer's phones has a report still
    counting down at ``visited_at``, record that the visit confirmed it (X7.3) and return the
    confirmation; otherwise None. For the reception flow to call once the visit's customer is
    known (``visit_register``); the PM's "confirm visit" action calls it too."""
    if not actor.active or customer.company_id != actor.company_id:
        raise not_found("客户", "Customer")
    # Most visitors were never reported: one look, and no lock, settles them. A report written
    # meanwhile is dated after the visit's arrival, so it could not count anyway. (A plain
    # statement: it runs on every registration, where building the query cost more than it.)
    if not _reported(actor.company_id, customer.pk, visited_at):
        return None
    phones = CustomerPhone.objects.filter(company_id=actor.company_id, customer_id=customer.pk)
    live = ChannelReport.objects.filter(
        company_id=actor.company_id,
        phone_e164__in=phones.values("e164"),
        reported_at__lte=visited_at,
        protected_until__gt=visited_at,
        confirmation__isnull=True,
    ).order_by("reported_at", "pk")
    with transaction.atomic():
        # Look again under the phones' locks, which the reports' own writers take too.
        for phone_e164 in sorted(set(phones.values_list("e164", flat=True))):
            _lock_phone(actor.company_id, phone_e164)
        report = live.first()
        if report is None:
            return None
        rule_ids = [rules.RULE_PROTECTION]
        if report.visit_decides:
            rule_ids.append(rules.RULE_VISIT_DECIDES)
        return ChannelConfirmation.objects.create(
            company_id=actor.company_id,
            report=report,
            customer=customer,
            visited_at=visited_at,
            rule_ids=rule_ids,
            confirmed_by=actor,
        )


def _reported(company_id: int, customer_id: int, visited_at: dt.datetime) -> bool:
    """Whether a report of one of the customer's phones still counts down at ``visited_at``
    and is not confirmed yet (``channel_visit_confirm``'s first look)."""
    found = rawsql.scalars(
        ChannelReport,
        f"SELECT 1 FROM {rawsql.table(ChannelReport)} AS r"
        f" JOIN {rawsql.table(CustomerPhone)} AS p"
        " ON p.company_id = r.company_id AND p.e164 = r.phone_e164"
        f" LEFT JOIN {rawsql.table(ChannelConfirmation)} AS c ON c.report_id = r.id"
        " WHERE r.company_id = %s AND p.customer_id = %s AND r.reported_at <= %s"
        " AND r.protected_until > %s AND c.id IS NULL LIMIT 1",
        [company_id, customer_id, visited_at, visited_at],
    )
    return bool(found)


@transaction.atomic
def channel_report_visit_confirm(
    *, actor: Staff, report_id: int, visited_at: dt.datetime | None = None
) -> ChannelConfirmation:
    """The PM confirms by hand that a reported customer visited: the customer must already be in
    the registration book with the report's phone (the visit's line), and the visit must fall
    within the report's period."""
    require_report(actor)
    report = ChannelReport.objects.filter(company_id=actor.company_id, pk=report_id).first()
    if report is None:
        raise not_found("渠道报备", "Channel report")
    now = timezone.now()
    visited_at = visited_at or now
    if visited_at > now:
        raise bad_input(
            "到访时间不能晚于现在。", "The visit cannot be in the future.", "visited_at"
        )
    key = RegistrationKey.objects.filter(
        company_id=actor.company_id, kind=RegistrationKeyKind.PHONE, value=report.phone_e164
    ).first()
    customer = Customer.objects.filter(pk=key.customer_id).first() if key else None
    if customer is None:
        raise bad_input(
            "该电话的客户尚未在客户登记本登记到访，请先登记来访。",
            "No visit of this phone's customer is in the registration book yet; register it first.",
            "report",
        )
    if ChannelConfirmation.objects.filter(report=report).exists():
        raise bad_input("该报备已确认到访。", "This report's visit is already confirmed.", "report")
    if not rules.visit_in_time(
        reported_at=report.reported_at, until=report.protected_until, visited_at=visited_at
    ):
        raise bad_input(
            f"到访时间不在保护期内（{_local(report.reported_at)} 至 "
            f"{_local(report.protected_until)}），报备不能确认（X7.3）。",
            "The visit is outside the report's protection period; it cannot confirm it (X7.3).",
            "visited_at",
        )
    confirmation = channel_visit_confirm(actor=actor, customer=customer, visited_at=visited_at)
    if confirmation is None or confirmation.report_id != report.pk:
        raise bad_input(
            "该客户的另一条报备已先于此报备被确认。",
            "Another report of this customer was confirmed first.",
            "report",
        )
    return confirmation
