"""``kehu rules complaints --input FILE.json``: compute each stage's deadline for a list of events.

The same pure engine the desk uses (``kehu.complaints.rules``), on the official working calendar
plus the company days given in the file. Input::

    {"policy": {"result_amount": 2, "result_unit": "workday"},
     "calendar": {"2026-10-10": true, "2026-12-31": false},
     "complaints": [
       {"id": "c1", "profile": "a3", "as_of": "2025-10-12T09:00",
        "events": [{"at": "2025-09-30T20:00", "action": "receive"},
                   {"at": "2025-10-01T10:00", "action": "forward"},
                   {"at": "2025-10-01T11:00", "action": "dispatch"},
                   {"at": "2025-10-03T09:00", "action": "report_not_soon"},
                   {"at": "2025-10-04T09:00", "action": "agree_date",
                    "agreed_date": "2025-10-20"}]}]}

``policy``: field names of the complaints policy (``ComplaintSettings``); ``calendar``: the
company's own days (true = working, false = off), which win over the official calendar;
``profile``: ``a3`` (default) or ``a8_2``. The first event is ``receive``; the others are the
profile's actions. Times without an offset are Asia/Shanghai.

Output: for each complaint, every step with the stage it entered, its deadline, clock and rule
IDs and the explanation in Chinese and English; with ``as_of``, the sweep's verdict at that
moment (on time, warning, breached, escalation level). A step the profile does not allow stops
that complaint with an error naming the allowed actions. docs/rules-cli.md has examples.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kehu.complaints import rules
from kehu.complaints.policy import ComplaintSettings
from kehu.core.calendar import official
from kehu.core.calendar import rules as calendar_rules
from kehu.core.errors import KehuError

RECEIVE = "receive"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventIn(_Strict):
    at: str
    action: str
    agreed_date: dt.date | None = None


class ComplaintIn(_Strict):
    id: str
    profile: rules.Profile = rules.Profile.A3
    events: list[EventIn] = Field(min_length=1)
    as_of: str | None = None


class ReplayInput(_Strict):
    policy: dict[str, Any] = Field(default_factory=dict)
    calendar: dict[dt.date, bool] = Field(default_factory=dict)
    complaints: list[ComplaintIn]


def _input_error(message_zh: str, message_en: str, details: Any = None) -> KehuError:
    return KehuError("rules.bad_input", message_zh, message_en, status=400, details=details)


def load_input(path: Path) -> ReplayInput:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _input_error(f"找不到输入文件：{path}", f"Input file not found: {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _input_error(
            f"输入文件不是有效的 UTF-8 JSON：{exc}", f"The input file is not valid JSON: {exc}"
        ) from None
    try:
        return ReplayInput.model_validate(raw)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        listed = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise _input_error(
            f"输入格式有误（{listed}）。格式见 docs/rules-cli.md。",
            f"The input is malformed ({listed}). See docs/rules-cli.md.",
            problems,
        ) from None


def _time(text: str, where: str) -> dt.datetime:
    try:
        return calendar_rules.parse_start(text)
    except calendar_rules.UnreadableStart:
        raise _input_error(
            f"{where}：无法识别的时间“{text}”（例：2026-02-13T16:00）。",
            f"{where}: unreadable time {text!r} (e.g. 2026-02-13T16:00).",
        ) from None


def _day_status(company_days: dict[dt.date, bool]) -> calendar_rules.DayStatusLookup:
    def lookup(day: dt.date) -> calendar_rules.DayStatus:
        working = company_days.get(day)
        override = None if working is None else calendar_rules.CompanyDay(day, working, "输入文件")
        return calendar_rules.company_day_status(
            day, official=official.official_day_status, override=override
        )

    return lookup


def _step(deadline: rules.StageDeadline, at: dt.datetime, action: str) -> dict[str, Any]:
    return {
        "at": at.isoformat(),
        "action": action,
        "stage": deadline.stage.value,
        "stage_label": rules.STAGE_LABELS[deadline.stage][0],
        "due_at": deadline.due_at.isoformat() if deadline.due_at else None,
        "clock": {"amount": deadline.amount, "unit": deadline.unit.value}
        if deadline.unit
        else None,
        "rule_ids": list(deadline.rule_ids),
        "explanation_zh": deadline.explanation_zh,
        "explanation_en": deadline.explanation_en,
    }


def replay_complaint(
    case: ComplaintIn,
    policy: rules.ComplaintPolicy,
    day_status: calendar_rules.DayStatusLookup,
) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    out: dict[str, Any] = {"id": case.id, "profile": case.profile.value, "steps": steps}
    first = case.events[0]
    if first.action != RECEIVE:
        out["error"] = {
            "code": "complaints.bad_transition",
            "message_zh": "第一个事件必须是受理（receive）。",
            "message_en": "The first event must be receive.",
        }
        return out
    stage = rules.Stage.RECEIVED
    started = _time(first.at, f"{case.id} 第1个事件")
    try:
        deadline = rules.stage_deadline(
            profile=case.profile,
            stage=stage,
            started_at=started,
            policy=policy,
            day_status=day_status,
        )
        steps.append(_step(deadline, started, RECEIVE))
        for number, event in enumerate(case.events[1:], start=2):
            at = _time(event.at, f"{case.id} 第{number}个事件")
            if at < started:
                out["error"] = {
                    "code": "complaints.events_out_of_order",
                    "event": number,
                    "message_zh": f"第{number}个事件早于前一个事件；请按时间顺序列出事件。",
                    "message_en": f"Event {number} is earlier than the one before it; list the "
                    "events in time order.",
                }
                return out
            try:
                action = rules.Action(event.action)
                stage = rules.next_stage(case.profile, stage, action)
            except (ValueError, rules.TransitionRefused):
                allowed = rules.allowed_actions(case.profile, stage)
                out["error"] = {
                    "code": "complaints.bad_transition",
                    "event": number,
                    "message_zh": f"第{number}个事件“{event.action}”在“"
                    f"{rules.STAGE_LABELS[stage][0]}”环节不可用。",
                    "message_en": f"Event {number} {event.action!r} is not possible at "
                    f"{rules.STAGE_LABELS[stage][1]!r}.",
                    "allowed": [a.value for a in allowed],
                }
                return out
            started = at
            deadline = rules.stage_deadline(
                profile=case.profile,
                stage=stage,
                started_at=at,
                policy=policy,
                day_status=day_status,
                agreed_date=event.agreed_date,
            )
            steps.append(_step(deadline, at, event.action))
    except rules.AgreedDateMissing:
        out["error"] = {
            "code": "complaints.bad_agreed_date",
            "message_zh": "约定日期缺失或早于约定当天。",
            "message_en": "The agreed date is missing or before the day of the agreement.",
        }
        return out
    except calendar_rules.YearNotCovered as exc:
        out["error"] = {
            "code": "calendar.year_not_covered",
            "message_zh": f"{exc.year}年的节假日安排未知：请在 calendar 中给出该年的公司日历。",
            "message_en": f"The holidays of {exc.year} are not known: give that year's days "
            "in calendar.",
        }
        return out
    if case.as_of and deadline.due_at is not None:
        verdict = rules.timing(
            started_at=started, due=deadline.due_at, now=_time(case.as_of, case.id), policy=policy
        )
        out["timing"] = {
            "as_of": case.as_of,
            "state": verdict.state.value,
            "state_label": rules.TIME_STATE_LABELS[verdict.state][0],
            "warn_at": verdict.warn_at.isoformat(),
            "due_at": verdict.due_at.isoformat(),
            "escalation_level": verdict.escalation_level,
        }
    return out


def replay(data: ReplayInput) -> dict[str, Any]:
    try:
        settings = ComplaintSettings.model_validate(data.policy)
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise _input_error(
            f"规则设置有误（{fields}）。可用字段即投诉规则设置的字段名。",
            f"The policy is invalid ({fields}). Use the complaints policy's field names.",
        ) from None
    policy = settings.as_rules_policy()
    day_status = _day_status(data.calendar)
    return {
        "policy": {**settings.model_dump(mode="json")},
        "complaints": [replay_complaint(c, policy, day_status) for c in data.complaints],
    }


def main(input_path: str | Path, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Entry point of ``kehu rules complaints``."""
    del options
    return replay(load_input(Path(input_path)))
