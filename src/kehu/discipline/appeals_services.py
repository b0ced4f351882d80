"""Appeals against ledger entries (考核申诉, A4 四.七): the workflow and its transition table.

The seed: an employee who disputes an assessment appeals to their supervisor (主管领导), who
coordinates; if still disputed, to the next level up (上一级领导), where HR (人力资源部门)
investigates and coordinates. Every appeal must bring concrete factual evidence (A4 四.七.3).

Readings (docs/appeals.md explains each):

- Only adverse entries can be appealed (criticisms, demerits, fines, negative points,
  warnings, supervision failures, termination/demotion/reassignment decisions): an upheld appeal
  reverses the entry, which would take a reward away from the person asking.
- The supervisor is the first *active* person in ``staff_chain_above(appellant)`` when the
  appeal is filed; the next level is the first active person above that supervisor in the
  appellant's chain when the appeal is escalated.
- At the second level HR investigates and records findings; the next-level manager decides,
  and only after HR has recorded findings (a company with no HR staff on record: the next-level
  manager decides alone). That decision is final.
- The appellant may escalate once, after the supervisor rejects; a withdrawn appeal may be filed
  again (it starts at the supervisor); an entry with a rejected or upheld appeal cannot be
  appealed again.
- An upheld appeal writes a REVERSAL entry (``discipline_entry_post``) in the same transaction;
  ``rules.standing`` then treats the entry, and everything derived from it, as never having
  happened from the decision date on.

Every transition locks the appeal row, writes an append-only ``AppealEvent`` and a row in the
ledger stream ``appeals`` (subject: the appeal), all in one transaction. The ledger row carries
states, people, dates and SHA-256 digests of the texts and files, not the texts themselves: the
ledger page is read by more people than the appeal's evidence may be (appellant, handlers, HR).
Lock order: the appeal row, then the ``appeals`` stream, then (upholding) the ``discipline``
stream — streams in alphabetical order, as ``kehu.core.ledger.services`` asks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from kehu.core.calendar.selectors import due_at_for_company
from kehu.core.ledger.services import Stream, ledger_append
from kehu.core.org.models import Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_chain_above, staff_has_perm
from kehu.core.policy.selectors import policy_for_schema
from kehu.discipline.errors import DisciplineError, DisciplineErrorCode, DisciplineNotFound
from kehu.discipline.models import (
    APPEAL_OPEN_STATES,
    Appeal,
    AppealEvent,
    AppealEvidence,
    AppealState,
    DisciplineEntry,
)
from kehu.discipline.policy import DisciplineSettings
from kehu.discipline.rules import KIND_LABELS, RULE_APPEAL, Kind
from kehu.discipline.services import discipline_entry_post

LEDGER_STREAM = Stream.APPEALS.value
SOURCE_TYPE = "discipline.appeal"  # the source of a REVERSAL entry an upheld appeal writes
HR_PERMISSION = "discipline.view_company_discipline"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# --- evidence files ---------------------------------------------------------------------------

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 10
# Extension → content type served on download. Contents are checked too (``_sniff``): a file
# must be what its name says.
EVIDENCE_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain; charset=utf-8",
}
EVIDENCE_TYPE_NAMES = "pdf、jpg、png、docx、xlsx、txt"

# Only adverse entries can be appealed (see the module docstring); negative points too.
APPEALABLE_KINDS = frozenset(
    {
        Kind.CRITICISM,
        Kind.MINOR_DEMERIT,
        Kind.MAJOR_DEMERIT,
        Kind.TERMINATION,
        Kind.FINE,
        Kind.WARNING,
        Kind.SUPERVISION_FAILURE,
        Kind.DEMOTION,
        Kind.REASSIGNMENT,
    }
)

# --- the transition table ---------------------------------------------------------------------


class AppealAction(StrEnum):
    SUBMIT = "submit"
    ADD_EVIDENCE = "add_evidence"
    HR_FINDINGS = "hr_findings"
    UPHOLD = "uphold"
    REJECT = "reject"
    ESCALATE = "escalate"
    WITHDRAW = "withdraw"


ACTION_LABELS: dict[str, str] = {
    AppealAction.SUBMIT: "提出申诉",
    AppealAction.ADD_EVIDENCE: "补充事实依据",
    AppealAction.HR_FINDINGS: "人力资源调查意见",
    AppealAction.UPHOLD: "申诉成立",
    AppealAction.REJECT: "申诉不成立",
    AppealAction.ESCALATE: "向上一级申诉",
    AppealAction.WITHDRAW: "撤回申诉",
}
ACTION_LABELS_EN: dict[str, str] = {
    AppealAction.SUBMIT: "submit the appeal",
    AppealAction.ADD_EVIDENCE: "add evidence",
    AppealAction.HR_FINDINGS: "record HR findings",
    AppealAction.UPHOLD: "uphold the appeal",
    AppealAction.REJECT: "reject the appeal",
    AppealAction.ESCALATE: "escalate to the next level",
    AppealAction.WITHDRAW: "withdraw the appeal",
}


class AppealRole(StrEnum):
    APPELLANT = "appellant"  # the employee whose entry it is
    HANDLER = "handler"  # the appeal's current handler (supervisor, then the next level)
    HR = "hr"  # post 人力资源 with discipline.view_company_discipline, same company


class Guard(StrEnum):
    NONE = ""
    FIRST_LEVEL_ONLY = "first_level_only"  # escalate once: not after a second-level decision
    HR_FINDINGS_RECORDED = "hr_findings_recorded"  # the second level decides after HR


@dataclass(frozen=True)
class Transition:
    to_state: str
    role: AppealRole
    guard: Guard = Guard.NONE


NEW = ""  # the state before the first transition
_S = AppealState
_A = AppealAction
_R = AppealRole

# state × action → (new state, who may, extra condition). Anything not listed is refused with
# ``discipline.bad_transition``.
TRANSITIONS: dict[tuple[str, AppealAction], Transition] = {
    (NEW, _A.SUBMIT): Transition(_S.SUPERVISOR_REVIEW, _R.APPELLANT),
    (_S.SUPERVISOR_REVIEW, _A.ADD_EVIDENCE): Transition(_S.SUPERVISOR_REVIEW, _R.APPELLANT),
    (_S.SUPERVISOR_REVIEW, _A.UPHOLD): Transition(_S.UPHELD, _R.HANDLER),
    (_S.SUPERVISOR_REVIEW, _A.REJECT): Transition(_S.REJECTED, _R.HANDLER),
    (_S.SUPERVISOR_REVIEW, _A.WITHDRAW): Transition(_S.WITHDRAWN, _R.APPELLANT),
    (_S.REJECTED, _A.ESCALATE): Transition(_S.ESCALATED, _R.APPELLANT, Guard.FIRST_LEVEL_ONLY),
    (_S.ESCALATED, _A.ADD_EVIDENCE): Transition(_S.ESCALATED, _R.APPELLANT),
    (_S.ESCALATED, _A.HR_FINDINGS): Transition(_S.ESCALATED, _R.HR),
    (_S.ESCALATED, _A.UPHOLD): Transition(_S.UPHELD, _R.HANDLER, Guard.HR_FINDINGS_RECORDED),
    (_S.ESCALATED, _A.REJECT): Transition(_S.REJECTED, _R.HANDLER, Guard.HR_FINDINGS_RECORDED),
    (_S.ESCALATED, _A.WITHDRAW): Transition(_S.WITHDRAWN, _R.APPELLANT),
}

CLOSING_STATES = frozenset({_S.UPHELD, _S.REJECTED, _S.WITHDRAWN})


@dataclass(frozen=True)
class AppealFacts:
    """What the guards need to know from an appeal's history."""

    escalated: bool  # has reached the second level
    hr_findings: bool  # HR has recorded findings since the escalation
    first_level_handler_id: int | None  # the supervisor who decided the first level
    hr_in_company: bool = True  # a company without HR staff: the next level decides alone

    @classmethod
    def of(cls, appeal: Appeal) -> AppealFacts:
        escalated = False
        findings = False
        first_level: int | None = None
        for action, actor_id in appeal.events.order_by("at", "pk").values_list(
            "action", "actor_id"
        ):
            if action == AppealAction.ESCALATE:
                escalated = True
            elif action == AppealAction.HR_FINDINGS and escalated:
                findings = True
            elif action in (AppealAction.UPHOLD, AppealAction.REJECT) and not escalated:
                first_level = actor_id
        hr_in_company = (
            findings
            or not escalated
            or Staff.objects.filter(
                company_id=appeal.company_id, post=Post.HR, active=True
            ).exists()
        )
        return cls(
            escalated=escalated,
            hr_findings=findings,
            first_level_handler_id=first_level,
            hr_in_company=hr_in_company,
        )


