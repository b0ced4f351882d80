"""Identity keys and the A7.4 matching rule: pure functions, no Django, no I/O, no clock.

A7.4: two registrations are the same customer when their **full name**, their **contact phone
number**, or their **car brand and licence plate together with the surname** match — any one
of the three is enough. Every key is normalised once, when a customer is written, so that a
match is an equality test on an indexed column (see ``models.Customer``).

Reading (rulebook, "Identity"): a full-name-only match may join two different people who share
a common name, so it is reported as needing the sales manager's confirmation (A7.20) unless the
policy ``identity.full_name_alone`` says ``decides``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import phonenumbers
from pypinyin import Style, lazy_pinyin

RULE_IDENTITY = "A7.4"
RULE_MANAGER_RULING = "A7.20"

FULL_NAME_ALONE_DECIDES = "decides"
FULL_NAME_ALONE_NEEDS_CONFIRMATION = "needs_confirmation"
FULL_NAME_ALONE_CHOICES = (FULL_NAME_ALONE_DECIDES, FULL_NAME_ALONE_NEEDS_CONFIRMATION)


# --- phone numbers --------------------------------------------------------------------------


class PhoneProblem(StrEnum):
    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    MOBILE_LENGTH = "mobile_length"
    MOBILE_PREFIX = "mobile_prefix"
    LANDLINE_NEEDS_AREA_CODE = "landline_needs_area_code"
    UNRECOGNISED = "unrecognised"


class PhoneNumberInvalid(ValueError):
    """A phone number that cannot be normalised; ``problem`` says what is wrong with it."""

    def __init__(self, problem: PhoneProblem, raw: str, digit_count: int = 0) -> None:
        super().__init__(f"{problem}: {raw!r}")
        self.problem = problem
        self.raw = raw
        self.digit_count = digit_count


# Separators people type inside numbers: spaces, dashes (ASCII and CJK), dots, brackets.
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―.()（）/]")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_phone(raw: str) -> str:
    """E.164 form of a phone number typed any usual way.

    Mainland mobiles are 11 digits starting with 1 (``138 0013 8000``, ``+86 138-0013-8000``,
    ``0086 13800138000``, full-width digits) → ``+8613800138000``. Landlines need their area code
    (``010-12345678`` → ``+861012345678``). Other countries need ``+`` and a country code.
    Raises ``PhoneNumberInvalid`` saying what is wrong.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    compact = _PHONE_SEPARATORS.sub("", text)
    if not compact:
        raise PhoneNumberInvalid(PhoneProblem.EMPTY, raw)
    international = compact.startswith("+")
    digits = compact[1:] if international else compact
    if not digits.isascii() or not digits.isdigit():
        raise PhoneNumberInvalid(PhoneProblem.NOT_DIGITS, raw)
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    if international:
        if digits.startswith("86"):
            national = digits[2:]
        else:
            return _parse_with_library("+" + digits, raw)
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        national = digits[2:]  # "86 138…" typed without the plus
    else:
        national = digits
    if national.startswith("1") and not national.startswith("10"):
        # Mainland mobiles; "10…" after +86 is Beijing's area code, a landline.
        if len(national) != 11:
            raise PhoneNumberInvalid(PhoneProblem.MOBILE_LENGTH, raw, len(national))
        if not _MAINLAND_MOBILE.fullmatch(national):
            raise PhoneNumberInvalid(PhoneProblem.MOBILE_PREFIX, raw, len(national))
        return "+86" + national
    if not national.startswith("0") and not international and len(national) <= 8:
        # 7–8 digits without a leading 0: a local landline number missing its area code.
        raise PhoneNumberInvalid(PhoneProblem.LANDLINE_NEEDS_AREA_CODE, raw, len(national))
    trunk = national if national.startswith(("0", "4", "8")) else "0" + national
    return _parse_with_library(trunk, raw, region="CN")


