"""The HTTP API at /api/v1 (OpenAPI at /api/v1/openapi.json).

Each app owns a ``router`` in its ``api.py``; this module mounts them. The API-shell work adds
auth, the error format and pagination here.
"""

from ninja import NinjaAPI

api = NinjaAPI(title="kehu API", version="1", urls_namespace="api")

api.add_router("/calendar/", "kehu.core.calendar.api.router")
api.add_router("/ledger/", "kehu.core.ledger.api.router")
api.add_router("/customers/", "kehu.core.customers.api.router")
api.add_router("/policy/", "kehu.core.policy.api.router")
