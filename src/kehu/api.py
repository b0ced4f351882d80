"""The HTTP API at /api/v1 (OpenAPI at /api/v1/openapi.json).

Placeholder root; the API-shell work adds auth, the error format and pagination.
"""

from ninja import NinjaAPI

api = NinjaAPI(title="kehu API", version="1", urls_namespace="api")
