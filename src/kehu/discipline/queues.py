"""Home-page queue counters (待办) for the rewards-and-penalties keys of
``kehu.core.web.queues``:

- ``discipline.summary`` (奖惩汇总; deputy managers, managers, department heads, general
  managers): for a post that decides proposals, the proposals waiting for their decision (the
  same list as /discipline/decisions/); for one that does not, the entries recorded this month on
  the ledgers they may read;
- ``discipline.appeals`` (申诉待调查; HR): counted by the appeals module
  (``appeals_selectors.appeal_count_to_investigate``), which registers itself; importing it here
  makes sure it has registered when this module has.

Imported by ``kehu.discipline.urls``, which every request loads before a view runs.
"""

from __future__ import annotations

import importlib
import importlib.util

from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.core.web.queues import queue_counter
from kehu.discipline import selectors
from kehu.discipline.models import DisciplineEntry

SUMMARY_KEY = "discipline.summary"
APPEALS_KEY = "discipline.appeals"


@queue_counter(SUMMARY_KEY)
def discipline_summary_count(staff: Staff) -> int:
    if staff_has_perm(staff, selectors.PERM_DECIDE):
        return len(selectors.proposals_queue_for(staff))
    month_start = selectors.local_today().replace(day=1)
    visible = selectors.employees_visible_to(staff).values("pk")
    return DisciplineEntry.objects.filter(
        company_id=staff.company_id, employee_id__in=visible, on__gte=month_start
    ).count()


if importlib.util.find_spec("kehu.discipline.appeals_selectors") is not None:
    importlib.import_module("kehu.discipline.appeals_selectors")
