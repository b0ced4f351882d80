"""``kehu rules discipline --input FILE.json``: the documented examples print what
docs/rules-cli.md shows, bad input exits 2 with both languages, and a replay of an employee's
ledger equals the standing the API shows."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kehu.core.org.models import Staff
from kehu.discipline.models import DisciplineEntry
from kehu.discipline.rules import Kind
from kehu.discipline.services import discipline_entry_post, proposal_decide

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules-cli.md"
_BLOCK = re.compile(r"<!-- example ([\w-]+): (input|output) -->\n```json\n(.*?)\n```", re.S)


def doc_examples() -> dict[str, dict[str, str]]:
    examples: dict[str, dict[str, str]] = {}
    for name, part, body in _BLOCK.findall(DOC.read_text(encoding="utf-8")):
        examples.setdefault(name, {})[part] = body
    return examples


EXAMPLES = doc_examples()


def replay(path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("rules", "discipline", "--input", str(path), *extra, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: Any, name: str = "input.json") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


# --- the documented examples ---------------------------------------------------------------------


def test_the_doc_has_the_examples_the_brief_asks_for() -> None:
    assert {
        "two-criticisms",
        "chain-to-termination",
        "offset-proposed",
        "offset-approved",
        "failures-warnings-reassignment",
        "reversal",
    } <= set(EXAMPLES)
    assert all(set(parts) == {"input", "output"} for parts in EXAMPLES.values())


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_documented_example_prints_what_the_doc_shows(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, EXAMPLES[name]["input"], f"{name}.json")
    printed = replay(path)
    assert printed.rstrip("\n") == EXAMPLES[name]["output"]


def test_two_criticisms_example_reads_as_the_rule_says(tmp_path: Path) -> None:
    result = json.loads(replay(write(tmp_path, EXAMPLES["two-criticisms"]["input"])))
    assert result["counts"]["criticism"] == 0 and result["counts"]["minor_demerit"] == 1
    assert result["derived"][0]["from_ids"] == ["c1", "c2"]


def test_chain_example_ends_in_a_termination_proposal(tmp_path: Path) -> None:
    result = json.loads(replay(write(tmp_path, EXAMPLES["chain-to-termination"]["input"])))
    assert [p["kind"] for p in result["proposals"]] == ["termination"]


def test_offset_examples_cancel_only_once_approved(tmp_path: Path) -> None:
    proposed = json.loads(replay(write(tmp_path, EXAMPLES["offset-proposed"]["input"], "a.json")))
    approved = json.loads(replay(write(tmp_path, EXAMPLES["offset-approved"]["input"], "b.json")))
    assert proposed["counts"]["criticism"] == 1 and proposed["proposals"][0]["kind"] == "offset"
    assert approved["counts"]["criticism"] == 0 and approved["proposals"] == []


def test_supervision_example_warns_then_proposes_reassignment(tmp_path: Path) -> None:
    result = json.loads(
        replay(write(tmp_path, EXAMPLES["failures-warnings-reassignment"]["input"]))
    )
    assert result["warnings_in_window"] == 2 and result["points"] == -9
    assert [p["kind"] for p in result["proposals"]] == ["reassignment_or_demotion"]


def test_reversal_example_undoes_the_conversion(tmp_path: Path) -> None:
    result = json.loads(replay(write(tmp_path, EXAMPLES["reversal"]["input"])))
    assert result["counts"]["minor_demerit"] == 0 and result["ignored_ids"] == ["c1"]


def test_as_of_on_the_command_line_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLES["two-criticisms"]["input"])
    result = json.loads(replay(path, "--as-of", "2026-01-31", "--compact"))
    assert result["as_of"] == "2026-01-31" and result["counts"]["criticism"] == 1


# --- bad input: exit status 2, Chinese and English ---------------------------------------------


def entry(**fields: Any) -> dict[str, Any]:
    return {"id": "e1", "kind": "criticism", "on": "2026-01-05", **fields}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("{not json", "JSON"),
        ({"entries": []}, "as_of"),
        ({"as_of": "2026-01-01", "entries": [entry(on="2026-13-01")]}, "entries.0.on"),
        ({"as_of": "2026-01-01", "entries": [entry(kind="medal")]}, "medal"),
        ({"as_of": "2026-01-01", "entries": [entry(kind="fine")]}, "amount"),
        ({"as_of": "2026-01-01", "entries": [entry(amount="5")]}, "amount"),
        ({"as_of": "2026-01-01", "entries": [entry(kind="supervision_failure")]}, "type 1–6"),
        ({"as_of": "2026-01-01", "entries": [entry(), entry()]}, "duplicate"),
        ({"as_of": "2026-01-01", "entries": [entry(kind="reversal", refs=["x"])]}, "Reversal"),
        ({"as_of": "2026-01-01", "entries": [entry(colour="red")]}, "colour"),
        ({"as_of": "2026-01-01", "policy": {"no_such": 1}, "entries": []}, "policy.no_such"),
        (
            {"as_of": "2026-01-01", "policy": {"accumulation_window_months": 0}, "entries": []},
            "policy",
        ),
    ],
)
def test_bad_input_exits_2_with_both_languages(tmp_path: Path, data: Any, says: str) -> None:
    with pytest.raises(CommandError) as caught:
        replay(write(tmp_path, data))
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert message.startswith("错误：") and "\nError: " in message
    assert says in message


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        replay(tmp_path / "absent.json")
    assert caught.value.returncode == 2 and "找不到输入文件" in str(caught.value)


def test_an_app_without_a_replay_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLES["two-criticisms"]["input"])
    for app in ("nosuchapp", "Bad-Name"):
        with pytest.raises(CommandError) as caught:
            call_command("rules", app, "--input", str(path), stdout=io.StringIO())
        assert caught.value.returncode == 2


def test_the_real_command_exits_2_and_prints_to_stderr(tmp_path: Path) -> None:
    path = write(tmp_path, {"as_of": "2026-03-01", "entries": [entry(kind="fine")]})
    done = subprocess.run(
        [sys.executable, "-m", "kehu.cli", "rules", "discipline", "--input", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")},
        check=False,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "错误：entries[0] (e1)：罚款、奖金和专项奖励须填写大于 0 的金额（元）。" in done.stderr
    assert "Error: entries[0] (e1): Fines, bonuses and special awards need an amount" in done.stderr


# --- a replay of the ledger equals the API's standing ------------------------------------------


@pytest.fixture
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


def as_replay_input(rows: list[DisciplineEntry], as_of: dt.date) -> dict[str, Any]:
    """An employee's ledger as the CLI's input, ids being the entries' ids."""
    return {
        "as_of": as_of.isoformat(),
        "entries": [
            {
                "id": str(row.pk),
                "kind": row.kind,
                "on": row.on.isoformat(),
                **({"amount": str(row.amount)} if row.amount is not None else {}),
                **({"points": row.points} if row.points is not None else {}),
                **({"failure_type": row.failure_type} if row.failure_type is not None else {}),
                "refs": [str(ref) for ref in row.refs],
                "rule_ids": list(row.rule_ids),
                "reason": row.reason,
            }
            for row in rows
        ],
    }


