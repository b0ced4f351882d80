"""``facts_as_json(facts)``: one case of the replay input of ``kehu rules sales``.

Every stored ownership decision keeps the facts it was decided from in this form
(``OwnershipDecision.facts``), so a day or a month of live decisions can be put in a replay file
(``{"cases": [...]}``) and replayed through the same rules (docs/rules-cli.md). Parsing the
output with ``kehu.sales.replay`` gives back equal facts, provided the file's
``identity.full_name_alone`` is the setting the matches were made under (a full-name-only match
needs confirmation by default, A7.4 reading).

Pure: no Django, no I/O, no clock. Times are written as ISO 8601 with their offset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kehu.sales.rules.commission import Deal, Share
from kehu.sales.rules.ownership import Claim, Consent, OwnershipFacts, Ruling, Visit
from kehu.sales.rules.vocabulary import Owner


def _at(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _owner(owner: Owner) -> dict[str, str]:
    return {"kind": owner.kind.value, "salesperson": owner.salesperson}


def _share(share: Share) -> dict[str, Any]:
    return {
        "party": _owner(share.party),
        "role": share.role.value,
        "percent": str(share.percent),
        "cancelled": share.cancelled,
    }


def _visit(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "arrived_at": _at(visit.arrived_at),
        "receiver": visit.receiver,
        "arrival": visit.arrival.value,
        "named": visit.named,
        "named_present": visit.named_present,
        "helpers": list(visit.helpers),
        "public_kind": visit.public_kind.value if visit.public_kind else None,
        "business_card_given": visit.business_card_given,
        "found_public_at": _at(visit.found_public_at),
        "registered_at": _at(visit.registered_at),
        "came_for": visit.came_for,
        "came_for_said_at": _at(visit.came_for_said_at),
        "handling": visit.handling.value if visit.handling else None,
        "receiver_knew": visit.receiver_knew,
    }


def _claim(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "kind": claim.kind.value,
        "holder": claim.holder,
        "since": _at(claim.since),
        "found_at": _at(claim.found_at),
        "found_by": claim.found_by,
        "match": {
            "keys": [key.value for key in claim.match.keys],
            "matched_phones": list(claim.match.matched_phones),
        },
        "last_holder_visit_at": _at(claim.last_holder_visit_at),
        "deal_at": _at(claim.deal_at),
        "holder_on_site": claim.holder_on_site,
        "holder_reachable": claim.holder_reachable,
        "public": claim.public,
    }


def _deal(deal: Deal) -> dict[str, Any]:
    return {
        "id": deal.id,
        "closer": deal.closer,
        "deposit_paid_at": _at(deal.deposit_paid_at),
        "subscription_signed_at": _at(deal.subscription_signed_at),
        "subscriber": deal.subscriber,
    }


def _consent(consent: Consent) -> dict[str, Any]:
    return {
        "holder": consent.holder,
        "receiver": consent.receiver,
        "given": consent.given,
        "at": _at(consent.at),
    }


def _ruling(ruling: Ruling) -> dict[str, Any]:
    return {
        "kind": ruling.kind.value,
        "ruled_at": _at(ruling.ruled_at),
        "ruled_by": ruling.ruled_by,
        "reason": ruling.reason,
        "claim_id": ruling.claim_id,
        "owner": _owner(ruling.owner) if ruling.owner else None,
        "shares": [_share(s) for s in ruling.shares],
    }


def facts_as_json(facts: OwnershipFacts, case_id: str | None = None) -> dict[str, Any]:
    """One replay case (``cases[i]`` of a ``kehu rules sales`` input) holding ``facts``; its id
    is ``case_id`` or the visit's id."""
    return {
        "id": case_id or facts.visit.id,
        "now": _at(facts.now),
        "visit": _visit(facts.visit),
        "claims": [_claim(c) for c in facts.claims],
        "deal": _deal(facts.deal) if facts.deal else None,
        "consents": [_consent(c) for c in facts.consents],
        "rulings": [_ruling(r) for r in facts.rulings],
    }
