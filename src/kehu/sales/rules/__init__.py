"""The sales office's ownership and commission engine (Part S: A1, A2, A5, A7), pure Python.

``decide_ownership(facts, policy, names)`` takes what is known about one visit
(``OwnershipFacts``: the ``Visit``, the ``Claim``\\ s other registrations, phone enquiries,
pre-registrations and family links give, the ``Deal``, ``Consent``\\ s and A7.20 ``Ruling``\\ s, and
the current time) and the ``OwnershipPolicy`` in force, and returns an ``OwnershipDecision``:
owner before and after, the clause that decided (first applicable in ``EVALUATION_ORDER``), each
receiver's ``TurnEffect``, the deal's ``DealShares``, flags, a ``FineProposal`` for a grab, a
Chinese explanation and the rule IDs. ``decision.as_json()`` is what the API and the replay CLI
print. docs/sales-rules.md explains every rule with a worked example.

No Django, no I/O, no clock.
"""

from kehu.sales.rules.commission import (
    SHARE_ROLE_LABELS,
    Deal,
    DealShares,
    Share,
    ShareRole,
    Split,
    check_shares,
    deal_shares,
)
from kehu.sales.rules.ownership import (
    ARRIVAL_LABELS,
    CLAIM_KIND_LABELS,
    FLAG_LABELS,
    PUBLIC_KIND_LABELS,
    Arrival,
    Claim,
    ClaimKind,
    Consent,
    FineProposal,
    Flag,
    Handling,
    NamesakeHorizon,
    Outcome,
    OwnershipDecision,
    OwnershipFacts,
    PublicKind,
    Ruling,
    RulingKind,
    Visit,
    decide_ownership,
    decision_as_json,
    namesake_horizon,
)
from kehu.sales.rules.turns import (
    MAKEUP_CAUSE_LABELS,
    MAKEUP_CAUSE_RULES,
    TURN_OUTCOME_LABELS,
    MakeupCause,
    TurnEffect,
    TurnOutcome,
)
from kehu.sales.rules.vocabulary import (
    EVALUATION_ORDER,
    GROUP_BUY,
    OWNER_KIND_LABELS,
    RULE_TITLES_EN,
    RULE_TITLES_ZH,
    SALES_DEPARTMENT,
    Owner,
    OwnerKind,
    OwnershipPolicy,
    ProtectionAnchor,
    SkipMakeup,
    TransferDealSplit,
)
from kehu.sales.rules.windows import LOCAL_TZ, WindowCheck, days_between, local_day, window_check

__all__ = [
    "ARRIVAL_LABELS",
    "CLAIM_KIND_LABELS",
    "EVALUATION_ORDER",
    "FLAG_LABELS",
    "GROUP_BUY",
    "LOCAL_TZ",
    "MAKEUP_CAUSE_LABELS",
    "MAKEUP_CAUSE_RULES",
    "OWNER_KIND_LABELS",
    "PUBLIC_KIND_LABELS",
    "RULE_TITLES_EN",
    "RULE_TITLES_ZH",
    "SALES_DEPARTMENT",
    "SHARE_ROLE_LABELS",
    "TURN_OUTCOME_LABELS",
    "Arrival",
    "Claim",
    "ClaimKind",
    "Consent",
    "Deal",
    "DealShares",
    "FineProposal",
    "Flag",
    "Handling",
    "MakeupCause",
    "NamesakeHorizon",
    "Outcome",
    "Owner",
    "OwnerKind",
    "OwnershipDecision",
    "OwnershipFacts",
    "OwnershipPolicy",
    "ProtectionAnchor",
    "PublicKind",
    "Ruling",
    "RulingKind",
    "Share",
    "ShareRole",
    "SkipMakeup",
    "Split",
    "TransferDealSplit",
    "TurnEffect",
    "TurnOutcome",
    "Visit",
    "WindowCheck",
    "check_shares",
    "days_between",
    "deal_shares",
    "decide_ownership",
    "decision_as_json",
    "local_day",
    "namesake_horizon",
    "window_check",
]
