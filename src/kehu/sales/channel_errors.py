"""Error codes of channel reports, the public pool and alerts (each with Chinese and English)."""

from __future__ import annotations

from typing import Any

from kehu.core.errors import KehuError


class ChannelError(KehuError):
    """Codes ``sales.channel.*``, ``sales.pool.*``, ``sales.alert.*``."""


def not_found(what_zh: str, what_en: str, code: str = "sales.channel.not_found") -> ChannelError:
    return ChannelError(code, f"未找到该{what_zh}。", f"{what_en} not found.", status=404)


def permission_denied(what_zh: str, what_en: str, perm: str, area: str = "channel") -> ChannelError:
    return ChannelError(
        f"sales.{area}.permission_denied",
        f"您的岗位无权{what_zh}（需要权限 {perm}）。",
        f"Your post may not {what_en} (needs permission {perm}).",
        status=403,
        details={"permission": perm},
    )


def bad_input(message_zh: str, message_en: str, field: str, area: str = "channel") -> ChannelError:
    return ChannelError(
        f"sales.{area}.bad_input", message_zh, message_en, status=400, details={"field": field}
    )


def already_reported(
    *, agent: str, channel: str, at_text: str, until_text: str, details: dict[str, Any]
) -> ChannelError:
    return ChannelError(
        "sales.channel.already_reported",
        f"该电话已由 {channel}·{agent} 于 {at_text} 报备，保护期至 {until_text}，"
        "不能重复报备（X7.2）。",
        f"This phone was reported by {agent} ({channel}) at {at_text}, protected until "
        f"{until_text}; it cannot be reported again (X7.2).",
        status=409,
        details=details,
    )


def already_customer(*, by: str, at_text: str, details: dict[str, Any]) -> ChannelError:
    return ChannelError(
        "sales.channel.already_customer",
        f"该电话已是本案场登记客户（{by} 于 {at_text} 登记），不能报备（X7.2）。",
        f"This phone is already a registered customer of the office (registered by {by} at "
        f"{at_text}); it cannot be reported (X7.2).",
        status=409,
        details=details,
    )


def quota_used(*, quota: int, details: dict[str, Any]) -> ChannelError:
    return ChannelError(
        "sales.pool.quota_used",
        f"今天的认领名额（{quota} 个）已用完，明天再来认领（X7.5）。",
        f"Today's claim quota ({quota}) is used up; claim again tomorrow (X7.5).",
        status=409,
        details=details,
    )


def not_in_pool() -> ChannelError:
    return ChannelError(
        "sales.pool.not_in_pool",
        "该客户已不在公客池中（可能已被认领）。",
        "This customer is no longer in the pool (perhaps already claimed).",
        status=409,
    )