def staff_is_hr_for(staff: Staff, company_id: int) -> bool:
    """HR of the appeal's company: the post 人力资源 holding the company-wide discipline view."""
    return (
        staff.company_id == company_id
        and staff.post == Post.HR
        and staff_has_perm(staff, HR_PERMISSION)
    )


def _has_role(staff: Staff, appeal: Appeal, role: AppealRole) -> bool:
    if role == AppealRole.APPELLANT:
        return staff.pk == appeal.appellant_id
    if role == AppealRole.HANDLER:
        return staff.pk == appeal.handler_id
    # HR never investigates their own appeal.
    return staff.pk != appeal.appellant_id and staff_is_hr_for(staff, appeal.company_id)


def _guard_passes(guard: Guard, facts: AppealFacts) -> bool:
    if guard == Guard.FIRST_LEVEL_ONLY:
        return not facts.escalated
    if guard == Guard.HR_FINDINGS_RECORDED:
        return facts.hr_findings or not facts.hr_in_company
    return True


def appeal_actions_allowed(*, appeal: Appeal, staff: Staff, facts: AppealFacts) -> list[str]:
    """The actions ``staff`` may take on ``appeal`` now, in table order (for the UI and API)."""
    return [
        action.value
        for (state, action), transition in TRANSITIONS.items()
        if state == appeal.state
        and _has_role(staff, appeal, transition.role)
        and _guard_passes(transition.guard, facts)
    ]


