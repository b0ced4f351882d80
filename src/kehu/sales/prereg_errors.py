"""Errors of pre-registrations (A7.10): codes ``prereg.*``, Chinese and English."""

from __future__ import annotations

import datetime as dt

from kehu.core.errors import KehuError
from kehu.sales.dispute_errors import local_minute


class PreRegistrationError(KehuError):
    """A pre-registration that cannot be recorded or read (codes ``prereg.*``)."""


def prereg_not_allowed() -> PreRegistrationError:
    return PreRegistrationError(
        "prereg.not_allowed",
        "您的岗位不能预先登记介绍客户（A7.10）。",
        "Your post cannot pre-register introduced customers (A7.10).",
        status=403,
    )


def introducer_not_found() -> PreRegistrationError:
    return PreRegistrationError(
        "prereg.introducer_not_found",
        "未找到介绍人（老客户）。",
        "The introducing customer was not found.",
        status=404,
    )


def introducer_not_yours(*, salesperson: str) -> PreRegistrationError:
    return PreRegistrationError(
        "prereg.introducer_not_yours",
        f"介绍人不是{salesperson}的客户：介绍登记由介绍人（老客户）的售楼员办理（A7.10）。",
        f"The introducing customer is not {salesperson}'s: the introduction is registered by "
        "the introducing customer's salesperson (A7.10).",
        status=422,
    )


def salesperson_invalid() -> PreRegistrationError:
    return PreRegistrationError(
        "prereg.salesperson_invalid",
        "预先登记的售楼员须为本公司在职的售楼员。",
        "The pre-registering salesperson must be an active salesperson of this company.",
        status=422,
    )


def identity_required() -> PreRegistrationError:
    return PreRegistrationError(
        "prereg.identity_required",
        "请至少填写一项身份要素：被介绍人的全名、联系电话，或车辆品牌+车牌号（A7.4）。",
        "Give at least one identity key of the introduced person: full name, phone, or car "
        "brand and plate (A7.4).",
        status=422,
    )


def car_incomplete() -> PreRegistrationError:
    return PreRegistrationError(
        "prereg.car_incomplete",
        "车辆要素须同时填写车辆品牌、车牌号和被介绍人的姓氏（A7.4）。",
        "The car key needs the brand, the plate and the introduced person's surname (A7.4).",
        status=422,
    )


def phone_invalid(raw: str) -> PreRegistrationError:
    return PreRegistrationError(
        "prereg.phone_invalid",
        f"联系电话“{raw}”无效：手机为 1 开头的 11 位数字，固话须带区号。",
        f"The phone number “{raw}” is invalid: mobiles have 11 digits starting with 1, "
        "landlines need their area code.",
        status=422,
        details={"contact": raw},
    )


def already_visited(*, receiver: str, visited_at: dt.datetime) -> PreRegistrationError:
    when = local_minute(visited_at)
    return PreRegistrationError(
        "prereg.already_visited",
        f"被介绍人已于{when}来访并由{receiver}接待登记；预先登记须在来访之前（A7.10）。",
        f"The introduced person already visited at {when} and was registered by {receiver}; a "
        "pre-registration comes before the visit (A7.10).",
        status=409,
        details={"receiver": receiver, "visited_at": visited_at.isoformat()},
    )
