"""``kehu rules <app> --input FILE.json``: replay facts through an app's pure rules.

Each app that offers a replay has ``kehu.<app>.replay`` (or ``kehu.core.<app>.replay``) with
``main(input_path, options) -> dict``; this command finds it by import, runs it and prints the
result as JSON. Sales, complaints and discipline each describe their input in docs/rules-cli.md.
An app may also offer ``export(options) -> dict`` (``--export``: stored decisions of a period
written as its replay input; sales does, with ``--company``, ``--site``, ``--from``, ``--to``)
and read ``options["compare"]`` (``--compare``: replay and list what differs from the stored).

Exit status: 0 printed, 2 bad input or unknown app (the message in Chinese and English).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import unicodedata
from decimal import Decimal
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.errors import KehuError

_APP_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
USAGE_ERROR = 2


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _display_width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_flat(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) or _is_flat_list(v) for v in value.values())
    return _is_flat_list(value)


def _is_flat_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


def json_pretty(value: Any, indent: int = 0, used: int = 0, width: int = 100) -> str:
    """JSON indented by two spaces, with short lists and objects of plain values kept on one
    line (a step, a derived fact), so a standing reads top to bottom. ``used``: columns the
    line already holds before the value."""
    one_line = json.dumps(value, ensure_ascii=False, default=_json_default)
    if not isinstance(value, dict | list) or (
        _is_flat(value) and used + _display_width(one_line) <= width
    ):
        return one_line
    pad = " " * (indent + 2)
    closing = " " * indent
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [pad + json_pretty(v, indent + 2, indent + 2, width) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + closing + "]"
    if not value:
        return "{}"
    items = []
    for key, item in value.items():
        head = f"{pad}{json.dumps(key, ensure_ascii=False)}: "
        items.append(head + json_pretty(item, indent + 2, len(head), width))
    return "{\n" + ",\n".join(items) + "\n" + closing + "}"


def _usage_error(message_zh: str, message_en: str, details: Any = None) -> CommandError:
    lines = [f"错误：{message_zh}", f"Error: {message_en}"]
    if details:
        lines.append(json.dumps(details, ensure_ascii=False, default=_json_default))
    return CommandError("\n".join(lines), returncode=USAGE_ERROR)


def replay_module(app: str) -> ModuleType:
    """``kehu.<app>.replay`` or ``kehu.core.<app>.replay``; a CommandError (exit 2) if neither."""
    if not _APP_NAME.match(app):
        raise _usage_error(f"应用名“{app}”无效。", f"Invalid app name {app!r}.")
    for name in (f"kehu.{app}.replay", f"kehu.core.{app}.replay"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # Only "this module does not exist" means try the next place; a missing import
            # inside an existing replay module is a real error.
            if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
                continue
            raise
        if callable(getattr(module, "main", None)):
            return module
    raise _usage_error(
        f"应用“{app}”没有规则回放（找不到 kehu.{app}.replay.main）。",
        f"App {app!r} has no rules replay (no kehu.{app}.replay.main).",
    )


class Command(BaseCommand):
    # A replay reads a file and runs pure rules: no database, so no system checks to wait for.
    requires_system_checks: list[str] = []  # type: ignore[assignment]
    help = (
        "按应用的规则回放输入文件中的事实并以 JSON 输出结果，例如 "
        "`kehu rules discipline --input entries.json`。"
        " Replay facts through an app's rules and print the result as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("app", help="应用名，如 discipline / app name, e.g. discipline")
        parser.add_argument(
            "--input",
            default=None,
            help="输入 JSON 文件 / input JSON file (see docs/rules-cli.md)",
        )
        parser.add_argument(
            "--compare",
            action="store_true",
            help="与文件中保存的决定比较，只列出不同之处 / compare with the stored decisions",
        )
        parser.add_argument(
            "--export",
            action="store_true",
            help="把某段时间已保存的决定导出为回放输入 / export stored decisions as replay input",
        )
        parser.add_argument("--company", default=None, help="公司代码 / company code (--export)")
        parser.add_argument(
            "--site", default=None, help="项目 id 或名称 / site id or name (--export)"
        )
        parser.add_argument(
            "--from", dest="date_from", default=None, help="起始日期 YYYY-MM-DD (--export)"
        )
        parser.add_argument(
            "--to", dest="date_to", default=None, help="截止日期 YYYY-MM-DD，含当天 (--export)"
        )
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            help="覆盖输入中的截至日期 YYYY-MM-DD / override the input's as_of date",
        )
        parser.add_argument("--compact", action="store_true", help="单行输出 / print on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        module = replay_module(options["app"])
        if options["export"] and options["input"]:
            raise _usage_error(
                "--export 与 --input 不能同时使用。", "Use either --export or --input, not both."
            )
        if options["export"] and not callable(getattr(module, "export", None)):
            raise _usage_error(
                f"应用“{options['app']}”不支持 --export。",
                f"App {options['app']!r} has no --export.",
            )
        if not options["export"] and not options["input"]:
            raise _usage_error("请用 --input 指定输入文件。", "Give the input file with --input.")
        try:
            if options["export"]:
                result = module.export(options)
            else:
                result = module.main(options["input"], options)
        except KehuError as exc:
            raise _usage_error(exc.message_zh, exc.message_en, exc.details) from None
        if options["compact"]:
            text = json.dumps(result, ensure_ascii=False, default=_json_default)
        else:
            text = json_pretty(result)
        self.stdout.write(text)