# --- errors -----------------------------------------------------------------------------------


def _state_label(state: str) -> str:
    return str(AppealState(state).label) if state else "未提交"


def _bad_transition(
    message_zh: str, message_en: str, *, appeal: Appeal | None, action: AppealAction
) -> DisciplineError:
    return DisciplineError(
        DisciplineErrorCode.BAD_TRANSITION,
        message_zh,
        message_en,
        status=409,
        details={
            "appeal": appeal.pk if appeal is not None else None,
            "state": appeal.state if appeal is not None else NEW,
            "action": action.value,
        },
    )


def _not_allowed_now(appeal: Appeal, action: AppealAction) -> DisciplineError:
    return _bad_transition(
        f"申诉当前状态为“{_state_label(appeal.state)}”，不能{ACTION_LABELS[action]}。",
        f"The appeal is {appeal.state}; you cannot {ACTION_LABELS_EN[action]} now.",
        appeal=appeal,
        action=action,
    )


def _wrong_person(appeal: Appeal, action: AppealAction, role: AppealRole) -> DisciplineError:
    if role == AppealRole.APPELLANT:
        who_zh, who_en = f"申诉人 {appeal.appellant.name} 本人", "the appellant"
    elif role == AppealRole.HANDLER:
        name = appeal.handler.name if appeal.handler is not None else "—"
        who_zh, who_en = f"当前处理人 {name}", "the appeal's current handler"
    else:
        who_zh, who_en = "本公司人力资源部门人员", "HR of the company"
    return DisciplineError(
        DisciplineErrorCode.PERMISSION_DENIED,
        f"只有{who_zh}可以{ACTION_LABELS[action]}（A4 四.七）。",
        f"Only {who_en} may {ACTION_LABELS_EN[action]} (A4 四.七).",
        status=403,
        details={"appeal": appeal.pk, "action": action.value, "role": role.value},
    )


def _guard_error(appeal: Appeal, action: AppealAction, guard: Guard) -> DisciplineError:
    if guard == Guard.FIRST_LEVEL_ONLY:
        return _bad_transition(
            "该申诉已经向上一级领导申诉并作出最终结论，不能再次申诉（A4 四.七.2）。",
            "This appeal was already escalated and finally decided; it cannot be escalated "
            "again (A4 四.七.2).",
            appeal=appeal,
            action=action,
        )
    return _bad_transition(
        "人力资源部门尚未记录调查意见；请待人力资源部门调查协调后再作决定（A4 四.七.2）。",
        "HR has not recorded its findings yet; decide after HR has investigated (A4 四.七.2).",
        appeal=appeal,
        action=action,
    )


