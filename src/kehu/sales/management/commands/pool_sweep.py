"""``manage.py pool_sweep``: return every salesperson's neglected customers to the pool (X7.4).

The same service call as the daily Huey job (``kehu.sales.tasks.pool_sweep_daily``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kehu.sales.pool_services import pool_sweep_all


class Command(BaseCommand):
    help = "公客池回收：把超过 N 天无跟进的客户退回公客池（X7.4）。"

    def handle(self, *args: Any, **options: Any) -> None:
        returned = pool_sweep_all()
        self.stdout.write(
            f"退回公客池 {returned} 位客户 (returned {returned} customers to the pool)"
        )
