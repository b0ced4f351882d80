"""Deals (成交, A7.17), the commission ledger (业绩台账), A7.19 requests and conduct records.

Write use-cases, each one transaction with its ledger entry (stream ``deals``):

- ``deal_record``: a deposit paid and/or a subscription signed for a customer's visit. A deal
  exists only once both are done (``closed_at`` = the later, A7.17); closing asks the reception
  flow to decide the visit again with the deal (``visit_redecide(cause="deal")``) and then
  writes the commission ledger (``commission_sync``).
- ``deal_step_record``: the step still missing (deposit or subscription) of a recorded deal.
- ``deal_discount_apply``: an approved discount (A7.19) lowers the price of an open deal.
- ``commission_sync``: the ledger lines of one ownership decision's deal shares; reverses the
  lines of earlier decisions of the same deal with negative rows. Idempotent per decision.
- ``sales_request_submit`` / ``sales_request_decide``: hold (放盘), rename (转名), discount —
  asked by a salesperson with a reason, approved or rejected once by the sales manager
  (A2.10, A7.19).
- ``conduct_record`` / ``conduct_forward``: a manager records a violation of a conduct rule
  (A2.4, A2.6, A7.1, A2.9, A2.11, A7.11, A2.13) and may forward it to the discipline ledger.

Lock order: the ``Deal`` row first (``SELECT … FOR UPDATE``), then the visit (in
``visit_redecide``), the ledger stream last.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.customers.selectors import customers_visible_to
from kehu.core.ledger.rules import Stream
from kehu.core.ledger.services import ledger_append
from kehu.core.org.models import Site, Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.discipline.models import ProposalKind
from kehu.discipline.services import discipline_proposal_post
from kehu.sales import rules
from kehu.sales.deal_errors import (
    DealError,
    DealErrorCode,
    bad_input,
    customer_not_found,
    deal_not_found,
    denied,
    reason_required,
    visit_not_found,
)
from kehu.sales.models.deal import (
    CommissionEntry,
    ConductForward,
    ConductRecord,
    ConductRule,
    Deal,
    SalesRequest,
    SalesRequestDecision,
    SalesRequestKind,
)
from kehu.sales.models.reception import OwnershipDecision, Visit
from kehu.sales.reception_services import RegisterResult, visit_redecide

PERM_ADD = "sales.add_deal"
PERM_VIEW = "sales.view_deal"
PERM_ALL = "sales.view_all_deals"
PERM_APPROVE = "sales.approve_sales_request"

DEAL_SUBJECT = "sales.deal"
REQUEST_SUBJECT = "sales.salesrequest"
CONDUCT_SUBJECT = "sales.conductrecord"

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
A7_17 = "A7.17"
A7_19 = "A7.19"
A2_10 = "A2.10"


class Step:
    DEPOSIT = "deposit"  # 交定金
    SUBSCRIPTION = "subscription"  # 签认购书


STEPS = (Step.DEPOSIT, Step.SUBSCRIPTION)
STEP_LABELS = {Step.DEPOSIT: "交定金", Step.SUBSCRIPTION: "签认购书"}


@dataclass(frozen=True)
class DealResult:
    """What a deal step did: the deal, whether it closed now, and then the new ownership
    decision and the commission lines written for it."""

    deal: Deal
    closed_now: bool
    decision: OwnershipDecision | None = None
    entries: tuple[CommissionEntry, ...] = ()


# --- small checks ------------------------------------------------------------------------------


def _money(value: Decimal | str | int | float | None, field_zh: str, field_en: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT) if value is not None else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        raise bad_input(
            f"{field_zh}须为大于 0 的金额（元，两位小数）。",
            f"The {field_en} must be an amount above 0 (yuan, two decimals).",
        )
    return amount


def _moment(value: dt.datetime | None, now: dt.datetime, label_zh: str) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, rules.LOCAL_TZ)
    if value > now + dt.timedelta(minutes=1):
        raise bad_input(
            f"{label_zh}时间不能晚于现在。",
            f"The {label_zh} time cannot be in the future.",
            details={"step": label_zh},
        )
    return value


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of ``moment``'s month in Asia/Shanghai: the commission month."""
    local = moment.astimezone(rules.LOCAL_TZ)
    return dt.date(local.year, local.month, 1)


def share_amount(price: Decimal, percent: Decimal) -> Decimal:
    """price × percent / 100, two decimals, half up."""
    return (price * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def _require(actor: Staff, perm: str, what_zh: str, what_en: str) -> None:
    if not staff_has_perm(actor, perm):
        raise denied(what_zh, what_en)


def _deal_for_update(actor: Staff, deal_id: int) -> Deal:
    deal = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("customer", "closer", "site")
        .filter(company_id=actor.company_id, pk=deal_id)
        .first()
    )
    if deal is None or not actor.active:
        raise deal_not_found()
    if not staff_has_perm(actor, PERM_ALL) and deal.closer_id != actor.pk:
        if staff_has_perm(actor, PERM_VIEW) and _is_party(actor, deal):
            raise denied("办理他人成交的手续", "record steps of another salesperson's deal")
        raise deal_not_found()
    return deal


