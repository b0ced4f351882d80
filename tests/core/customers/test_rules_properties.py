"""Invariants of the identity keys (hypothesis): normalising twice changes nothing, and the
ways people type one number or plate all give one key."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kehu.core.customers import rules

mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
separators = st.sampled_from(["", " ", "-", " - ", ".", "　"])


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in text)


@st.composite
def typed_mobile(draw: st.DrawFn, number: str) -> str:
    sep = draw(separators)
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86", "(+86)"]))
    grouped = sep.join([number[:3], number[3:7], number[7:]])
    typed = prefix + grouped
    return to_full_width(typed) if draw(st.booleans()) else typed


@given(st.data(), mobiles)
def test_every_way_of_typing_a_mobile_gives_one_key(data: st.DataObject, number: str) -> None:
    typed = data.draw(typed_mobile(number))
    assert rules.normalise_phone(typed) == "+86" + number


@given(mobiles)
def test_phone_normalisation_is_idempotent(number: str) -> None:
    e164 = rules.normalise_phone(number)
    assert rules.normalise_phone(e164) == e164


@given(mobiles)
def test_masked_phone_shows_only_first_three_and_last_four(number: str) -> None:
    masked = rules.mask_phone("+86" + number)
    assert masked == number[:3] + "****" + number[-4:]


provinces = st.sampled_from("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
authority = st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ")
serial = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=5, max_size=6)
plate_noise = st.sampled_from(["", " ", "·", ".", "-", " · ", "•"])


@given(provinces, authority, serial, plate_noise, plate_noise, st.booleans())
def test_plate_spacing_dots_and_case_never_change_the_key(
    province: str, letter: str, number: str, sep1: str, sep2: str, lower: bool
) -> None:
    plain = province + letter + number
    typed = f"{province}{sep1}{letter}{sep2}{number[:2]}{sep1}{number[2:]}"
    if lower:
        typed = typed.lower()
    assert rules.normalise_plate(typed) == rules.normalise_plate(plain) == plain


@given(st.text(max_size=20))
def test_plate_normalisation_is_idempotent(text: str) -> None:
    once = rules.normalise_plate(text)
    assert rules.normalise_plate(once) == once


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
name_text = st.text(alphabet=st.one_of(cjk, st.sampled_from("abcXYZ ·　Ａｂ")), max_size=12)


@given(name_text)
def test_name_normalisation_is_idempotent(name: str) -> None:
    once = rules.normalise_name(name)
    assert rules.normalise_name(once) == once


@given(st.text(alphabet=cjk, min_size=2, max_size=4), st.sampled_from([" ", "　", "  "]))
def test_spaces_inside_a_chinese_name_do_not_change_the_key(name: str, space: str) -> None:
    spaced = space.join(name)
    assert rules.normalise_name(spaced) == rules.normalise_name(name)
    assert rules.full_name_key(spaced) == rules.full_name_key(name)


@given(st.text(max_size=20))
def test_brand_key_is_idempotent(text: str) -> None:
    once = rules.canonical_car_brand(text)
    assert rules.canonical_car_brand(once) == once


@given(st.sampled_from(sorted(rules.CAR_BRAND_SYNONYMS)), st.data())
def test_every_listed_spelling_of_a_brand_gives_its_canonical_key(
    canonical: str, data: st.DataObject
) -> None:
    spelling = data.draw(st.sampled_from(rules.CAR_BRAND_SYNONYMS[canonical]))
    variant = data.draw(st.sampled_from([spelling, spelling.upper(), f" {spelling} "]))
    assert rules.canonical_car_brand(unicodedata.normalize("NFKC", variant)) == canonical


@given(st.text(alphabet=cjk, min_size=2, max_size=3))
def test_pinyin_initials_are_the_first_letters_of_the_full_pinyin(name: str) -> None:
    initials, full = rules.name_pinyin(name)
    assert full.startswith(initials[:1])
    assert initials.isascii() and full.isascii()