def _parse_with_library(number: str, raw: str, region: str | None = None) -> str:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneNumberInvalid(PhoneProblem.UNRECOGNISED, raw) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneNumberInvalid(PhoneProblem.UNRECOGNISED, raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_national(e164: str) -> str:
    """The number as staff dial it: ``13800138000`` for mainland mobiles, ``010 1234 5678``…"""
    if e164.startswith("+86") and _MAINLAND_MOBILE.fullmatch(e164[3:]):
        return e164[3:]
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if parsed.country_code == 86:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_last4(e164: str) -> str:
    return e164[-4:]


def mask_phone(e164: str) -> str:
    """Masked for display: ``138****1234`` (mobiles), ``0571****6666`` (landlines keep their
    area code), ``+1 415***2671`` (other countries keep the country code)."""
    if not e164:
        return ""
    if e164.startswith("+86") and _MAINLAND_MOBILE.fullmatch(e164[3:]):
        return _mask_middle(e164[3:], keep_head=3)
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return _mask_middle(e164.lstrip("+"), keep_head=3)
    national = phonenumbers.national_significant_number(parsed)
    if parsed.country_code == 86:
        area = phonenumbers.length_of_geographical_area_code(parsed)
        if not area:  # 400/800 service numbers have no area code and no trunk 0
            return _mask_middle(national, keep_head=3)
        return _mask_middle("0" + national, keep_head=area + 1)
    return f"+{parsed.country_code} " + _mask_middle(national, keep_head=3)


def _mask_middle(digits: str, *, keep_head: int) -> str:
    if len(digits) <= 4:
        return "*" * len(digits)
    head = digits[: min(keep_head, len(digits) - 4 - 1)] if len(digits) > 5 else ""
    return head + "*" * (len(digits) - len(head) - 4) + digits[-4:]


def phone_search_prefix(fragment: str) -> str | None:
    """E.164 prefix for a partial number typed in a search box (``1380013`` → ``+861380013``)."""
    compact = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", fragment or ""))
    if compact.startswith("+"):
        rest = compact[1:]
        return "+" + rest if rest.isascii() and rest.isdigit() else None
    if not compact.isascii() or not compact.isdigit():
        return None
    if compact.startswith("0086"):
        return "+" + compact[2:]
    if compact.startswith("0"):
        return "+86" + compact[1:]
    return "+86" + compact


# --- names ----------------------------------------------------------------------------------

# Interpuncts separate the parts of transliterated and minority names (阿卜杜·热合曼); people type
# any of them, or none.
_NAME_PUNCT = re.compile(r"[\s·•・‧.．]")
_INTERPUNCT = re.compile(r"[·•・‧.．]")

COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
        "令狐", "宇文", "夏侯", "轩辕", "端木", "独孤", "南宫", "司徒", "司空", "澹台",
        "公冶", "太叔", "申屠", "赫连", "钟离", "闻人", "万俟", "西门", "呼延", "百里",
        "东郭", "拓跋", "淳于", "单于", "濮阳", "公羊", "左丘", "第五", "谷梁", "梁丘",
        # traditional-script spellings
        "歐陽", "司馬", "諸葛", "東方", "長孫", "軒轅", "獨孤", "南宮",
        "鍾離", "聞人",
    }
)  # fmt: skip

# A surname followed only by one of these is a form of address, not a full name (张先生).
HONORIFICS: tuple[str, ...] = (
    "先生", "女士", "小姐", "太太", "夫人", "老师", "师傅", "阿姨", "叔叔", "老板",
    "经理", "大姐", "大哥", "总", "姐", "哥", "工",
)  # fmt: skip


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK")


def normalise_name(raw: str) -> str:
    """Matching form of a name: NFKC (full-width → half-width), no spaces or interpuncts,
    Latin letters case-folded. ``张 三`` = ``张三``; ``ＪＯＨＮ Smith`` = ``johnsmith``."""
    text = _NAME_PUNCT.sub("", unicodedata.normalize("NFKC", raw or "")).casefold()
    # Again: removing a separator or case-folding can leave a sequence NFKC would compose.
    return _NAME_PUNCT.sub("", unicodedata.normalize("NFKC", text))


