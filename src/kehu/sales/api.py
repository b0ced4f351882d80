"""API of the sales office, mounted at /api/v1/sales/."""

from ninja import Router

router = Router(tags=["sales"])
router.add_router("/rotation/", "kehu.sales.rotation_api.router")