def _text_required(code: DisciplineErrorCode, message_zh: str, message_en: str) -> DisciplineError:
    return DisciplineError(code, message_zh, message_en, status=422)


# --- evidence files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    size: int
    sha256: str


def _file_error(message_zh: str, message_en: str, name: str) -> DisciplineError:
    return DisciplineError(
        DisciplineErrorCode.BAD_INPUT,
        message_zh,
        message_en,
        status=422,
        details={
            "file": name,
            "allowed": sorted({ext.lstrip(".") for ext in EVIDENCE_TYPES}),
            "max_bytes": EVIDENCE_MAX_BYTES,
        },
    )


def _sniff(ext: str, head: bytes, upload: UploadedFile) -> bool:
    """Whether the contents match the extension (a renamed .exe is not a .pdf)."""
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in (".docx", ".xlsx"):
        marker = "word/document.xml" if ext == ".docx" else "xl/workbook.xml"
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:  # type: ignore[arg-type]  # a file object
                return marker in archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return False
    return True  # .txt: checked as text by the caller


def _checked_file(upload: UploadedFile) -> CheckedFile:
    name = os.path.basename(upload.name or "").strip()
    ext = os.path.splitext(name)[1].lower()
    if ext not in EVIDENCE_TYPES:
        raise _file_error(
            f"附件“{name}”的类型不允许；只接受 {EVIDENCE_TYPE_NAMES} 文件。",
            f"File “{name}” is not an allowed type; use pdf, jpg, png, docx, xlsx or txt.",
            name,
        )
    size = upload.size or 0
    limit_mb = EVIDENCE_MAX_BYTES // (1024 * 1024)
    if size > EVIDENCE_MAX_BYTES:
        raise _file_error(
            f"附件“{name}”超过 {limit_mb} MB，请压缩或拆分后再上传。",
            f"File “{name}” is larger than {limit_mb} MB; compress or split it.",
            name,
        )
    if size == 0:
        raise _file_error(f"附件“{name}”是空文件。", f"File “{name}” is empty.", name)
    digest = hashlib.sha256()
    upload.seek(0)
    head = b""
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[:16]
        digest.update(chunk)
    if ext == ".txt":
        upload.seek(0)
        content = upload.read()
        ok = b"\x00" not in content and _decodes(content)
    else:
        ok = _sniff(ext, head, upload)
    upload.seek(0)
    if not ok:
        raise _file_error(
            f"附件“{name}”的内容与其扩展名不符（不是有效的 {ext.lstrip('.')} 文件）。",
            f"File “{name}” is not a valid {ext.lstrip('.')} file.",
            name,
        )
    return CheckedFile(upload=upload, name=name, size=size, sha256=digest.hexdigest())


