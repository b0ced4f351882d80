"""The HTTP API at /api/v1 (OpenAPI at /api/v1/openapi.json, Swagger page at /api/v1/docs).

Each app owns a ``router`` in its ``api.py``; this module mounts them. What every endpoint
shares — ``request.auth`` is the calling Staff (bearer token or browser session), one error
format, ``KehuPagination`` — lives in ``kehu.core.web.api_support``; docs/operations.md
describes it for API users.
"""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from kehu.core.web.api_support import (
    BearerTokenAuth,
    KehuJSONRenderer,
    StaffSessionAuth,
    install_error_handlers,
)

api = NinjaAPI(
    title="kehu API",
    version="1",
    description=(
        "kehu 客户管理 API。认证：`Authorization: Bearer kehu_…`（API 令牌）或浏览器登录会话"
        "（非 GET 请求需带 X-CSRFToken）。错误统一为 "
        '`{"error": {"code", "message", "details"}}`，message 按请求语言（Accept-Language）返回。'
    ),
    urls_namespace="api",
    # Bearer first: a script's POST carries no CSRF token and must not trip the session check.
    auth=[BearerTokenAuth(), StaffSessionAuth()],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    renderer=KehuJSONRenderer(),
)
install_error_handlers(api)

api.add_router("/", "kehu.core.org.api.router")
api.add_router("/calendar/", "kehu.core.calendar.api.router")
api.add_router("/ledger/", "kehu.core.ledger.api.router")
api.add_router("/customers/", "kehu.core.customers.api.router")
api.add_router("/policy/", "kehu.core.policy.api.router")
api.add_router("/discipline/", "kehu.discipline.api.router")
api.add_router("/sales/", "kehu.sales.api.router")
api.add_router("/complaints/", "kehu.complaints.api.router")
