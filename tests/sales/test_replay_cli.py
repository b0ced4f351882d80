"""``kehu rules sales --input FILE.json``: the documented examples print what docs/rules-cli.md
shows, each decision comes from the same ``decide_ownership`` the app uses, and bad input exits 2
in Chinese and English naming the case and the field."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.sales.replay import main
from kehu.sales.rules import OwnershipFacts, Visit, decide_ownership, decision_as_json

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules-cli.md"
_BLOCK = re.compile(r"<!-- sales example ([\w-]+): (input|output) -->\n```json\n(.*?)\n```", re.S)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def doc_examples() -> dict[str, dict[str, str]]:
    examples: dict[str, dict[str, str]] = {}
    for name, part, body in _BLOCK.findall(DOC.read_text(encoding="utf-8")):
        examples.setdefault(name, {})[part] = body
    return examples


EXAMPLES = doc_examples()


def replay(path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("rules", "sales", "--input", str(path), *extra, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: Any, name: str = "input.json") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def example_result(tmp_path: Path, name: str) -> dict[str, Any]:
    return json.loads(replay(write(tmp_path, EXAMPLES[name]["input"], f"{name}.json")))


# --- the documented examples ---------------------------------------------------------------------


def test_the_doc_has_the_examples_the_brief_asks_for() -> None:
    assert {
        "walk-in",
        "phone-help-split",
        "unknowing-deal",
        "grab",
        "full-name-pending",
        "window-default",
        "window-override",
    } <= set(EXAMPLES)
    assert all(set(parts) == {"input", "output"} for parts in EXAMPLES.values())


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_documented_example_prints_what_the_doc_shows(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, EXAMPLES[name]["input"], f"{name}.json")
    assert replay(path).rstrip("\n") == EXAMPLES[name]["output"]


def test_a_walk_in_is_the_receivers_by_a1_5(tmp_path: Path) -> None:
    (decision,) = example_result(tmp_path, "walk-in")["decisions"]
    assert decision["clause"] == "A1.5" and decision["owner_after"]["salesperson"] == "li"
    assert decision["turns"][0]["outcome"] == "consumed"


def test_a7_12_3_splits_twenty_eighty(tmp_path: Path) -> None:
    (decision,) = example_result(tmp_path, "phone-help-split")["decisions"]
    assert decision["clause"] == "A7.12(3)"
    shares = {s["party"]["salesperson"]: s["percent"] for s in decision["deal"]["shares"]}
    assert shares == {"li": "20", "zhao": "80"}


def test_a7_16_splits_within_three_days_and_not_after(tmp_path: Path) -> None:
    within, after = example_result(tmp_path, "unknowing-deal")["decisions"]
    assert [within["id"], after["id"]] == ["within", "after"]
    assert {s["percent"] for s in within["deal"]["shares"]} == {"50"}
    assert [(s["party"]["salesperson"], s["percent"]) for s in after["deal"]["shares"]] == [
        ("zhao", "100")
    ]


def test_a7_13_grab_proposes_the_fine(tmp_path: Path) -> None:
    (decision,) = example_result(tmp_path, "grab")["decisions"]
    assert decision["clause"] == "A7.13" and "grab" in decision["flags"]
    assert decision["fine"]["minimum"] == "200.00" and decision["fine"]["maximum"] == "500.00"


def test_a7_20_full_name_only_is_pending_unless_the_identity_policy_decides(
    tmp_path: Path,
) -> None:
    (decision,) = example_result(tmp_path, "full-name-pending")["decisions"]
    assert decision["outcome"] == "needs_ruling" and decision["pending_claim_ids"] == ["r5"]
    data = json.loads(EXAMPLES["full-name-pending"]["input"])
    data["identity"] = {"full_name_alone": "decides"}
    (decided,) = json.loads(replay(write(tmp_path, data, "decides.json")))["decisions"]
    assert decided["outcome"] == "decided" and decided["owner_after"]["salesperson"] == "liming"


def test_a_policy_override_moves_the_sixty_day_window(tmp_path: Path) -> None:
    default = example_result(tmp_path, "window-default")
    override = example_result(tmp_path, "window-override")
    assert default["policy"] == "sales@default" and override["policy"] == "file"
    assert default["decisions"][0]["owner_after"]["salesperson"] == "zhao"
    assert override["decisions"][0]["owner_after"]["salesperson"] == "liming"


def test_naive_times_are_read_as_shanghai(tmp_path: Path) -> None:
    data = json.loads(EXAMPLES["walk-in"]["input"])
    case = data["cases"][0]
    case["now"] = "2026-11-02T10:30:00"
    case["visit"]["arrived_at"] = "2026-11-02T10:00:00"
    (decision,) = main(write(tmp_path, data))["decisions"]
    assert decision["at"] == "2026-11-02T10:30:00+08:00"


# --- the replay is the engine ----------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    minutes=st.lists(st.integers(min_value=0, max_value=60 * 24 * 30), min_size=1, max_size=8),
    receivers=st.sampled_from(["li", "zhao", "wang"]),
)
def test_every_case_is_decided_as_the_engine_decides_in_input_order(
    tmp_path_factory: pytest.TempPathFactory, minutes: list[int], receivers: str
) -> None:
    # given a month of walk-ins; when replayed; then each decision is decide_ownership's
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
    cases = []
    expected = []
    for n, offset in enumerate(minutes):
        arrived = start + dt.timedelta(minutes=offset)
        now = arrived + dt.timedelta(hours=1)
        cases.append(
            {
                "id": f"c{n}",
                "now": now.isoformat(),
                "visit": {"id": f"v{n}", "arrived_at": arrived.isoformat(), "receiver": receivers},
            }
        )
        facts = OwnershipFacts(now=now, visit=Visit(f"v{n}", arrived, receivers))
        expected.append({"id": f"c{n}", **decision_as_json(decide_ownership(facts))})
    path = write(tmp_path_factory.mktemp("month"), {"cases": cases})
    assert main(path)["decisions"] == expected


# --- bad input: exit status 2, Chinese and English ---------------------------------------------


def walk_in(**visit: Any) -> dict[str, Any]:
    return {
        "id": "x1",
        "now": "2026-03-01T12:00:00+08:00",
        "visit": {"id": "x1", "arrived_at": "2026-03-01T10:00:00+08:00", "receiver": "li", **visit},
    }


def without(case: dict[str, Any], key: str) -> dict[str, Any]:
    case = copy.deepcopy(case)
    del case["visit"][key]
    return case


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("{not json", "JSON"),
        ({}, "cases"),
        ({"cases": [without(walk_in(), "receiver")]}, "cases[0] (x1)"),
        ({"cases": [without(walk_in(), "receiver")]}, "visit.receiver"),
        ({"cases": [walk_in(arrived_at="2026-03-32T10:00:00")]}, "visit.arrived_at"),
        ({"cases": [{**walk_in(), "now": "yesterday"}]}, "now"),
        ({"cases": [walk_in(arrival="teleport")]}, "visit.arrival"),
        ({"cases": [walk_in(arrival="asked_for")]}, "names the salesperson"),
        ({"cases": [{**walk_in(), "now": "2026-03-01T09:00:00+08:00"}]}, "cases[0] (x1)"),
        ({"cases": [walk_in(), walk_in()]}, "duplicate"),
        ({"cases": [walk_in(colour="red")]}, "visit.colour"),
        ({"cases": [walk_in()], "policy": {"no_such": 1}}, "policy.no_such"),
        ({"cases": [walk_in()], "policy": {"new_customer_after_days": -1}}, "policy"),
        ({"cases": [walk_in()], "identity": {"full_name_alone": "maybe"}}, "full_name_alone"),
        ({"cases": ["v1"]}, "cases[0]"),
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