def surname_of(raw_name: str) -> str:
    """The family name: ``张三`` → ``张``, ``欧阳修`` → ``欧阳``, ``John Smith`` → ``smith``."""
    text = unicodedata.normalize("NFKC", raw_name or "").strip()
    if not text:
        return ""
    compact = _NAME_PUNCT.sub("", text)
    if _is_cjk(compact[0]):
        if compact[:2] in COMPOUND_SURNAMES and len(compact) >= 2:
            return compact[:2]
        return compact[0]
    # Latin-script names are written given name first; the family name is the last word.
    words = [w for w in re.split(r"[\s·•・‧.,，]+", text) if w]
    return words[-1].casefold() if words else ""


def full_name_key(raw_name: str, honorifics: Iterable[str] = HONORIFICS) -> str:
    """Key for A7.4's full-name ground, or ``""`` when the name is no full name.

    Reading: ``张先生``/``王女士`` (surname + form of address) names nobody in particular; two
    customers who are both "张先生" are not thereby the same person, so such a name gives no
    full-name key (the surname still counts for the car-plate ground).
    """
    key = normalise_name(raw_name)
    if not key:
        return ""
    surname = surname_of(raw_name)
    if surname and _is_cjk(surname[0]):
        rest = key[len(surname) :]
        if not rest or rest in tuple(honorifics):
            return ""  # a surname alone, or a surname and a form of address
    return key


# --- pinyin ---------------------------------------------------------------------------------

# Characters read differently as surnames than in ordinary words (曾 zēng, not céng).
SURNAME_READINGS: Mapping[str, str] = {
    "曾": "zeng", "单": "shan", "解": "xie", "朴": "piao", "区": "ou", "乐": "yue",
    "覃": "qin", "仇": "qiu", "查": "zha", "盖": "ge", "缪": "miao", "翟": "zhai",
    "召": "shao", "繁": "po", "员": "yun", "秘": "bi", "冼": "xian", "宓": "mi",
    "尉": "yu", "种": "chong", "褚": "chu", "句": "gou", "隗": "wei", "长": "zhang",
}  # fmt: skip


def _pinyin_syllables(text: str) -> list[str]:
    syllables: list[str] = []
    for part in lazy_pinyin(text, style=Style.NORMAL):
        # Non-Chinese runs come back whole ("John Smith"): one syllable per word.
        for word in re.split(r"[^0-9a-z]+", part.casefold()):
            if word:
                syllables.append(word)
    return syllables


# Remembered: pypinyin segments and looks up every name (≈ 2 % of a registration's time), and
# names repeat (张伟, 王芳); the answer depends on the text alone.
@functools.lru_cache(maxsize=8192)
def name_pinyin(raw_name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a name for search: ``张三`` → (``zs``, ``zhangsan``).

    The surname is read with its surname reading (``曾国藩`` → ``zgf``/``zengguofan``).
    Non-Chinese words keep their letters (``ABC张`` → ``az``/``abczhang``).
    """
    text = _INTERPUNCT.sub("", unicodedata.normalize("NFKC", raw_name or "")).strip()
    if not text:
        return "", ""
    surname = surname_of(text) if _is_cjk(text[0]) else ""
    head: list[str] = []
    if surname:
        for char in surname:
            head.append(SURNAME_READINGS.get(char) or "".join(_pinyin_syllables(char)))
        text = text[len(surname) :]
    syllables = [s for s in head if s] + _pinyin_syllables(text)
    return "".join(s[0] for s in syllables), "".join(syllables)


def normalise_pinyin_query(raw: str) -> str:
    """A typed pinyin query in stored form: lower case, no spaces or apostrophes."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", raw or "").casefold())


# --- licence plates and car brands ----------------------------------------------------------

_PLATE_NOISE = re.compile(r"[\s·•・‧.．\-_‐‑–—]")


def normalise_plate(raw: str) -> str:
    """``京A·12345`` = ``京a 12345`` = ``京A-12345`` → ``京A12345``: NFKC, upper, no separators.

    Chinese plates never use the letters I and O in the serial (GA 36), so an ``O`` or ``I``
    typed after the issuing-authority letter is read as ``0`` or ``1``.
    """
    text = _PLATE_NOISE.sub("", unicodedata.normalize("NFKC", raw or "")).upper()
    text = _PLATE_NOISE.sub("", unicodedata.normalize("NFKC", text))
    if len(text) > 2 and _is_cjk(text[0]):
        text = text[:2] + text[2:].replace("O", "0").replace("I", "1")
    return text


