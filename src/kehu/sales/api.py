"""API of the sales office, mounted at /api/v1/sales/."""

from ninja import Router

router = Router(tags=["sales"])
router.add_router("/rotation/", "kehu.sales.rotation_api.router")
router.add_router("/book/", "kehu.sales.registration_api.router")
router.add_router("/receptions/", "kehu.sales.reception_api.router")
router.add_router("/disputes/", "kehu.sales.dispute_api.router")
router.add_router("/deals/", "kehu.sales.deal_api.router")
router.add_router("/channel/", "kehu.sales.channel_api.router")
router.add_router("/pool/", "kehu.sales.pool_api.router")
router.add_router("/alerts/", "kehu.sales.alert_api.router")
router.add_router("/reports/", "kehu.sales.report_api.router")
router.add_router("/imports/", "kehu.sales.import_api.router")
