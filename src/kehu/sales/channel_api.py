"""API of the sales office's 渠道报备（保护期、到访为王）, mounted at /api/v1/sales/channel/."""

from ninja import Router

router = Router(tags=["sales 渠道报备（保护期、到访为王）"])
