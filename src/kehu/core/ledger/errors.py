"""Error codes of the evidence ledger, each with a Chinese and an English message."""

from __future__ import annotations

from enum import StrEnum

from kehu.core.errors import KehuError, NotFound, PermissionDenied
from kehu.core.ledger import rules


class LedgerErrorCode(StrEnum):
    BAD_STREAM = "ledger.bad_stream"
    BAD_KIND = "ledger.bad_kind"
    BAD_PAYLOAD = "ledger.bad_payload"
    BAD_SUBJECT = "ledger.bad_subject"
    REASON_REQUIRED = "ledger.reason_required"
    CORRECTION_OTHER_STREAM = "ledger.correction_other_stream"
    ENTRY_NOT_FOUND = "ledger.entry_not_found"
    PERMISSION_DENIED = "ledger.permission_denied"
    NOT_STAFF = "ledger.not_staff"
    BAD_HEADS = "ledger.bad_heads"
    UNKNOWN_COMPANY = "ledger.unknown_company"


class LedgerBadStream(KehuError):
    def __init__(self, name: str) -> None:
        super().__init__(
            LedgerErrorCode.BAD_STREAM,
            f"账本名 {name!r} 不合规：须以小写字母开头，"
            "只含小写字母、数字和下划线，最多 40 个字符。",
            f"Stream name {name!r} is not valid: start with a lower-case letter, use only "
            "lower-case letters, digits and underscores, at most 40 characters.",
            details={"stream": name},
        )


class LedgerBadKind(KehuError):
    def __init__(self, kind: str) -> None:
        super().__init__(
            LedgerErrorCode.BAD_KIND,
            f"记录类别 {kind!r} 不合规：须以小写字母开头，只含小写字母、数字、下划线和点，"
            "最多 40 个字符。",
            f"Entry kind {kind!r} is not valid: start with a lower-case letter, use only "
            "lower-case letters, digits, underscores and dots, at most 40 characters.",
            details={"kind": kind},
        )


class LedgerBadPayload(KehuError):
    def __init__(self, error: rules.NotCanonical | None = None) -> None:
        if error is None:
            zh, en, path = (
                "记录内容必须是一个 JSON 对象（字典）。",
                "The payload must be a JSON object.",
                "payload",
            )
        else:
            zh = f"记录内容 {error.path} 无法存入账本：{error.reason_zh}。"
            en = f"The payload's {error.path} cannot be stored in the ledger: {error.reason_en}."
            path = error.path
        super().__init__(LedgerErrorCode.BAD_PAYLOAD, zh, en, details={"path": path})


class LedgerBadSubject(KehuError):
    def __init__(self) -> None:
        super().__init__(
            LedgerErrorCode.BAD_SUBJECT,
            "关联的业务记录必须已保存（有主键），或写成（类型，编号）。",
            "The subject must be a saved row (with a primary key) or a (type, id) pair.",
        )


class LedgerReasonRequired(KehuError):
    def __init__(self) -> None:
        super().__init__(
            LedgerErrorCode.REASON_REQUIRED,
            "更正账本记录必须写明理由：原记录不会被修改，更正作为新记录追加并引用原记录。",
            "A correction must give a reason: the original entry is never changed; the "
            "correction is appended as a new entry that references it.",
        )


class LedgerCorrectionOtherStream(KehuError):
    def __init__(self) -> None:
        super().__init__(
            LedgerErrorCode.CORRECTION_OTHER_STREAM,
            "只能更正同一公司、同一账本中的记录。",
            "A correction must be in the same company and stream as the entry it corrects.",
        )


class LedgerEntryNotFound(NotFound):
    def __init__(self, entry_id: object) -> None:
        super().__init__(
            LedgerErrorCode.ENTRY_NOT_FOUND,
            "找不到该账本记录。",
            "No such ledger entry.",
            details={"id": str(entry_id)},
        )


class LedgerPermissionDenied(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            LedgerErrorCode.PERMISSION_DENIED,
            "您没有校验账本的权限（ledger.verify_ledger），请联系系统管理员。",
            "You may not verify the ledger (needs ledger.verify_ledger); ask your system "
            "administrator.",
        )


class LedgerNotStaff(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            LedgerErrorCode.NOT_STAFF,
            "此账号不是在职员工，无法查看账本。",
            "This account is not an active staff member, so it has no ledger.",
        )


class LedgerBadHeads(KehuError):
    def __init__(self, error: rules.BadHeadLine) -> None:
        super().__init__(
            LedgerErrorCode.BAD_HEADS,
            f"账本头文件第 {error.line_no} 行无法识别（应为“公司代码 账本名 序号 哈希”）："
            f"{error.line}",
            f"Cannot read line {error.line_no} of the heads file (expected "
            f"'<company code> <stream> <seq> <hash>'): {error.line}",
            details={"line": error.line_no},
        )


class LedgerUnknownCompany(KehuError):
    def __init__(self, code: str) -> None:
        super().__init__(
            LedgerErrorCode.UNKNOWN_COMPANY,
            f"没有代码为 {code} 的公司。",
            f"No company with code {code}.",
            details={"company": code},
        )
