"""API of the sales office's 归属争议与裁决（A7.20）, mounted at /api/v1/sales/disputes/."""

from ninja import Router

router = Router(tags=["sales 归属争议与裁决（A7.20）"])
