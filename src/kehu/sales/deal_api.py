"""API of the sales office's 成交、业绩台账、放盘/转名/折扣申请（A7.17, A7.19）与违规记录.

Mounted at /api/v1/sales/deals/.
"""

from ninja import Router

router = Router(tags=["sales 成交、业绩台账、放盘/转名/折扣申请（A7.17, A7.19）与违规记录"])