def _decodes(content: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _checked_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    if len(files) > EVIDENCE_MAX_FILES:
        raise DisciplineError(
            DisciplineErrorCode.BAD_INPUT,
            f"一次最多上传 {EVIDENCE_MAX_FILES} 个附件。",
            f"Upload at most {EVIDENCE_MAX_FILES} files at a time.",
            status=422,
            details={"max_files": EVIDENCE_MAX_FILES},
        )
    return [_checked_file(upload) for upload in files]


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else ""


def _store_evidence(
    *, appeal: Appeal, actor: Staff, text: str, files: Sequence[CheckedFile]
) -> list[dict[str, Any]]:
    """Evidence rows (text, files) and their ledger summary (digests, never contents)."""
    summary: list[dict[str, Any]] = []
    if text:
        row = AppealEvidence.objects.create(
            company_id=appeal.company_id, appeal=appeal, text=text, added_by=actor
        )
        summary.append({"id": row.pk, "text_sha256": _sha256_text(text)})
    for checked in files:
        evidence = AppealEvidence(
            company_id=appeal.company_id,
            appeal=appeal,
            file_sha256=checked.sha256,
            added_by=actor,
        )
        # The file is written by the INSERT's pre_save; the row is never updated afterwards.
        evidence.file.save(checked.name, checked.upload, save=False)
        evidence.save()
        summary.append(
            {
                "id": evidence.pk,
                "name": checked.name,
                "size": checked.size,
                "sha256": checked.sha256,
            }
        )
    return summary


# --- shared steps -----------------------------------------------------------------------------


def _policy(appellant: Staff, at: dt.datetime) -> tuple[DisciplineSettings, str]:
    resolved = policy_for_schema(company=appellant.company, schema=DisciplineSettings, at=at)
    return resolved.values_as(DisciplineSettings), resolved.ref


def _due(appellant: Staff, start: dt.datetime, workdays: int) -> dt.datetime:
    # A year the calendar does not cover raises calendar.year_not_covered with its own
    # explanation; the appeal is then not filed (nothing is guessed).
    return due_at_for_company(
        company=appellant.company, start=start, amount=workdays, unit="workday"
    ).due_at


def _active_chain(staff: Staff) -> list[Staff]:
    return [boss for boss in staff_chain_above(staff) if boss.active]


def _next_level_above(appellant: Staff, supervisor_id: int | None) -> Staff | None:
    chain = _active_chain(appellant)
    ids = [boss.pk for boss in chain]
    if supervisor_id in ids:
        position = ids.index(supervisor_id) + 1
        return chain[position] if position < len(chain) else None
    # The first-level supervisor has left the chain (a re-organisation): the second active
    # person in today's chain is the next level above today's supervisor.
    return chain[1] if len(chain) > 1 else None


def _record(
    *,
    appeal: Appeal,
    action: AppealAction,
    from_state: str,
    actor: Staff,
    note: str = "",
    evidence: Sequence[dict[str, Any]] = (),
    extra: dict[str, Any] | None = None,
) -> AppealEvent:
    """The event and the ledger row of one transition (inside the caller's transaction)."""
    event = AppealEvent.objects.create(
        company_id=appeal.company_id,
        appeal=appeal,
        action=action.value,
        from_state=from_state,
        to_state=appeal.state,
        note=note,
        actor=actor,
        at=timezone.now(),
    )
    ledger_append(
        company=appeal.company,
        stream=LEDGER_STREAM,
        kind=f"appeal.{action.value}",
        payload={
            "appeal": appeal.pk,
            "entry": appeal.entry_id,
            "appellant": appeal.appellant_id,
            "event": event.pk,
            "action": action.value,
            "from_state": from_state,
            "to_state": appeal.state,
            "actor": actor.pk,
            "actor_name": actor.name,
            "handler": appeal.handler_id,
            "due_at": appeal.due_at,
            "note_sha256": _sha256_text(note),
            "evidence": list(evidence),
            "rule_ids": [RULE_APPEAL],
            "policy": appeal.policy_ref,
            **(extra or {}),
        },
        recorded_by=actor.user,
        subject=appeal,
    )
    return event


def _locked(*, actor: Staff, appeal_id: int) -> Appeal:
    """The appeal, row-locked, if ``actor`` is one of the people who may see it; else 404."""
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("company", "appellant", "handler", "entry")
        .filter(pk=appeal_id, company_id=actor.company_id)
        .first()
    )
    if appeal is None or not appeal_visible_to(appeal=appeal, staff=actor):
        raise DisciplineNotFound("申诉", "appeal")
    return appeal


def appeal_visible_to(*, appeal: Appeal, staff: Staff) -> bool:
    """The appellant, the handlers (current, and the first-level decider) and the company's HR."""
    if staff.company_id != appeal.company_id:
        return False
    if staff.pk in (appeal.appellant_id, appeal.handler_id):
        return True
    if staff_is_hr_for(staff, appeal.company_id):
        return True
    return appeal.events.filter(
        action__in=[AppealAction.UPHOLD, AppealAction.REJECT], actor=staff
    ).exists()


def _transition(appeal: Appeal, actor: Staff, action: AppealAction) -> Transition:
    """The table's row for this move, or the error that says why it cannot happen."""
    transition = TRANSITIONS.get((appeal.state, action))
    if transition is None:
        raise _not_allowed_now(appeal, action)
    if not _has_role(actor, appeal, transition.role):
        raise _wrong_person(appeal, action, transition.role)
    if not _guard_passes(transition.guard, AppealFacts.of(appeal)):
        raise _guard_error(appeal, action, transition.guard)
    return transition


