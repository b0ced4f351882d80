"""``kehu rules complaints --input FILE.json``: stage deadlines for a list of events (Part C)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kehu.complaints import replay


def run(tmp_path: Path, data: Any) -> Any:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("rules", "complaints", "--input", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_a3_replay_over_national_day_with_a_working_day_policy_and_the_agreed_date(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        {
            "policy": {"result_amount": 2, "result_unit": "workday"},
            "complaints": [
                {
                    "id": "c1",
                    "as_of": "2025-10-21T00:00",
                    "events": [
                        {"at": "2025-09-30T19:00", "action": "receive"},
                        {"at": "2025-09-30T19:30", "action": "forward"},
                        {"at": "2025-09-30T20:00", "action": "dispatch"},
                        {"at": "2025-10-09T09:00", "action": "report_not_soon"},
                        {
                            "at": "2025-10-10T09:00",
                            "action": "agree_date",
                            "agreed_date": "2025-10-20",
                        },
                    ],
                }
            ],
        },
    )
    case = result["complaints"][0]
    dues = [s["due_at"] for s in case["steps"]]
    assert dues == [
        "2025-10-01T19:00:00+08:00",
        "2025-10-01T19:30:00+08:00",
        "2025-10-10T23:59:59.999999+08:00",  # 2 working days: 1–8 October skipped
        "2025-10-12T23:59:59.999999+08:00",  # explain within 3 days
        "2025-10-20T23:59:59.999999+08:00",  # the agreed date
    ]
    assert case["timing"]["state"] == "breached"
    assert case["timing"]["escalation_level"] == 1


def test_a8_2_replay_same_day_and_a_refused_step(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "complaints": [
                {
                    "id": "s1",
                    "profile": "a8_2",
                    "events": [
                        {"at": "2026-05-08T17:40", "action": "receive"},
                        {"at": "2026-05-08T18:00", "action": "dispatch"},
                    ],
                }
            ]
        },
    )
    case = result["complaints"][0]
    assert case["steps"][0]["due_at"] == "2026-05-08T23:59:59.999999+08:00"
    assert case["steps"][0]["rule_ids"] == ["A8.2"]
    assert case["error"]["code"] == "complaints.bad_transition"
    assert case["error"]["allowed"] == ["report_result", "report_not_soon"]


def test_company_days_in_the_file_win_over_the_official_calendar(tmp_path: Path) -> None:
    events = [{"at": "2026-03-06T10:00", "action": "receive"}]  # a Friday
    data = {
        "policy": {"forward_amount": 1, "forward_unit": "workday"},
        "calendar": {"2026-03-07": True},  # the company works that Saturday
        "complaints": [{"id": "c", "events": events}],
    }
    case = run(tmp_path, data)["complaints"][0]
    assert case["steps"][0]["due_at"] == "2026-03-07T23:59:59.999999+08:00"


def test_replay_is_deterministic(tmp_path: Path) -> None:
    data = {
        "complaints": [{"id": "c", "events": [{"at": "2026-02-13T15:00", "action": "receive"}]}]
    }
    assert run(tmp_path, data) == run(tmp_path, data)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"complaints": [{"id": "c", "events": []}]}, "complaints.0.events"),
        ({"policy": {"result_unit": "fortnight"}, "complaints": []}, "result_unit"),
        ({"complaints": [], "extra": 1}, "extra"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    tmp_path: Path, data: dict[str, object], fragment: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("rules", "complaints", "--input", str(path))
    assert fragment in str(refused.value)


def test_replay_module_main_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"complaints": []}), encoding="utf-8")
    assert replay.main(path)["complaints"] == []