def _is_party(actor: Staff, deal: Deal) -> bool:
    return (
        deal.closer_id == actor.pk
        or CommissionEntry.objects.filter(deal=deal, salesperson=actor).exists()
    )


def _ledger(actor: Staff, kind: str, payload: dict[str, Any], subject: tuple[str, int]) -> None:
    ledger_append(
        company=actor.company,
        stream=Stream.DEALS,
        kind=kind,
        payload=payload,
        recorded_by=actor.user,
        subject=subject,
    )


def _deal_payload(deal: Deal) -> dict[str, Any]:
    return {
        "deal_id": deal.pk,
        "site_id": deal.site_id,
        "customer_id": deal.customer_id,
        "visit_id": deal.visit_id,
        "unit": deal.unit,
        "price": deal.price,
        "subscriber": deal.subscriber,
        "closer_id": deal.closer_id,
        "deposit_paid_at": deal.deposit_paid_at,
        "subscription_signed_at": deal.subscription_signed_at,
        "closed_at": deal.closed_at,
    }


# --- deals ---------------------------------------------------------------------------------------


def latest_registered_visit(customer_id: int, company_id: int) -> Visit | None:
    """The customer's latest registered visit: the default visit of a deal."""
    return (
        Visit.objects.filter(
            company_id=company_id, customer_id=customer_id, registered_at__isnull=False
        )
        .order_by("-registered_at", "-pk")
        .first()
    )


def _customer_and_visit(
    actor: Staff, customer_id: int, visit_id: int | None
) -> tuple[Customer, Visit]:
    customer = Customer.objects.filter(company_id=actor.company_id, pk=customer_id).first()
    if customer is None:
        raise customer_not_found()
    if visit_id is not None:
        visit = (
            Visit.objects.select_related("receiver")
            .filter(company_id=actor.company_id, pk=visit_id)
            .first()
        )
        if visit is None:
            raise visit_not_found()
        if visit.customer_id != customer.pk or visit.registered_at is None:
            raise DealError(
                DealErrorCode.NO_VISIT,
                "所选来访不是该客户已登记的来访。",
                "The chosen visit is not a registered visit of this customer.",
                status=422,
            )
    else:
        found = latest_registered_visit(customer.pk, actor.company_id)
        if found is None:
            raise DealError(
                DealErrorCode.NO_VISIT,
                "该客户还没有已登记的来访：请先登记来访，成交的业绩归属按来访决定（A7.17）。",
                "This customer has no registered visit yet: register the visit first; a "
                "deal's shares are decided on its visit (A7.17).",
                status=422,
            )
        visit = found
    if not staff_has_perm(actor, PERM_ALL):
        may_see = customers_visible_to(actor).filter(pk=customer.pk).exists()
        if not may_see and visit.receiver_id != actor.pk:
            raise customer_not_found()
    return customer, visit


def _closer_for(actor: Staff, visit: Visit, closer_id: int | None) -> Staff:
    wanted = closer_id if closer_id is not None else visit.receiver_id
    closer = Staff.objects.filter(company_id=actor.company_id, pk=wanted, active=True).first()
    if closer is None:
        raise bad_input("成交售楼员须为本公司在职员工。", "The closer must be active staff here.")
    if not staff_has_perm(actor, PERM_ALL) and closer.pk != actor.pk:
        raise denied("替其他售楼员登记成交", "record a deal closed by another salesperson")
    return closer


def _approved_discount(actor: Staff, request_id: int, *, site_id: int, unit: str) -> SalesRequest:
    found = (
        SalesRequest.objects.select_related("decision")
        .filter(company_id=actor.company_id, pk=request_id)
        .first()
    )
    if found is None or found.kind != SalesRequestKind.DISCOUNT:
        raise DealError(
            DealErrorCode.REQUEST_NOT_FOUND,
            "未找到该折扣申请。",
            "Discount request not found.",
            status=404,
        )
    decision = getattr(found, "decision", None)
    if decision is None or not decision.approved:
        state_zh = "已被驳回" if decision is not None else "尚未经销售经理批准"
        state_en = (
            "was rejected" if decision is not None else "is not approved by the sales manager"
        )
        raise DealError(
            DealErrorCode.DISCOUNT_NOT_APPROVED,
            f"该折扣申请{state_zh}，不能用于成交价：售楼员无权直接为客户打折，"
            f"须经销售经理批准（A7.19）。",
            f"This discount request {state_en}; it cannot be applied to the price: a "
            f"salesperson may not give discounts on their own (A7.19).",
            status=409,
            details={"request_id": found.pk, "rule_ids": [A7_19, A2_10]},
        )
    if found.site_id != site_id or found.unit.strip() != unit.strip():
        raise bad_input(
            f"该折扣申请是为房号 {found.unit} 批准的，不能用于房号 {unit}（A7.19）。",
            f"This discount was approved for unit {found.unit}, not unit {unit} (A7.19).",
        )
    if Deal.objects.filter(discount_request=found).exists():
        raise DealError(
            DealErrorCode.DISCOUNT_USED,
            "该折扣已经用过一次。",
            "This discount has already been applied.",
            status=409,
        )
    return found


