"""API of the sales office's 案场报表（轮排公平、来访→成交、撞单、业绩）.

Mounted at /api/v1/sales/reports/.
"""

from ninja import Router

router = Router(tags=["sales 案场报表（轮排公平、来访→成交、撞单、业绩）"])