# --- use-cases --------------------------------------------------------------------------------


def _appealable(entry: DisciplineEntry, appellant: Staff) -> None:
    kind = Kind(entry.kind)
    adverse = kind in APPEALABLE_KINDS or (kind == Kind.POINTS and (entry.points or 0) < 0)
    if not adverse:
        raise _bad_transition(
            f"“{KIND_LABELS[kind]}”不是处罚类考核结果，不能申诉；只能对处罚、扣分、警告等提出申诉。",
            f"A {kind.value} entry is not an adverse assessment and cannot be appealed.",
            appeal=None,
            action=AppealAction.SUBMIT,
        )
    reversals = DisciplineEntry.objects.filter(
        company_id=entry.company_id, employee=appellant, kind=Kind.REVERSAL
    ).values_list("refs", flat=True)
    if any(entry.pk in (refs or []) for refs in reversals):
        raise _bad_transition(
            "该条目已被撤销，无需申诉。",
            "This entry has already been reversed.",
            appeal=None,
            action=AppealAction.SUBMIT,
        )
    earlier = list(
        Appeal.objects.filter(entry=entry).exclude(state=AppealState.WITHDRAWN).order_by("-pk")
    )
    for previous in earlier:
        if previous.state in APPEAL_OPEN_STATES:
            raise _bad_transition(
                f"该条目已有处理中的申诉（#{previous.pk}），请在原申诉中补充事实依据。",
                f"This entry already has an open appeal (#{previous.pk}); add evidence to it.",
                appeal=previous,
                action=AppealAction.SUBMIT,
            )
        if previous.state == AppealState.REJECTED and not AppealFacts.of(previous).escalated:
            raise _bad_transition(
                f"该条目的申诉（#{previous.pk}）已被主管领导驳回；如仍有异议，请在原申诉中"
                "向上一级领导申诉。",
                f"The appeal #{previous.pk} on this entry was rejected by the supervisor; "
                "escalate that appeal instead.",
                appeal=previous,
                action=AppealAction.SUBMIT,
            )
        raise _bad_transition(
            f"该条目的申诉（#{previous.pk}）已有最终结论“{_state_label(previous.state)}”，"
            "不能再次申诉。",
            f"The appeal #{previous.pk} on this entry has been finally decided ({previous.state}).",
            appeal=previous,
            action=AppealAction.SUBMIT,
        )


@transaction.atomic
def appeal_submit(
    *,
    appellant: Staff,
    entry_id: int,
    statement: str,
    evidence_text: str = "",
    files: Sequence[UploadedFile] = (),
) -> Appeal:
    """The employee appeals one of their own entries to their supervisor (A4 四.七.2), with
    concrete factual evidence (A4 四.七.3): text, files or both."""
    entry = (
        DisciplineEntry.objects.select_related("company")
        .filter(pk=entry_id, company_id=appellant.company_id, employee=appellant)
        .first()
    )
    if entry is None:
        raise DisciplineNotFound("奖惩记录", "ledger entry")
    statement = statement.strip()
    evidence_text = evidence_text.strip()
    if not statement:
        raise _text_required(
            DisciplineErrorCode.REASON_REQUIRED,
            "请写明申诉理由：对哪一项考核结果有异议，为什么。",
            "Give the reason for the appeal: what you dispute and why.",
        )
    if not evidence_text and not files:
        raise _text_required(
            DisciplineErrorCode.EVIDENCE_REQUIRED,
            "申诉必须同时提供具体的事实依据（A4 四.七.3）：请填写事实依据，或上传证明材料。",
            "An appeal must come with concrete factual evidence (A4 四.七.3): describe it or "
            "attach documents.",
        )
    checked = _checked_files(files)
    _appealable(entry, appellant)
    chain = _active_chain(appellant)
    if not chain:
        raise _bad_transition(
            "系统中没有登记您的主管领导，无法提交申诉；请联系人力资源部门设置您的主管。",
            "You have no supervisor on record, so the appeal has nobody to go to; ask HR to set "
            "your supervisor.",
            appeal=None,
            action=AppealAction.SUBMIT,
        )
    now = timezone.now()
    settings, policy_ref = _policy(appellant, now)
    transition = TRANSITIONS[(NEW, AppealAction.SUBMIT)]
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                company_id=appellant.company_id,
                entry=entry,
                appellant=appellant,
                state=transition.to_state,
                handler=chain[0],
                statement=statement,
                submitted_at=now,
                due_at=_due(appellant, now, settings.appeal_supervisor_workdays),
                policy_ref=policy_ref,
            )
    except IntegrityError as error:  # another appeal on the entry opened at the same moment
        raise _bad_transition(
            "该条目已有处理中的申诉，请在原申诉中补充事实依据。",
            "This entry already has an open appeal; add evidence to it.",
            appeal=None,
            action=AppealAction.SUBMIT,
        ) from error
    appeal.company = appellant.company
    evidence = _store_evidence(appeal=appeal, actor=appellant, text=evidence_text, files=checked)
    _record(
        appeal=appeal,
        action=AppealAction.SUBMIT,
        from_state=NEW,
        actor=appellant,
        note=statement,
        evidence=evidence,
        extra={"statement_sha256": _sha256_text(statement)},
    )
    return appeal