def _discounted(price: Decimal, discount: SalesRequest) -> Decimal:
    if discount.discount_amount is not None:
        cut = discount.discount_amount
    else:
        cut = share_amount(price, discount.discount_percent or Decimal(0))
    result = (price - cut).quantize(CENT)
    if result <= 0:
        raise bad_input("折扣后价格须大于 0。", "The price after the discount must be above 0.")
    return result


@transaction.atomic
def deal_record(
    *,
    actor: Staff,
    customer_id: int,
    unit: str,
    price: Decimal | str,
    subscriber: str = "",
    visit_id: int | None = None,
    closer_id: int | None = None,
    deposit_paid_at: dt.datetime | None = None,
    subscription_signed_at: dt.datetime | None = None,
    discount_request_id: int | None = None,
) -> DealResult:
    """Record a deal's first step(s) for a customer's visit (A7.17).

    The visit defaults to the customer's latest registered visit and the closer to its
    receiver. The subscriber is the name on the subscription agreement, required when the
    subscription is signed. With both steps done, the deal closes (see ``_close``)."""
    _require(actor, PERM_ADD, "登记成交", "record deals")
    now = timezone.now()
    unit = unit.strip()
    subscriber = subscriber.strip()
    if not unit:
        raise bad_input("请填写房号。", "Give the unit.")
    amount = _money(price, "成交价", "price")
    deposit = _moment(deposit_paid_at, now, "交定金")
    signed = _moment(subscription_signed_at, now, "签认购书")
    if deposit is None and signed is None:
        raise bad_input(
            "请至少填写交定金或签认购书的时间之一（A7.17）。",
            "Give the deposit time, the subscription time, or both (A7.17).",
        )
    if signed is not None and not subscriber:
        raise _subscriber_required()
    customer, visit = _customer_and_visit(actor, customer_id, visit_id)
    closer = _closer_for(actor, visit, closer_id)
    discount = None
    before = None
    if discount_request_id is not None:
        discount = _approved_discount(actor, discount_request_id, site_id=visit.site_id, unit=unit)
        before = amount
        amount = _discounted(amount, discount)
    if Deal.objects.filter(company_id=actor.company_id, site_id=visit.site_id, unit=unit).exists():
        raise _unit_taken(unit)
    try:
        with transaction.atomic():
            deal = Deal.objects.create(
                company_id=actor.company_id,
                site_id=visit.site_id,
                customer=customer,
                visit=visit,
                unit=unit,
                price=amount,
                subscriber=subscriber,
                closer=closer,
                deposit_paid_at=deposit,
                subscription_signed_at=signed,
                discount_request=discount,
                price_before_discount=before,
                recorded_by=actor,
                recorded_at=now,
            )
    except IntegrityError:
        raise _unit_taken(unit) from None
    _ledger(actor, "deal.recorded", _deal_payload(deal), (DEAL_SUBJECT, deal.pk))
    if discount is not None:
        _ledger_discount(actor, deal, discount)
    return _maybe_close(actor, deal)


def _subscriber_required() -> DealError:
    return DealError(
        DealErrorCode.SUBSCRIBER_REQUIRED,
        "签认购书须填写认购方（认购书上的客户姓名，A7.17）。",
        "A signed subscription names its subscriber (the customer on the agreement, A7.17).",
        status=422,
    )


def _unit_taken(unit: str) -> DealError:
    return DealError(
        DealErrorCode.UNIT_TAKEN,
        f"房号 {unit} 已有成交记录，不能重复登记。",
        f"Unit {unit} already has a deal.",
        status=409,
    )


def _ledger_discount(actor: Staff, deal: Deal, discount: SalesRequest) -> None:
    _ledger(
        actor,
        "deal.discount_applied",
        {
            "deal_id": deal.pk,
            "request_id": discount.pk,
            "price_before": deal.price_before_discount,
            "price": deal.price,
            "rule_ids": [A7_19],
        },
        (DEAL_SUBJECT, deal.pk),
    )


