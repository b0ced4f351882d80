"""Error codes of the customers app, with messages that tell staff what to fix."""

from __future__ import annotations

from enum import StrEnum

from kehu.core.customers.rules import IdNumberInvalid, PhoneNumberInvalid, PhoneProblem
from kehu.core.errors import KehuError, NotFound, PermissionDenied


class CustomerErrorCode(StrEnum):
    NOT_FOUND = "customers.not_found"
    PHONE_NOT_FOUND = "customers.phone_not_found"
    NAME_OR_PHONE_REQUIRED = "customers.name_or_phone_required"
    PHONE_INVALID = "customers.phone_invalid"
    PHONE_DUPLICATE = "customers.phone_duplicate"
    ID_NUMBER_INVALID = "customers.id_number_invalid"
    PERMISSION_DENIED = "customers.permission_denied"
    REVEAL_DENIED = "customers.reveal_denied"
    FAMILY_SELF = "customers.family_self"
    FAMILY_EXISTS = "customers.family_exists"
    RELATION_INVALID = "customers.relation_invalid"
    BATCH_TOO_SMALL = "customers.batch_too_small"
    SITE_INVALID = "customers.site_invalid"
    OWNER_INVALID = "customers.owner_invalid"
    POLICY_INVALID = "customers.policy_invalid"


class CustomerNotFound(NotFound):
    """Raised for rows of other companies too, so their existence does not leak."""

    def __init__(self) -> None:
        super().__init__(
            CustomerErrorCode.NOT_FOUND,
            "找不到该客户，或您无权查看。",
            "Customer not found, or you may not see it.",
        )


class CustomerPhoneNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(
            CustomerErrorCode.PHONE_NOT_FOUND,
            "该客户没有这个电话号码。",
            "This customer has no such phone number.",
        )


class CustomerPermissionDenied(PermissionDenied):
    def __init__(self, action_zh: str, action_en: str, permission: str) -> None:
        super().__init__(
            CustomerErrorCode.PERMISSION_DENIED,
            f"您的岗位没有{action_zh}的权限（需要权限 {permission}）。",
            f"Your post may not {action_en} (needs permission {permission}).",
            details={"permission": permission},
        )


class RevealDenied(PermissionDenied):
    def __init__(self, field_zh: str, field_en: str, permission: str) -> None:
        super().__init__(
            CustomerErrorCode.REVEAL_DENIED,
            f"您的岗位无权查看完整{field_zh}；本次请求已记录。",
            f"Your post may not see the full {field_en}; this request has been logged.",
            details={"permission": permission},
        )


_EXPECTED_ZH = (
    "手机号应为 11 位、以 1 开头（如 138 0013 8000，可带 +86）；"
    "固定电话请带区号（如 010-12345678、0571-88886666）；境外号码请以 + 和国家代码开头。"
)
_EXPECTED_EN = (
    "Mainland mobiles have 11 digits starting with 1 (e.g. 138 0013 8000, +86 optional); "
    "landlines need their area code (e.g. 010-12345678); foreign numbers start with + and "
    "the country code."
)


def phone_invalid(exc: PhoneNumberInvalid) -> KehuError:
    """A Chinese message saying what is wrong with the number and what is expected."""
    raw = exc.raw.strip()
    problem = exc.problem
    if problem == PhoneProblem.EMPTY:
        zh, en = "电话号码为空。", "The phone number is empty."
    elif problem == PhoneProblem.NOT_DIGITS:
        zh = f"电话号码“{raw}”含有数字以外的字符（只可用数字、+、空格、短横线）。"
        en = f"The phone number “{raw}” contains characters other than digits, +, spaces, dashes."
    elif problem == PhoneProblem.MOBILE_LENGTH:
        zh = f"手机号“{raw}”位数不对：大陆手机号应为 11 位，现在是 {exc.digit_count} 位。"
        en = f"The mobile number “{raw}” has {exc.digit_count} digits; mainland mobiles have 11."
    elif problem == PhoneProblem.MOBILE_PREFIX:
        zh = f"手机号“{raw}”无效：大陆手机号以 13–19 开头。"
        en = f"The mobile number “{raw}” is invalid: mainland mobiles start with 13–19."
    elif problem == PhoneProblem.LANDLINE_NEEDS_AREA_CODE:
        zh = f"固定电话“{raw}”缺少区号：请写成“区号-号码”。"
        en = f"The landline “{raw}” lacks its area code: write it as area code-number."
    else:
        zh = f"电话号码“{raw}”无法识别。"
        en = f"The phone number “{raw}” is not recognised."
    return KehuError(
        CustomerErrorCode.PHONE_INVALID,
        f"{zh}{_EXPECTED_ZH}",
        f"{en} {_EXPECTED_EN}",
        details={"problem": str(problem), "value": raw},
    )


def id_number_invalid(exc: IdNumberInvalid) -> KehuError:
    if exc.reason == "checksum":
        zh = "身份证号校验位不对，请核对后重新填写（18 位，最后一位可为 X）。"
        en = "The ID number's check digit is wrong; please check it (18 characters, last may be X)."
    else:
        zh = "证件号码格式不对：居民身份证为 18 位（最后一位可为 X），其他证件只填字母和数字。"
        en = (
            "The ID number is malformed: resident IDs have 18 characters (last may be X); "
            "other documents use letters and digits only."
        )
    return KehuError(CustomerErrorCode.ID_NUMBER_INVALID, zh, en, details={"reason": exc.reason})


def name_or_phone_required() -> KehuError:
    return KehuError(
        CustomerErrorCode.NAME_OR_PHONE_REQUIRED,
        "请至少填写客户姓名或一个联系电话。",
        "Give at least the customer's name or one phone number.",
    )