@transaction.atomic
def appeal_evidence_add(
    *, actor: Staff, appeal_id: int, text: str = "", files: Sequence[UploadedFile] = ()
) -> Appeal:
    """The appellant adds factual evidence to their open appeal."""
    appeal = _locked(actor=actor, appeal_id=appeal_id)
    _transition(appeal, actor, AppealAction.ADD_EVIDENCE)
    text = text.strip()
    if not text and not files:
        raise _text_required(
            DisciplineErrorCode.EVIDENCE_REQUIRED,
            "请填写补充的事实依据，或上传证明材料。",
            "Describe the additional evidence or attach documents.",
        )
    checked = _checked_files(files)
    evidence = _store_evidence(appeal=appeal, actor=actor, text=text, files=checked)
    _record(
        appeal=appeal,
        action=AppealAction.ADD_EVIDENCE,
        from_state=appeal.state,
        actor=actor,
        evidence=evidence,
    )
    return appeal


@transaction.atomic
def appeal_findings_record(
    *, actor: Staff, appeal_id: int, findings: str, files: Sequence[UploadedFile] = ()
) -> Appeal:
    """HR records the findings of its investigation of an escalated appeal (A4 四.七.2);
    documents HR gathered may be attached."""
    appeal = _locked(actor=actor, appeal_id=appeal_id)
    _transition(appeal, actor, AppealAction.HR_FINDINGS)
    findings = findings.strip()
    if not findings:
        raise _text_required(
            DisciplineErrorCode.REASON_REQUIRED,
            "请填写调查意见：查明的事实和协调情况。",
            "Write the findings: the facts established and the coordination done.",
        )
    checked = _checked_files(files)
    evidence = _store_evidence(appeal=appeal, actor=actor, text="", files=checked)
    _record(
        appeal=appeal,
        action=AppealAction.HR_FINDINGS,
        from_state=appeal.state,
        actor=actor,
        note=findings,
        evidence=evidence,
    )
    return appeal


def _close(appeal: Appeal, to_state: str, now: dt.datetime | None = None) -> str:
    from_state = appeal.state
    appeal.state = to_state
    appeal.closed_at = (now or timezone.now()) if to_state in CLOSING_STATES else None
    appeal.save(update_fields=["state", "closed_at"])
    return from_state


@transaction.atomic
def appeal_uphold(*, actor: Staff, appeal_id: int, reason: str) -> Appeal:
    """The handler finds the appeal justified: the appeal closes as upheld and a REVERSAL entry
    takes the appealed entry off the employee's standing (A4 四.七)."""
    appeal = _locked(actor=actor, appeal_id=appeal_id)
    transition = _transition(appeal, actor, AppealAction.UPHOLD)
    reason = reason.strip()
    if not reason:
        raise _text_required(
            DisciplineErrorCode.REASON_REQUIRED,
            "请写明申诉成立的理由。",
            "Give the reason the appeal is upheld.",
        )
    now = timezone.now()
    from_state = _close(appeal, transition.to_state, now)
    _record(
        appeal=appeal,
        action=AppealAction.UPHOLD,
        from_state=from_state,
        actor=actor,
        note=reason,
        extra={"reverses": appeal.entry_id},
    )
    discipline_entry_post(
        employee=appeal.appellant,
        on=timezone.localdate(now, timezone=LOCAL_TZ),
        kind=Kind.REVERSAL,
        refs=[appeal.entry_id],
        rule_ids=[RULE_APPEAL],
        reason=f"申诉成立（申诉 #{appeal.pk}）：{reason}",
        recorded_by=actor,
        source_type=SOURCE_TYPE,
        source_id=appeal.pk,
    )
    return appeal


