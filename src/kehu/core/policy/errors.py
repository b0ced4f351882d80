"""Error codes of the policy app. Every error carries a Chinese and an English message."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from kehu.core.errors import KehuError, NotFound, PermissionDenied


class PolicyErrorCode(StrEnum):
    UNKNOWN_KEY = "policy.unknown_key"
    INVALID_VALUES = "policy.invalid_values"
    NOTE_REQUIRED = "policy.note_required"
    BACKDATED = "policy.backdated"
    NAIVE_DATETIME = "policy.naive_datetime"
    NO_CHANGE = "policy.no_change"
    VERSION_NOT_FOUND = "policy.version_not_found"
    PERMISSION_DENIED = "policy.permission_denied"
    NOT_STAFF = "policy.not_staff"
    STORED_INVALID = "policy.stored_invalid"


class PolicyKeyUnknown(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(
            PolicyErrorCode.UNKNOWN_KEY,
            f"没有名为“{key}”的规则设置。",
            f"There is no policy named “{key}”.",
            details={"key": key},
        )


class PolicyVersionNotFound(NotFound):
    def __init__(self, what: str) -> None:
        super().__init__(
            PolicyErrorCode.VERSION_NOT_FOUND,
            f"找不到规则设置版本 {what}。",
            f"Policy version {what} was not found.",
            details={"version": what},
        )


class PolicyValuesInvalid(KehuError):
    """The submitted values do not fit the schema; ``details`` lists one problem per field."""

    def __init__(self, message_zh: str, message_en: str, problems: list[dict[str, Any]]) -> None:
        super().__init__(
            PolicyErrorCode.INVALID_VALUES, message_zh, message_en, status=400, details=problems
        )


class PolicyPermissionDenied(PermissionDenied):
    def __init__(self, permission: str) -> None:
        super().__init__(
            PolicyErrorCode.PERMISSION_DENIED,
            "您没有权限执行此操作（需要权限：" + permission + "）。",
            f"You are not allowed to do this (permission needed: {permission}).",
            details={"permission": permission},
        )


class PolicyNotStaff(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            PolicyErrorCode.NOT_STAFF,
            "当前账号不是在职员工，不能查看或修改规则设置。",
            "This account is not an active staff member; it cannot read or change policies.",
        )


class PolicyStoredInvalid(KehuError):
    """A stored version no longer fits its schema: the code changed incompatibly."""

    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(
            PolicyErrorCode.STORED_INVALID,
            f"已保存的规则设置 {ref} 与当前程序的设置项不符，请联系系统管理员：{reason}",
            f"The stored policy {ref} no longer fits the program's schema: {reason}",
            status=500,
            details={"ref": ref},
        )
