"""Invariants of the import's pure checks (``import_rules.check_rows``), for any sheet: every row
is either accepted or rejected, never both; no two accepted rows share a deciding identity key
(A7.4); a row rejected as a duplicate names an accepted row that came first (A1.5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.sales import import_rules as rules

NAMES = ["张三", "李四", "王芳", "", "张 三"]
PHONES = ["13800138000", "+86 138 0013 8000", "13900001111", "12345", ""]
PLATES = ["浙A12345", "浙A·12345", ""]
BRANDS = ["宝马", "BMW", "奔驰", ""]
STAFF = {"李明": [1], "赵强": [2], "王二": [3, 4]}

rows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "接待日期": st.one_of(
                st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31)), st.just("bad"), st.none()
            ),
            "客户姓名": st.sampled_from(NAMES),
            "联系电话": st.sampled_from(PHONES),
            "车辆品牌": st.sampled_from(BRANDS),
            "车牌号": st.sampled_from(PLATES),
            "接待售楼员": st.sampled_from([*STAFF, "无名", ""]),
        }
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(rows=rows_strategy, decides=st.booleans())
def test_A1_5_every_row_is_accepted_or_rejected_and_accepted_rows_share_no_key(
    rows: list[dict[str, Any]], decides: bool
) -> None:
    numbered = [(n, values) for n, values in enumerate(rows, start=2)]
    checked = rules.check_rows(
        numbered, today=dt.date(2026, 11, 27), salespeople=STAFF, full_name_decides=decides
    )
    accepted = {r.row for r in checked.accepted}
    rejected = set(checked.rejected_rows)
    assert accepted | rejected == {n for n, _ in numbered}
    assert not accepted & rejected
    claims = [c for r in checked.accepted for c in r.claims]
    assert len(claims) == len(set(claims))
    by_row = {r.row: r for r in checked.accepted}
    for problem in checked.problems:
        assert problem.message_zh and problem.message_en and problem.column in rules.HEADERS
        if problem.code == rules.Reason.DUPLICATE_ROW:
            first = int(problem.message_zh.split("第 ")[1].split(" 行")[0])
            kept = by_row[first]
            dup = next(values for n, values in numbered if n == problem.row)
            assert kept.received_on <= rules.parse_date(dup["接待日期"])  # type: ignore[operator]