@transaction.atomic
def deal_step_record(
    *,
    actor: Staff,
    deal_id: int,
    step: str,
    at: dt.datetime,
    subscriber: str = "",
) -> DealResult:
    """Record the step still missing of a deal: the deposit, or the signed subscription.

    The subscriber named when the subscription is signed is the deal customer for good: a later
    transfer by the customer does not change it (A7.17)."""
    _require(actor, PERM_ADD, "登记成交", "record deals")
    if step not in STEPS:
        raise bad_input(
            "步骤须为 deposit（交定金）或 subscription（签认购书）。",
            "The step is 'deposit' or 'subscription'.",
        )
    deal = _deal_for_update(actor, deal_id)
    now = timezone.now()
    moment = _moment(at, now, STEP_LABELS[step])
    assert moment is not None
    done = deal.deposit_paid_at if step == Step.DEPOSIT else deal.subscription_signed_at
    if done is not None:
        raise DealError(
            DealErrorCode.STEP_DONE,
            f"该成交已登记{STEP_LABELS[step]}，不能重复登记。",
            f"This deal's {step} is already recorded.",
            status=409,
        )
    subscriber = subscriber.strip()
    fields = ["deposit_paid_at"] if step == Step.DEPOSIT else ["subscription_signed_at"]
    if step == Step.DEPOSIT:
        deal.deposit_paid_at = moment
        if subscriber and subscriber != deal.subscriber:
            if deal.subscription_signed_at is not None:
                raise _subscriber_fixed(deal)
            deal.subscriber = subscriber  # not signed yet: the name is still provisional
            fields.append("subscriber")
    else:
        deal.subscription_signed_at = moment
        if subscriber:
            deal.subscriber = subscriber
            fields.append("subscriber")
        elif not deal.subscriber:
            raise _subscriber_required()
    deal.save(update_fields=fields)
    _ledger(
        actor,
        f"deal.{step}",
        {**_deal_payload(deal), "step": step, "at": moment},
        (DEAL_SUBJECT, deal.pk),
    )
    return _maybe_close(actor, deal)


def _subscriber_fixed(deal: Deal) -> DealError:
    return DealError(
        DealErrorCode.SUBSCRIBER_FIXED,
        f"成交客户以认购书上的认购方“{deal.subscriber}”为准，客户自行转让的仍以原始认购方为准，"
        f"不能更改（A7.17）。",
        f"The deal customer is the subscriber on the agreement ({deal.subscriber}); a later "
        f"transfer does not change it (A7.17).",
        status=409,
    )


def _maybe_close(actor: Staff, deal: Deal) -> DealResult:
    if deal.closed_at is not None or deal.deposit_paid_at is None:
        return DealResult(deal=deal, closed_now=False)
    if deal.subscription_signed_at is None:
        return DealResult(deal=deal, closed_now=False)
    return _close(actor, deal)


def _close(actor: Staff, deal: Deal) -> DealResult:
    """Both steps are done: a deal (A7.17) on the later date. The reception flow decides the
    visit again with the deal; the decision's shares go to the commission ledger."""
    assert deal.deposit_paid_at is not None and deal.subscription_signed_at is not None
    closed_at = max(deal.deposit_paid_at, deal.subscription_signed_at)
    visit = deal.visit
    if visit is not None and closed_at < visit.arrived_at:
        raise bad_input(
            "成交时间（交定金和签认购书中较晚者）不能早于所选来访的到访时间。",
            "The deal's date (the later of deposit and subscription) cannot precede the visit.",
        )
    deal.closed_at = closed_at
    deal.save(update_fields=["closed_at"])
    _ledger(
        actor, "deal.closed", {**_deal_payload(deal), "rule_ids": [A7_17]}, (DEAL_SUBJECT, deal.pk)
    )
    if deal.visit_id is None:
        return DealResult(deal=deal, closed_now=True)
    result = _visit_redecide(actor=actor, visit_id=deal.visit_id, deal=deal)
    decision: OwnershipDecision = result.decision
    shares = decision.shares or {}
    if bool(shares.get("negotiated")) != deal.negotiated:
        deal.negotiated = bool(shares.get("negotiated"))
        deal.save(update_fields=["negotiated"])
    entries = commission_sync(actor=actor, decision=decision)
    return DealResult(deal=deal, closed_now=True, decision=decision, entries=tuple(entries))


def _visit_redecide(*, actor: Staff, visit_id: int, deal: Deal) -> RegisterResult:
    return visit_redecide(actor=actor, visit_id=visit_id, cause="deal", deal=deal)


@transaction.atomic
def deal_discount_apply(*, actor: Staff, deal_id: int, request_id: int) -> Deal:
    """Apply a discount the sales manager approved (A7.19) to an open deal's price. An
    unapproved or rejected discount is refused, citing A7.19."""
    _require(actor, PERM_ADD, "登记成交", "record deals")
    deal = _deal_for_update(actor, deal_id)
    if deal.closed_at is not None:
        raise DealError(
            DealErrorCode.CLOSED,
            "成交已完成（已交定金并签认购书），价格不再更改。",
            "The deal is closed (deposit paid and subscription signed); its price is final.",
            status=409,
        )
    if deal.discount_request_id is not None:
        raise DealError(
            DealErrorCode.DISCOUNT_USED,
            "该成交已用过一次折扣。",
            "This deal already has a discount.",
            status=409,
        )
    discount = _approved_discount(actor, request_id, site_id=deal.site_id, unit=deal.unit)
    deal.price_before_discount = deal.price
    deal.price = _discounted(deal.price, discount)
    deal.discount_request = discount
    deal.save(update_fields=["price_before_discount", "price", "discount_request"])
    _ledger_discount(actor, deal, discount)
    return deal