# canonical code → every spelling people use (simplified, traditional, English, abbreviations)
CAR_BRAND_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "bmw": ("宝马", "寶馬", "BMW", "别摸我", "巴伐利亚"),
    "mercedes-benz": (
        "奔驰", "奔馳", "梅赛德斯", "梅賽德斯", "梅赛德斯奔驰", "梅賽德斯賓士", "梅赛德斯-奔驰",
        "Mercedes-Benz", "Mercedes", "Benz", "平治", "賓士", "宾士",
    ),
    "volkswagen": ("大众", "大眾", "VW", "Volkswagen", "福斯"),
    "toyota": ("丰田", "豐田", "Toyota"),
    "honda": ("本田", "Honda"),
    "audi": ("奥迪", "奧迪", "Audi"),
    "byd": ("比亚迪", "比亞迪", "BYD"),
    "tesla": ("特斯拉", "Tesla"),
    "buick": ("别克", "別克", "Buick"),
    "nissan": ("日产", "日產", "尼桑", "Nissan"),
    "hyundai": ("现代", "現代", "Hyundai"),
    "kia": ("起亚", "起亞", "Kia"),
    "ford": ("福特", "Ford"),
    "chevrolet": ("雪佛兰", "雪佛蘭", "Chevrolet", "Chevy"),
    "mazda": ("马自达", "馬自達", "Mazda"),
    "lexus": ("雷克萨斯", "雷克薩斯", "凌志", "Lexus"),
    "porsche": ("保时捷", "保時捷", "Porsche"),
    "land-rover": ("路虎", "Land Rover", "LandRover", "越野路华"),
    "jaguar": ("捷豹", "Jaguar"),
    "volvo": ("沃尔沃", "沃爾沃", "富豪", "Volvo"),
    "skoda": ("斯柯达", "斯柯達", "Skoda", "Škoda"),
    "peugeot": ("标致", "標致", "Peugeot"),
    "citroen": ("雪铁龙", "雪鐵龍", "Citroen", "Citroën"),
    "cadillac": ("凯迪拉克", "凱迪拉克", "Cadillac"),
    "lincoln": ("林肯", "Lincoln"),
    "infiniti": ("英菲尼迪", "Infiniti"),
    "mitsubishi": ("三菱", "Mitsubishi"),
    "subaru": ("斯巴鲁", "速霸陆", "Subaru"),
    "suzuki": ("铃木", "鈴木", "Suzuki"),
    "jeep": ("吉普", "Jeep"),
    "mini": ("迷你", "MINI"),
    "ferrari": ("法拉利", "Ferrari"),
    "lamborghini": ("兰博基尼", "藍寶堅尼", "Lamborghini"),
    "maserati": ("玛莎拉蒂", "瑪莎拉蒂", "Maserati"),
    "bentley": ("宾利", "賓利", "Bentley"),
    "rolls-royce": ("劳斯莱斯", "勞斯萊斯", "Rolls-Royce", "RollsRoyce"),
    "geely": ("吉利", "Geely"),
    "great-wall": ("长城", "長城", "Great Wall", "GWM"),
    "haval": ("哈弗", "Haval"),
    "changan": ("长安", "長安", "Changan"),
    "chery": ("奇瑞", "Chery"),
    "hongqi": ("红旗", "紅旗", "Hongqi"),
    "nio": ("蔚来", "蔚來", "NIO"),
    "xpeng": ("小鹏", "小鵬", "XPeng"),
    "li-auto": ("理想", "Li Auto", "LiAuto"),
    "wuling": ("五菱", "Wuling"),
    "zeekr": ("极氪", "極氪", "Zeekr"),
    "aito": ("问界", "問界", "AITO"),
    "xiaomi": ("小米", "Xiaomi"),
}  # fmt: skip

_BRAND_NOISE = re.compile(r"[\s·•・‧.．\-_‐‑–—&']")


