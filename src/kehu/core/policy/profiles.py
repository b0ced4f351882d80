"""Profiles: the defaults a kind of company starts from, as overrides of the rulebook's.

A profile is code, not data: it says how the regulations read for a real-estate sales office,
a property company, a gas utility, a power supplier or a tobacco distributor. A company's own
versions (``PolicyVersion``) are applied on top of its profile.

The rulebook's numbers are written for the real-estate sales office (Part S), so that profile
keeps them. Other apps add their overrides from their own ``policy.py`` with
``register_policy_profile(kind, key, {...})``.
"""

from __future__ import annotations

from typing import Any

from kehu.core.org.models import CompanyKind
from kehu.core.policy.registry import register_policy_profile

KERNEL_PROFILES: dict[str, dict[str, dict[str, Any]]] = {
    CompanyKind.REAL_ESTATE: {},
    # A9.7 (定期拜访客户): a property company visits its residents on a regular round rather
    # than chasing buyers. Reading: the round is monthly, so "no follow-up" means 30 days.
    CompanyKind.PROPERTY: {"customers": {"follow_up_days": 30}},
    CompanyKind.GAS: {},
    CompanyKind.POWER: {},
    CompanyKind.TOBACCO: {},
}

for _kind, _keys in KERNEL_PROFILES.items():
    for _key, _overrides in _keys.items():
        register_policy_profile(str(_kind), _key, _overrides)
