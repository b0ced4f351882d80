"""Error codes of the rewards-and-penalties app."""

from __future__ import annotations

from enum import StrEnum

from kehu.core.errors import KehuError


class DisciplineErrorCode(StrEnum):
    PERMISSION_DENIED = "discipline.permission_denied"
    NOT_FOUND = "discipline.not_found"
    OTHER_COMPANY = "discipline.other_company"
    BAD_ENTRY = "discipline.bad_entry"
    REASON_REQUIRED = "discipline.reason_required"
    AMOUNT_OUT_OF_RANGE = "discipline.amount_out_of_range"
    ALREADY_DECIDED = "discipline.already_decided"
    EVIDENCE_REQUIRED = "discipline.evidence_required"
    BAD_TRANSITION = "discipline.bad_transition"
    BAD_INPUT = "discipline.bad_input"
    EVIDENCE_ALTERED = "discipline.evidence_altered"


class DisciplineError(KehuError):
    pass


class DisciplinePermissionDenied(DisciplineError):
    status = 403

    def __init__(self, what_zh: str, what_en: str, perm: str) -> None:
        super().__init__(
            DisciplineErrorCode.PERMISSION_DENIED,
            f"您的岗位无权{what_zh}（需要权限 {perm}）。",
            f"Your post may not {what_en} (needs permission {perm}).",
            details={"permission": perm},
        )


class DisciplineNotFound(DisciplineError):
    status = 404

    def __init__(self, what_zh: str = "记录", what_en: str = "record") -> None:
        super().__init__(
            DisciplineErrorCode.NOT_FOUND,
            f"找不到该{what_zh}，或您无权查看。",
            f"No such {what_en}, or you may not see it.",
        )


class EvidenceAltered(DisciplineError):
    """A stored evidence file no longer has the SHA-256 recorded when it was submitted."""

    status = 409

    def __init__(self, evidence_id: int) -> None:
        super().__init__(
            DisciplineErrorCode.EVIDENCE_ALTERED,
            "该附件与提交时的校验值（SHA-256）不一致，可能已被改动；请联系系统管理员。",
            "This file no longer matches the SHA-256 recorded when it was submitted; it may "
            "have been altered. Contact the administrator.",
            details={"evidence": evidence_id},
        )