def _brand_spelling(raw: str) -> str:
    text = _BRAND_NOISE.sub("", unicodedata.normalize("NFKC", raw or "")).casefold()
    return _BRAND_NOISE.sub("", unicodedata.normalize("NFKC", text))


def _brand_index(synonyms: Mapping[str, Iterable[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, spellings in synonyms.items():
        index[_brand_spelling(canonical)] = canonical
        for spelling in spellings:
            index[_brand_spelling(spelling)] = canonical
    return index


_DEFAULT_BRAND_INDEX = _brand_index(CAR_BRAND_SYNONYMS)
# Spellings people add to a brand: 宝马X5, 奔驰E300, 大众汽车 → the brand itself.
_BRAND_SUFFIXES = ("汽车", "汽車", "轿车", "牌")


def canonical_car_brand(raw: str, extra_synonyms: Mapping[str, Iterable[str]] | None = None) -> str:
    """The brand's canonical code: 宝马 = BMW = 寶馬 → ``bmw``; 奔驰 = 梅赛德斯 → ``mercedes-benz``.

    An unknown brand keys by its own normalised spelling, so it still matches itself typed with
    other spacing or case. ``extra_synonyms`` lets a company add spellings (canonical → spellings).
    """
    spelling = _brand_spelling(raw)
    if not spelling:
        return ""
    index = _DEFAULT_BRAND_INDEX
    if extra_synonyms:
        index = {**index, **_brand_index(extra_synonyms)}
    if spelling in index:
        return index[spelling]
    for suffix in _BRAND_SUFFIXES:
        if spelling.endswith(suffix) and spelling[: -len(suffix)] in index:
            return index[spelling[: -len(suffix)]]
    # "宝马X5", "bmw530li": a known brand followed by a model name. Longest spelling wins.
    for known in sorted(index, key=len, reverse=True):
        if len(known) >= 2 and spelling.startswith(known):
            return index[known]
    return spelling


# --- ID numbers -----------------------------------------------------------------------------


class IdNumberInvalid(ValueError):
    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"{reason}: id number")
        self.reason = reason  # "checksum" | "format"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) of an 18-character resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(raw: str) -> str:
    """Upper-case, no spaces; 18-character resident ID numbers must carry a valid check digit.

    Other documents (15-digit old IDs, passports, Hong Kong/Macau/Taiwan permits) are kept as
    typed, letters and digits only.
    """
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw or "")).upper()
    if not text:
        return ""
    if not re.fullmatch(r"[0-9A-Z()]{5,30}", text):
        raise IdNumberInvalid(raw, "format")
    if re.fullmatch(r"\d{17}[\dX]", text):
        if resident_id_check_char(text[:17]) != text[17]:
            raise IdNumberInvalid(raw, "checksum")
    elif len(text) == 18 and text[:17].isdigit():
        raise IdNumberInvalid(raw, "format")
    return text


def mask_id_number(id_number: str) -> str:
    """``110105199001011234`` → ``110105********1234``: region code and last 4 stay visible."""
    if not id_number:
        return ""
    if len(id_number) >= 15:
        return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]
    if len(id_number) > 4:
        return "*" * (len(id_number) - 4) + id_number[-4:]
    return "*" * len(id_number)


# --- family relations (一家人, A7.6) ----------------------------------------------------------


class Relation(StrEnum):
    """What the relative is to the customer (A7.6: direct relatives within three generations)."""

    GRANDPARENT = "grandparent"
    PARENT = "parent"
    CHILD = "child"
    GRANDCHILD = "grandchild"
    SIBLING = "sibling"
    SPOUSE = "spouse"


RELATION_INVERSE: Mapping[Relation, Relation] = {
    Relation.GRANDPARENT: Relation.GRANDCHILD,
    Relation.GRANDCHILD: Relation.GRANDPARENT,
    Relation.PARENT: Relation.CHILD,
    Relation.CHILD: Relation.PARENT,
    Relation.SIBLING: Relation.SIBLING,
    Relation.SPOUSE: Relation.SPOUSE,
}


def relation_inverse(relation: Relation | str) -> Relation:
    """B is A's parent ⇔ A is B's child."""
    return RELATION_INVERSE[Relation(relation)]