# --- the commission ledger ----------------------------------------------------------------------


def _live_entries(deal: Deal) -> list[CommissionEntry]:
    reversed_ids = CommissionEntry.objects.filter(deal=deal, reverses__isnull=False).values(
        "reverses_id"
    )
    return list(
        CommissionEntry.objects.filter(deal=deal, reverses__isnull=True)
        .exclude(pk__in=reversed_ids)
        .order_by("pk")
    )


def decision_deal_id(decision: OwnershipDecision) -> int | None:
    """The deal a decision shares: its ``deal`` link, or — for a decision the reception flow
    made again after the deal (a conflict found afterwards, a consent) — the deal its shares
    name."""
    if decision.deal_id is not None:
        return int(decision.deal_id)
    shares = decision.shares if isinstance(decision.shares, dict) else {}
    try:
        return int(shares.get("deal_id") or 0) or None
    except (TypeError, ValueError):
        return None


def latest_deal_decision(deal: Deal) -> OwnershipDecision | None:
    """The newest decision of the deal's visit that shares this deal (the one the ledger
    should follow)."""
    if deal.visit_id is None:
        return None
    rows = OwnershipDecision.objects.filter(visit_id=deal.visit_id).order_by("-pk")
    for decision in rows:
        if decision_deal_id(decision) == deal.pk:
            return decision
    return None


@transaction.atomic
def deal_commission_refresh(*, actor: Staff, deal_id: int) -> list[CommissionEntry]:
    """Bring the commission ledger to the newest decision of the deal's visit — after a
    conflict found after the deal (A7.16), a consent or a ruling decided the visit again."""
    deal = _deal_for_update(actor, deal_id)
    decision = latest_deal_decision(deal)
    if decision is None or deal.closed_at is None:
        raise DealError(
            DealErrorCode.COMMISSION_NO_DEAL,
            "该成交还没有归属决定（须已交定金并签认购书，A7.17）。",
            "This deal has no ownership decision yet (deposit and subscription, A7.17).",
            status=409,
        )
    return commission_sync(actor=actor, decision=decision)


def _share_rows(decision: OwnershipDecision) -> list[dict[str, Any]]:
    shares = decision.shares
    if not isinstance(shares, dict):
        return []
    rows = shares.get("shares")
    return list(rows) if isinstance(rows, list) else []


