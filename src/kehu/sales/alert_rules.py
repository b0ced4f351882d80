"""Suspicious-pattern alerts: pure counting over evidence rows. No Django, no clock.

Beyond the regulations (issue #4 item 7, ``docs/channel-pool.md``):

- **X7.6** A staff member who wrote at least C corrections of registration lines within D days
  (policy ``alert_correction_threshold`` / ``alert_correction_window_days``). The book may be
  corrected only by new lines (A1.2); many corrections are worth a manager's look.
- **X7.7** A customer whose owner changed more than K times within D days (policy
  ``alert_owner_change_limit`` / ``alert_owner_change_window_days``): ownership decisions that
  moved the customer, returns to the pool and claims from it.
- **X7.8** A salesperson who claimed at least C customers within H hours of their return to the
  pool, within D days (policy ``alert_quick_claim_*``): a pattern of waiting for customers to
  drop — close to picking customers, which A2.4 / A7.1 forbid on the floor.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

RULE_CORRECTIONS = "X7.6"
RULE_OWNER_CHANGES = "X7.7"
RULE_QUICK_CLAIMS = "X7.8"


@dataclass(frozen=True)
class Evidence:
    """One row the detector counted: ``ref`` is ``"<table>:<id>"``."""

    subject: str
    ref: str
    at: dt.datetime


@dataclass(frozen=True)
class Finding:
    subject: str
    count: int
    threshold: int
    evidence: tuple[Evidence, ...]
    rule_ids: tuple[str, ...]


def count_in_window(
    rows: Iterable[Evidence],
    *,
    start: dt.datetime,
    end: dt.datetime,
    threshold: int,
    strictly_above: bool,
    rule_ids: tuple[str, ...],
) -> list[Finding]:
    """Subjects whose rows in ``[start, end]`` reach ``threshold`` (or pass it, when
    ``strictly_above``), each with the rows counted, oldest first; subjects sorted."""
    by_subject: dict[str, list[Evidence]] = defaultdict(list)
    for row in rows:
        if start <= row.at <= end:
            by_subject[row.subject].append(row)
    findings = []
    for subject in sorted(by_subject):
        counted = sorted(by_subject[subject], key=lambda e: (e.at, e.ref))
        n = len(counted)
        if n > threshold if strictly_above else n >= threshold:
            findings.append(Finding(subject, n, threshold, tuple(counted), rule_ids))
    return findings


def is_quick_claim(*, returned_at: dt.datetime, claimed_at: dt.datetime, hours: int) -> bool:
    """A claim within ``hours`` of the customer's return to the pool (X7.8)."""
    return returned_at <= claimed_at <= returned_at + dt.timedelta(hours=hours)