# --- matching (A7.4) ------------------------------------------------------------------------


class IdentityKey(StrEnum):
    FULL_NAME = "full_name"
    PHONE = "phone"
    CAR_PLATE_SURNAME = "car_plate_surname"


IDENTITY_KEY_LABELS_ZH: Mapping[IdentityKey, str] = {
    IdentityKey.FULL_NAME: "姓名全称",
    IdentityKey.PHONE: "联系电话",
    IdentityKey.CAR_PLATE_SURNAME: "车辆品牌+车牌号+姓氏",
}


@dataclass(frozen=True)
class IdentityKeys:
    """One registration's normalised keys (each may be empty: registrations can be incomplete)."""

    full_name: str = ""
    phones: frozenset[str] = frozenset()
    car_brand: str = ""
    plate: str = ""
    surname: str = ""

    @classmethod
    def from_raw(
        cls,
        *,
        name: str = "",
        phones: Iterable[str] = (),
        car_brand: str = "",
        plate: str = "",
        surname: str = "",
    ) -> IdentityKeys:
        """Normalise typed values (raises ``PhoneNumberInvalid`` on a bad phone)."""
        return cls(
            full_name=full_name_key(name),
            phones=frozenset(normalise_phone(p) for p in phones if p and p.strip()),
            car_brand=canonical_car_brand(car_brand),
            plate=normalise_plate(plate),
            surname=surname_of(surname) if surname.strip() else surname_of(name),
        )

    @property
    def has_car_key(self) -> bool:
        return bool(self.car_brand and self.plate and self.surname)

    @property
    def is_empty(self) -> bool:
        return not (self.full_name or self.phones or self.has_car_key)


@dataclass(frozen=True)
class IdentityMatch:
    """Which A7.4 grounds matched, and whether the match may be applied without a ruling."""

    keys: tuple[IdentityKey, ...] = ()
    matched_phones: tuple[str, ...] = ()
    needs_confirmation: bool = False
    rule_ids: tuple[str, ...] = field(default=())

    @property
    def matched(self) -> bool:
        return bool(self.keys)

    @property
    def decides(self) -> bool:
        """A match that settles identity by itself (no sales-manager confirmation needed)."""
        return self.matched and not self.needs_confirmation


def identity_match(
    candidate: IdentityKeys,
    existing: IdentityKeys,
    *,
    full_name_alone: str = FULL_NAME_ALONE_NEEDS_CONFIRMATION,
) -> IdentityMatch:
    """A7.4: do two registrations name the same customer, and on which grounds?

    Any one of full name, phone, or car brand + plate + surname together is enough. A match on
    the full name alone needs the sales manager's confirmation (A7.20) unless the policy
    ``identity.full_name_alone`` is ``decides``.
    """
    if full_name_alone not in FULL_NAME_ALONE_CHOICES:
        raise ValueError(f"identity.full_name_alone must be one of {FULL_NAME_ALONE_CHOICES}")
    keys: list[IdentityKey] = []
    if candidate.full_name and candidate.full_name == existing.full_name:
        keys.append(IdentityKey.FULL_NAME)
    phones = tuple(sorted(candidate.phones & existing.phones))
    if phones:
        keys.append(IdentityKey.PHONE)
    if (
        candidate.has_car_key
        and existing.has_car_key
        and candidate.car_brand == existing.car_brand
        and candidate.plate == existing.plate
        and candidate.surname == existing.surname
    ):
        keys.append(IdentityKey.CAR_PLATE_SURNAME)
    if not keys:
        return IdentityMatch()
    needs_confirmation = (
        keys == [IdentityKey.FULL_NAME] and full_name_alone == FULL_NAME_ALONE_NEEDS_CONFIRMATION
    )
    rule_ids = (RULE_IDENTITY, RULE_MANAGER_RULING) if needs_confirmation else (RULE_IDENTITY,)
    return IdentityMatch(
        keys=tuple(keys),
        matched_phones=phones,
        needs_confirmation=needs_confirmation,
        rule_ids=rule_ids,
    )
