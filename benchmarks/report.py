"""Tables from a run's JSON: plain text for the terminal, Markdown for docs/performance.md."""

from __future__ import annotations

from typing import Any

DATABASE_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
RATIO_WORTH_A_LOOK = 5.0


def _time(us: float) -> str:
    """Microseconds below 10 ms, milliseconds up to 10 s, seconds beyond."""
    if us < 10_000:
        return f"{us:,.0f} µs" if us >= 100 else f"{us:.1f} µs"
    if us < 10_000_000:
        return f"{us / 1000:,.1f} ms"
    return f"{us / 1_000_000:,.2f} s"


def _rows(results: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for r in results:
        k, f = r["kehu"], r["floor"]
        flag = " ⚠" if r["ratio"] > RATIO_WORTH_A_LOOK else ""
        rows.append(
            [
                r["operation"],
                f"{r['size']:,}",
                f"{_time(k['median_us'])} / {_time(k['p99_us'])}",
                f"{_time(f['median_us'])} / {_time(f['p99_us'])}",
                f"{r['ratio']:.1f}×{flag}",
                f"{r['kehu_queries']} / {r['floor_queries']}",
            ]
        )
    return rows


HEADER = ["operation", "N", "kehu median / p99", "floor median / p99", "ratio", "queries k / f"]


def _extras(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for r in results:
        for label, s in r.get("extras", {}).items():
            lines.append(
                f"{r['operation']} → {label}: median {_time(s['median_us'])}, "
                f"p99 {_time(s['p99_us'])}"
            )
    return lines


def text_tables(run: dict[str, Any]) -> str:
    out = []
    machine = run["machine"]
    out.append(
        f"kehu benchmarks ({run['config']['mode']}) — {machine['date']} — {machine['nproc']} × "
        f"{machine['cpu_model']}, {machine['ram_gib']} GiB, Python {machine['python']}"
    )
    for name, db in run["databases"].items():
        title = DATABASE_TITLES.get(name, name)
        out.append("")
        if "skipped" in db:
            out.append(f"{title}: skipped — {db['skipped']}")
            continue
        out.append(
            f"{title} {db['database'].get('server_version', '')} "
            f"({database_settings(db['database'])})"
        )
        rows = [HEADER, *_rows(db["results"])]
        widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
        for n, row in enumerate(rows):
            out.append(
                "  ".join(
                    cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                    for i, cell in enumerate(row)
                )
            )
            if n == 0:
                out.append("  ".join("-" * w for w in widths))
        out.append("breakdowns:")
        out += [f"  {line}" for line in _extras(db["results"])]
        out += [f"  {r['operation']}: {r['note']}" for r in db["results"] if r.get("note")]
    flagged = [
        (name, r["operation"], r["ratio"])
        for name, db in run["databases"].items()
        for r in db.get("results", [])
        if r["ratio"] > RATIO_WORTH_A_LOOK
    ]
    if flagged:
        out.append("")
        out.append(f"⚠ more than {RATIO_WORTH_A_LOOK:.0f}× the floor:")
        out += [f"  {DATABASE_TITLES.get(n, n)}: {op} ({ratio:.1f}×)" for n, op, ratio in flagged]
    return "\n".join(out)


def database_settings(info: dict[str, Any]) -> str:
    """The settings that move the figures, in one line."""
    if info.get("vendor") == "sqlite":
        return f"journal_mode={info['journal_mode']}, synchronous={info['synchronous']}"
    keys = ("synchronous_commit", "shared_buffers", "random_page_cost", "plan_cache_mode")
    return ", ".join(f"{k}={info[k]}" for k in keys if k in info)


def _run_summary(run: dict[str, Any]) -> list[str]:
    m, c = run["machine"], run["config"]
    lines = [
        f"- run: {m['date']}, commit {m['git_commit'] or '?'}, mode `{c['mode']}`, "
        f"seed {c['seed']}, {run.get('seconds', 0):.0f} s in all",
        f"- machine: {m['nproc']} × {m['cpu_model']}, {m['ram_gib']} GiB RAM, "
        f"load average at start {', '.join(str(x) for x in m['load_average'])}",
        f"- software: Python {m['python']}, Django {m['django']}, SQLite {m['sqlite']}"
        + "".join(
            f", PostgreSQL {db['database']['server_version']}"
            for db in run["databases"].values()
            if db.get("database", {}).get("vendor") == "postgresql"
        ),
        f"- data: {c['customers']:,} customers in the measured company (+{c['customers'] // 10:,}"
        f" in another), a {c['ledger_entries']:,}-entry ledger stream; timed calls per "
        f"operation: match {c['match_calls']:,}, search {c['search_calls']:,}, append "
        f"{c['append_calls']:,}, verify {c['verify_runs']}, deadline {c['deadline_calls']:,}",
    ]
    for name, db in run["databases"].items():
        if "load" not in db:
            continue
        rates = ", ".join(f"{t} {r:,}/s" for t, r in db["load"]["rows_per_second"].items())
        lines.append(
            f"- {DATABASE_TITLES.get(name, name)}: {database_settings(db['database'])}; "
            f"bulk load {rates}"
        )
    return lines


def markdown_tables(run: dict[str, Any]) -> str:
    out = [*_run_summary(run), ""]
    for name, db in run["databases"].items():
        title = DATABASE_TITLES.get(name, name)
        if "skipped" in db:
            out.append(f"### {title}\n\nSkipped: {db['skipped']}\n")
            continue
        out.append(f"### {title} {db['database'].get('server_version', '')}\n")
        out.append("| " + " | ".join(HEADER) + " |")
        out.append("|" + "|".join(["---"] + ["---:"] * (len(HEADER) - 1)) + "|")
        for row in _rows(db["results"]):
            out.append("| " + " | ".join(row) + " |")
        out.append("")
        extras = _extras(db["results"])
        if extras:
            out.append(
                "Breakdowns (same run: parts of kehu's call, and the floor's SQL run other ways):\n"
            )
            out += [f"- {line}" for line in extras]
            out.append("")
    return "\n".join(out)
