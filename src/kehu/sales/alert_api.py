"""API of the sales office's 异常行为提醒（频繁修改、频繁变更归属）.

Mounted at /api/v1/sales/alerts/.
"""

from ninja import Router

router = Router(tags=["sales 异常行为提醒（频繁修改、频繁变更归属）"])
