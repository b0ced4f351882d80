"""API of the sales office's 公客池（未跟进客户回收、每日领取上限）.

Mounted at /api/v1/sales/pool/.
"""

from ninja import Router

router = Router(tags=["sales 公客池（未跟进客户回收、每日领取上限）"])