@transaction.atomic
def commission_sync(*, actor: Staff, decision: OwnershipDecision) -> list[CommissionEntry]:
    """Write ``decision``'s deal shares to the commission ledger and return its lines.

    Every live line of the deal that came from an earlier decision is reversed (a negative row
    with ``reverses``, in the same month); then one line per share: amount = price × percent /
    100 (two decimals, half up), a cancelled share (A7.13 grab) with amount 0; month = the first
    day of the deal's local month (Asia/Shanghai). Idempotent: a decision already on the ledger
    returns its lines unchanged. A decision with no shares (still pending, A7.20) writes
    nothing. Syncing a decision after a later one of the same deal is refused (stale)."""
    deal_id = decision_deal_id(decision)
    if decision.company_id != actor.company_id or deal_id is None:
        raise DealError(
            DealErrorCode.COMMISSION_NO_DEAL,
            "该归属决定没有对应的成交，无业绩可记。",
            "This ownership decision has no deal to share.",
            status=409,
        )
    deal = (
        Deal.objects.select_for_update(of=("self",))
        .filter(company_id=actor.company_id, pk=deal_id, visit_id=decision.visit_id)
        .first()
    )
    if deal is None:
        raise deal_not_found()
    if deal.closed_at is None:
        raise DealError(
            DealErrorCode.COMMISSION_NO_DEAL,
            "还不是成交（须已交定金并签认购书，A7.17），无业绩可记。",
            "Not a deal yet (deposit and subscription both needed, A7.17): nothing to share.",
            status=409,
        )
    rows = _share_rows(decision)
    if not rows:
        return []
    later = (
        CommissionEntry.objects.filter(deal=deal, decision__pk__gt=decision.pk)
        .exclude(decision=decision)
        .exists()
    )
    if later:
        raise DealError(
            DealErrorCode.COMMISSION_STALE,
            "该成交已按更新的归属决定记入业绩台账，不能再按较早的决定记账。",
            "A later decision of this deal is already on the commission ledger.",
            status=409,
            details={"decision_id": decision.pk},
        )
    live = _live_entries(deal)
    if live and all(e.decision_id == decision.pk for e in live):
        return live
    now = timezone.now()
    reversals: list[CommissionEntry] = []
    for entry in live:
        reversals.append(
            CommissionEntry(
                company_id=deal.company_id,
                deal=deal,
                decision=decision,
                month=entry.month,
                party_kind=entry.party_kind,
                salesperson_id=entry.salesperson_id,
                role=entry.role,
                percent=-entry.percent,
                amount=-entry.amount,
                cancelled=entry.cancelled,
                rule_ids=list(entry.rule_ids),
                reverses=entry,
                recorded_at=now,
            )
        )
    month = month_of(deal.closed_at)
    rule_ids = list((decision.shares or {}).get("rule_ids") or decision.rule_ids)
    written: list[CommissionEntry] = []
    for share in rows:
        percent = Decimal(str(share["percent"]))
        cancelled = bool(share.get("cancelled"))
        if percent == 0 and not cancelled:
            continue  # a 0% share (the closer of an "all to the owner" deal) pays nothing
        party = share.get("party") or {}
        kind = str(party.get("kind", rules.OwnerKind.SALESPERSON))
        salesperson_id = (
            _salesperson_id(deal, party) if kind == rules.OwnerKind.SALESPERSON else None
        )
        written.append(
            CommissionEntry(
                company_id=deal.company_id,
                deal=deal,
                decision=decision,
                month=month,
                party_kind=kind,
                salesperson_id=salesperson_id,
                role=str(share.get("role", "")),
                percent=percent,
                amount=Decimal("0.00") if cancelled else share_amount(deal.price, percent),
                cancelled=cancelled,
                rule_ids=rule_ids,
                recorded_at=now,
            )
        )
    for entry in [*reversals, *written]:
        entry.save(force_insert=True)
    _ledger(
        actor,
        "commission.sync",
        {
            "deal_id": deal.pk,
            "decision_id": decision.pk,
            "policy_ref": decision.policy_ref,
            "month": month,
            "reversed": [e.reverses_id for e in reversals],
            "lines": [
                {
                    "id": e.pk,
                    "party_kind": e.party_kind,
                    "salesperson_id": e.salesperson_id,
                    "role": e.role,
                    "percent": e.percent,
                    "amount": e.amount,
                    "cancelled": e.cancelled,
                }
                for e in written
            ],
            "rule_ids": rule_ids,
        },
        (DEAL_SUBJECT, deal.pk),
    )
    return written


def _salesperson_id(deal: Deal, party: dict[str, Any]) -> int:
    try:
        staff_id = int(party.get("salesperson") or 0)
    except (TypeError, ValueError):
        staff_id = 0
    if not Staff.objects.filter(company_id=deal.company_id, pk=staff_id).exists():
        raise bad_input(
            "归属决定里的售楼员不在本公司。",
            "The decision names a salesperson who is not staff of this company.",
        )
    return staff_id


# --- A7.19 requests -----------------------------------------------------------------------------