@transaction.atomic
def appeal_reject(*, actor: Staff, appeal_id: int, reason: str) -> Appeal:
    """The handler finds the appeal unjustified, with the reason. At the first level the
    appellant may still escalate; at the second level the rejection is final."""
    appeal = _locked(actor=actor, appeal_id=appeal_id)
    transition = _transition(appeal, actor, AppealAction.REJECT)
    reason = reason.strip()
    if not reason:
        raise _text_required(
            DisciplineErrorCode.REASON_REQUIRED,
            "驳回申诉须写明理由。",
            "Give the reason for rejecting the appeal.",
        )
    from_state = _close(appeal, transition.to_state)
    _record(
        appeal=appeal,
        action=AppealAction.REJECT,
        from_state=from_state,
        actor=actor,
        note=reason,
        extra={"final": from_state == AppealState.ESCALATED},
    )
    return appeal


@transaction.atomic
def appeal_escalate(*, actor: Staff, appeal_id: int, reason: str) -> Appeal:
    """Still disputed after the supervisor's decision: the appeal goes to the next level up,
    where HR investigates (A4 四.七.2). The handler becomes the next-level manager and the
    deadline is HR's investigation period (policy ``appeal_hr_workdays``)."""
    appeal = _locked(actor=actor, appeal_id=appeal_id)
    transition = _transition(appeal, actor, AppealAction.ESCALATE)
    reason = reason.strip()
    if not reason:
        raise _text_required(
            DisciplineErrorCode.REASON_REQUIRED,
            "请说明对主管领导的处理仍有异议的理由。",
            "Say why you still dispute the supervisor's decision.",
        )
    next_level = _next_level_above(appeal.appellant, appeal.handler_id)
    if next_level is None:
        raise _bad_transition(
            "您的主管领导之上没有登记上一级领导，无法向上一级申诉；请联系人力资源部门。",
            "There is nobody on record above your supervisor, so the appeal cannot be "
            "escalated; contact HR.",
            appeal=appeal,
            action=AppealAction.ESCALATE,
        )
    now = timezone.now()
    settings, _ = _policy(appeal.appellant, now)
    due_at = _due(appeal.appellant, now, settings.appeal_hr_workdays)
    from_state = appeal.state
    appeal.state = transition.to_state
    appeal.handler = next_level
    appeal.due_at = due_at
    appeal.closed_at = None
    try:
        with transaction.atomic():
            appeal.save(update_fields=["state", "handler", "due_at", "closed_at"])
    except IntegrityError as error:  # a new appeal on the entry was opened meanwhile
        raise _bad_transition(
            "该条目已有另一处理中的申诉，不能再重新打开本申诉。",
            "Another appeal on this entry is open; this one cannot be reopened.",
            appeal=appeal,
            action=AppealAction.ESCALATE,
        ) from error
    _record(
        appeal=appeal,
        action=AppealAction.ESCALATE,
        from_state=from_state,
        actor=actor,
        note=reason,
    )
    return appeal


@transaction.atomic
def appeal_withdraw(*, actor: Staff, appeal_id: int, note: str = "") -> Appeal:
    """The appellant withdraws their open appeal; the entry stands and may be appealed again."""
    appeal = _locked(actor=actor, appeal_id=appeal_id)
    transition = _transition(appeal, actor, AppealAction.WITHDRAW)
    from_state = _close(appeal, transition.to_state)
    _record(
        appeal=appeal,
        action=AppealAction.WITHDRAW,
        from_state=from_state,
        actor=actor,
        note=note.strip(),
    )
    return appeal
