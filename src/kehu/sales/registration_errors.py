"""Error codes of the registration book, the phone-enquiry book and follow-ups."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from kehu.core.errors import KehuError


class BookErrorCode(StrEnum):
    PERMISSION_DENIED = "sales.book.permission_denied"
    NOT_FOUND = "sales.book.not_found"
    ALREADY_REGISTERED = "sales.book.already_registered"
    CUSTOMER_EXISTS = "sales.book.customer_exists"
    ALREADY_CONFIRMED = "sales.book.already_confirmed"
    BAD_INPUT = "sales.book.bad_input"
    REASON_REQUIRED = "sales.book.reason_required"
    RECEIVER_INVALID = "sales.book.receiver_invalid"
    SITE_REQUIRED = "sales.book.site_required"
    VISIT_IN_FUTURE = "sales.book.visit_in_future"
    SUPERSEDED = "sales.book.superseded"


class BookError(KehuError):
    pass


class BookPermissionDenied(BookError):
    status = 403

    def __init__(self, what_zh: str, what_en: str, perm: str) -> None:
        super().__init__(
            BookErrorCode.PERMISSION_DENIED,
            f"您的岗位无权{what_zh}（需要权限 {perm}）。",
            f"Your post may not {what_en} (needs permission {perm}).",
            details={"permission": perm},
        )


class BookNotFound(BookError):
    """Not there, another company's, or not the caller's to see: all look the same (404)."""

    status = 404

    def __init__(self, what_zh: str = "登记", what_en: str = "registration") -> None:
        super().__init__(
            BookErrorCode.NOT_FOUND,
            f"找不到该{what_zh}，或您无权查看。",
            f"No such {what_en}, or you may not see it.",
        )


class AlreadyRegistered(BookError):
    """A1.5: the first registration wins. Says who registered the customer first, and when."""

    status = 409

    def __init__(
        self,
        *,
        by_name: str,
        at_text: str,
        keys_zh: str,
        keys_en: str,
        details: dict[str, Any],
    ) -> None:
        super().__init__(
            BookErrorCode.ALREADY_REGISTERED,
            f"已由 {by_name} 于 {at_text} 登记（相同要素：{keys_zh}；A7.4，先登记者为准 A1.5）。"
            "如是老客户再次来访，请在匹配结果中选择该客户后登记。",
            f"Already registered by {by_name} at {at_text} (same {keys_en}; A7.4, the first "
            "registration wins A1.5). If this is a returning customer, choose them among the "
            "matches and register the visit.",
            details=details,
        )


def customer_exists(*, owner_name: str, keys_zh: str, keys_en: str, customer_id: int) -> BookError:
    return BookError(
        BookErrorCode.CUSTOMER_EXISTS,
        f"客户档案中已有该客户（负责人：{owner_name}；相同要素：{keys_zh}，A7.4）。"
        "请在匹配结果中选择该客户后登记。",
        f"This customer is already on file (owner: {owner_name}; same {keys_en}, A7.4). "
        "Choose them among the matches and register the visit.",
        status=409,
        details={"customer_id": customer_id},
    )


def bad_input(message_zh: str, message_en: str, field: str = "") -> BookError:
    return BookError(
        BookErrorCode.BAD_INPUT,
        message_zh,
        message_en,
        details={"field": field} if field else None,
    )