def _percent(value: Decimal | str | int | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        pct = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        pct = None
    if pct is None or not pct.is_finite() or not Decimal(0) < pct < HUNDRED:
        raise bad_input(
            "折扣比例须大于 0% 且小于 100%。",
            "The discount percent lies above 0% and below 100%.",
        )
    return pct


@transaction.atomic
def sales_request_submit(
    *,
    actor: Staff,
    kind: str,
    reason: str,
    unit: str = "",
    deal_id: int | None = None,
    customer_id: int | None = None,
    site_id: int | None = None,
    discount_amount: Decimal | str | None = None,
    discount_percent: Decimal | str | None = None,
    new_subscriber: str = "",
    hold_until: dt.date | None = None,
) -> SalesRequest:
    """A salesperson asks the sales manager to hold a unit, rename or give a discount, with the
    reason (A2.10, A7.19): they may not do it on their own."""
    _require(actor, PERM_ADD, "提出放盘、转名、折扣申请", "request holds, renames or discounts")
    try:
        kind = SalesRequestKind(kind)
    except ValueError:
        raise bad_input(
            "申请类型须为 hold（放盘）、rename（转名）或 discount（折扣）。",
            "The kind is 'hold', 'rename' or 'discount'.",
        ) from None
    if not reason.strip():
        raise reason_required()
    deal = None
    customer = None
    site: int | None
    if deal_id is not None:
        deal = Deal.objects.filter(company_id=actor.company_id, pk=deal_id).first()
        if deal is None or (not staff_has_perm(actor, PERM_ALL) and not _is_party(actor, deal)):
            raise deal_not_found()
        unit = unit.strip() or deal.unit
        customer = deal.customer
        site = deal.site_id
    else:
        site = site_id or actor.site_id
    if customer_id is not None and customer is None:
        customer = customers_visible_to(actor).filter(pk=customer_id).first()
        if customer is None:
            raise customer_not_found()
    if site is None or not Site.objects.filter(company_id=actor.company_id, pk=site).exists():
        raise bad_input("请选择项目。", "Choose the project.")
    unit = unit.strip()
    if not unit:
        raise bad_input("请填写房号。", "Give the unit.")
    amount = None
    pct = None
    if kind == SalesRequestKind.DISCOUNT:
        pct = _percent(discount_percent)
        if discount_amount not in (None, ""):
            amount = _money(discount_amount, "折扣金额", "discount amount")
        if (amount is None) == (pct is None):
            raise bad_input(
                "折扣申请须填写折扣金额或折扣比例之一。",
                "A discount request gives either an amount or a percent.",
            )
    elif discount_amount not in (None, "") or discount_percent not in (None, ""):
        raise bad_input("只有折扣申请填写折扣。", "Only a discount request gives a discount.")
    new_subscriber = new_subscriber.strip()
    if kind == SalesRequestKind.RENAME and not new_subscriber:
        raise bad_input("转名申请须填写转名后的名字。", "A rename request names the new name.")
    row = SalesRequest.objects.create(
        company_id=actor.company_id,
        site_id=site,
        kind=kind.value,
        unit=unit,
        customer=customer,
        deal=deal,
        reason=reason.strip(),
        discount_amount=amount,
        discount_percent=pct,
        new_subscriber=new_subscriber if kind == SalesRequestKind.RENAME else "",
        hold_until=hold_until if kind == SalesRequestKind.HOLD else None,
        requested_by=actor,
    )
    _ledger(
        actor,
        "sales_request.submitted",
        {
            "request_id": row.pk,
            "kind": row.kind,
            "unit": row.unit,
            "deal_id": row.deal_id,
            "customer_id": row.customer_id,
            "reason": row.reason,
            "discount_amount": row.discount_amount,
            "discount_percent": row.discount_percent,
            "new_subscriber": row.new_subscriber,
            "hold_until": row.hold_until,
            "rule_ids": [A2_10, A7_19],
        },
        (REQUEST_SUBJECT, row.pk),
    )
    return row


@transaction.atomic
def sales_request_decide(
    *, actor: Staff, request_id: int, approve: bool, reason: str
) -> SalesRequestDecision:
    """The sales manager approves or rejects a request, with the reason (A7.19). One decision
    per request: it is final."""
    _require(
        actor, PERM_APPROVE, "审批放盘、转名、折扣申请", "decide hold, rename or discount requests"
    )
    found = (
        SalesRequest.objects.select_for_update()
        .filter(company_id=actor.company_id, pk=request_id)
        .first()
    )
    if found is None:
        raise DealError(
            DealErrorCode.REQUEST_NOT_FOUND, "未找到该申请。", "Request not found.", status=404
        )
    if not reason.strip():
        raise reason_required()
    if found.requested_by_id == actor.pk:
        raise denied("审批自己的申请", "decide your own request")
    if SalesRequestDecision.objects.filter(request=found).exists():
        raise _already_decided()
    try:
        with transaction.atomic():
            decision = SalesRequestDecision.objects.create(
                company_id=actor.company_id,
                request=found,
                approved=bool(approve),
                reason=reason.strip(),
                decided_by=actor,
            )
    except IntegrityError:
        raise _already_decided() from None
    _ledger(
        actor,
        "sales_request.decided",
        {
            "request_id": found.pk,
            "decision_id": decision.pk,
            "approved": decision.approved,
            "reason": decision.reason,
            "rule_ids": [A7_19],
        },
        (REQUEST_SUBJECT, found.pk),
    )
    return decision


def _already_decided() -> DealError:
    return DealError(
        DealErrorCode.REQUEST_DECIDED,
        "该申请已审批，审批结果为最终结果，不能重复审批。",
        "This request has already been decided; the decision is final.",
        status=409,
    )


# --- conduct records ----------------------------------------------------------------------------


def forward_kinds() -> list[str]:
    """The discipline proposal kinds a conduct record may be forwarded as: a criticism (通报批评)
    where the discipline ledger offers it as a proposal, and a fine within a range."""
    return [kind for kind in ("criticism", "fine_in_range") if kind in ProposalKind.values]


@transaction.atomic
def conduct_record(
    *,
    actor: Staff,
    salesperson_id: int,
    rule_id: str,
    facts: str,
    occurred_at: dt.datetime,
    customer_id: int | None = None,
    visit_id: int | None = None,
    corrects_id: int | None = None,
) -> ConductRecord:
    """A manager records a violation of a conduct rule against a salesperson (A2.4, A2.6, A7.1,
    A2.9, A2.11, A7.11, A2.13): evidence only, with no system effect of its own."""
    _require(actor, PERM_ALL, "记录违规", "record conduct violations")
    if rule_id not in ConductRule.values:
        raise bad_input(
            f"规则须为以下之一：{'、'.join(ConductRule.values)}。",
            f"The rule is one of {', '.join(ConductRule.values)}.",
        )
    if not facts.strip():
        raise bad_input("请写明事实经过。", "Describe what happened.")
    moment = _moment(occurred_at, timezone.now(), "发生")
    assert moment is not None
    salesperson = Staff.objects.filter(company_id=actor.company_id, pk=salesperson_id).first()
    if salesperson is None:
        raise bad_input("请选择本公司的售楼员。", "Choose a salesperson of this company.")
    customer = None
    if customer_id is not None:
        customer = Customer.objects.filter(company_id=actor.company_id, pk=customer_id).first()
        if customer is None:
            raise customer_not_found()
    visit = None
    if visit_id is not None:
        visit = Visit.objects.filter(company_id=actor.company_id, pk=visit_id).first()
        if visit is None:
            raise visit_not_found()
    corrects = None
    if corrects_id is not None:
        corrects = ConductRecord.objects.filter(company_id=actor.company_id, pk=corrects_id).first()
        if corrects is None:
            raise _conduct_not_found()
    row = ConductRecord.objects.create(
        company_id=actor.company_id,
        site_id=salesperson.site_id,
        salesperson=salesperson,
        rule_id=rule_id,
        occurred_at=moment,
        facts=facts.strip(),
        customer=customer,
        visit=visit,
        corrects=corrects,
        recorded_by=actor,
    )
    _ledger(
        actor,
        "conduct.recorded",
        {
            "record_id": row.pk,
            "salesperson_id": salesperson.pk,
            "salesperson_name": salesperson.name,
            "rule_ids": [rule_id],
            "occurred_at": moment,
            "facts": row.facts,
            "customer_id": row.customer_id,
            "visit_id": row.visit_id,
            "corrects": row.corrects_id,
        },
        (CONDUCT_SUBJECT, row.pk),
    )
    return row


def _conduct_not_found() -> DealError:
    return DealError(
        DealErrorCode.CONDUCT_NOT_FOUND,
        "未找到该违规记录。",
        "Conduct record not found.",
        status=404,
    )


@transaction.atomic
def conduct_forward(
    *,
    actor: Staff,
    record_id: int,
    kind: str,
    low: Decimal | str | None = None,
    high: Decimal | str | None = None,
    note: str = "",
) -> ConductForward:
    """Forward a conduct record to the discipline ledger as a proposal for a manager to decide
    (``discipline_proposal_post``): the rulebook gives these rules no effect beyond the record,
    so forwarding is the manager's choice. Once per record."""
    _require(actor, PERM_ALL, "转交违规记录", "forward conduct records")
    record = (
        ConductRecord.objects.select_for_update()
        .select_related("salesperson")
        .filter(company_id=actor.company_id, pk=record_id)
        .first()
    )
    if record is None:
        raise _conduct_not_found()
    if kind not in forward_kinds():
        raise bad_input(
            f"提议类型须为以下之一：{'、'.join(forward_kinds())}。",
            f"The proposal kind is one of {', '.join(forward_kinds())}.",
        )
    if ConductForward.objects.filter(record=record).exists():
        raise _already_forwarded()
    low_amount = _optional_money(low)
    high_amount = _optional_money(high)
    label = ConductRule(record.rule_id).label
    proposal = discipline_proposal_post(
        employee=record.salesperson,
        kind=kind,
        on=record.occurred_at.astimezone(rules.LOCAL_TZ).date(),
        low=low_amount,
        high=high_amount,
        reason=f"{label}：{record.facts}" + (f"（{note.strip()}）" if note.strip() else ""),
        rule_ids=[record.rule_id],
        source_type=CONDUCT_SUBJECT,
        source_id=record.pk,
        proposed_by=actor,
    )
    try:
        with transaction.atomic():
            forward = ConductForward.objects.create(
                company_id=actor.company_id,
                record=record,
                proposal_kind=kind,
                proposal_id=proposal.pk,
                low=low_amount,
                high=high_amount,
                note=note.strip(),
                forwarded_by=actor,
            )
    except IntegrityError:
        raise _already_forwarded() from None
    _ledger(
        actor,
        "conduct.forwarded",
        {
            "record_id": record.pk,
            "proposal_id": proposal.pk,
            "kind": kind,
            "low": low_amount,
            "high": high_amount,
            "rule_ids": [record.rule_id],
        },
        (CONDUCT_SUBJECT, record.pk),
    )
    return forward


def _optional_money(value: Decimal | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise bad_input("金额格式不对。", "The amount is not a number.") from None
    if not amount.is_finite():
        raise bad_input("金额格式不对。", "The amount is not a number.")
    return amount


def _already_forwarded() -> DealError:
    return DealError(
        DealErrorCode.CONDUCT_FORWARDED,
        "该违规记录已转交奖惩台账。",
        "This record has already been forwarded to the discipline ledger.",
        status=409,
    )
