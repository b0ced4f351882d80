"""API of the sales office, mounted at /api/v1/sales/."""

from ninja import Router

router = Router(tags=["sales"])
router.add_router("/rotation/", "kehu.sales.rotation_api.router")
router.add_router("/book/", "kehu.sales.registration_api.router")
router.add_router("/receptions/", "kehu.sales.reception_api.router")