def test_a_replay_of_the_ledger_equals_the_standing_the_api_shows(
    frozen_today: None, client: Client, li: Staff, wang: Staff, tmp_path: Path
) -> None:
    li.supervisor = wang
    li.save()

    def post(kind: Kind | str, on: dt.date, **extra: Any) -> DisciplineEntry:
        return discipline_entry_post(
            employee=li, on=on, kind=kind, reason="测试", rule_ids=extra.pop("rule_ids", []),
            recorded_by=wang, **extra,
        )  # fmt: skip

    d = dt.date
    c1 = post("criticism", d(2026, 1, 5))
    post("criticism", d(2026, 2, 5))
    post("commendation", d(2026, 3, 1))
    post("commendation", d(2026, 3, 2))
    post("fine", d(2026, 4, 2), amount=Decimal("300"), rule_ids=["A7.13"])
    post("bonus", d(2026, 4, 3), amount=Decimal("120.50"))
    for month in (5, 6, 7):
        post("supervision_failure", d(2026, month, 28), failure_type=2)
    post("warning", d(2026, 8, 1))
    post("points", d(2026, 8, 2), points=4)
    c9 = post("criticism", d(2026, 9, 1))
    post("reversal", d(2026, 9, 15), refs=[c9.pk], rule_ids=["A4 四.七"])
    post("major_demerit", d(2026, 10, 1))
    post("major_demerit", d(2026, 10, 2))
    # approve the offset the rules propose: the minor merit two commendations made against the
    # minor demerit two criticisms made (both derived)
    from kehu.discipline import selectors

    offsets = [i for i in selectors.proposals_queue_for(wang) if i.kind == "offset"]
    for item in offsets:
        proposal_decide(decider=wang, proposal_key=item.key, outcome="approved", reason="酌情")
    assert [i.from_ids[1] for i in offsets] == [f"criticism-pair:{c1.pk}+{c1.pk + 1}"]

    as_of = dt.date(2026, 11, 27)
    rows = list(DisciplineEntry.objects.filter(employee=li).order_by("on", "pk"))
    printed = json.loads(replay(write(tmp_path, as_replay_input(rows, as_of))))
    client.force_login(li.user)
    shown = client.get(f"/api/v1/discipline/standing/{li.pk}", {"as_of": as_of.isoformat()}).json()
    for proposal in shown["proposals"]:
        proposal.pop("open")
        proposal.pop("decision")
    assert printed.pop("policy_ref") == shown["policy_ref"] == "discipline@default"
    assert printed == {key: shown[key] for key in printed}
    assert printed["proposals"], "the ledger should leave something to decide"
