"""Who am I, and API tokens (mounted at /api/v1/ by kehu/api.py).

``GET /me`` answers for the caller; ``/tokens`` lets a staff member issue, list and revoke
their own bearer tokens. Issuing needs a logged-in browser session: a token cannot mint more
tokens, so revoking a leaked token is enough to shut it out.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kehu.core.org.models import ApiToken
from kehu.core.org.selectors import api_tokens_for_staff, staff_profile
from kehu.core.org.services import api_token_issue, api_token_revoke
from kehu.core.web.api_support import KehuPagination, StaffSessionAuth, request_staff

router = Router(tags=["org 组织"])


class CompanyOut(Schema):
    code: str
    name: str
    kind: str


class MeOut(Schema):
    username: str
    name: str = Field(description="姓名")
    post: str = Field(description="岗位代码，如 salesperson")
    post_label: str = Field(description="岗位名称（按请求语言）")
    company: CompanyOut
    site: str | None
    department: str | None
    team: str | None
    supervisor: str | None
    permissions: list[str]


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="用途，例如“报表脚本”")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssuedOut(TokenOut):
    key: str = Field(description="令牌本身，只显示这一次；请妥善保存 / shown once, store it safely")


def _token_out(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/me", response=MeOut, summary="我是谁 / who am I")
def me(request: HttpRequest) -> dict[str, object]:
    return staff_profile(staff=request_staff(request))


@router.post(
    "/tokens",
    response={201: TokenIssuedOut},
    auth=[StaffSessionAuth()],
    summary="签发 API 令牌（需登录会话）/ issue a token (browser session only)",
)
def token_issue(request: HttpRequest, payload: TokenIn) -> Status:
    issued = api_token_issue(staff=request_staff(request), name=payload.name, request=request)
    return Status(201, {**_token_out(issued.token), "key": issued.key})


@router.get("/tokens", response=list[TokenOut], summary="我的 API 令牌 / my tokens")
@paginate(KehuPagination)
def token_list(request: HttpRequest) -> object:
    return api_tokens_for_staff(staff=request_staff(request))


@router.delete("/tokens/{token_id}", response=TokenOut, summary="撤销令牌 / revoke a token")
def token_revoke(request: HttpRequest, token_id: int) -> dict[str, object]:
    return _token_out(api_token_revoke(staff=request_staff(request), token_id=token_id))
