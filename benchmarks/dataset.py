"""Deterministic customers for the benchmarks: names, mobiles, plates, cars and families.

Pure Python with one seeded ``random.Random``: the same seed and size give the same people in
the same order on every machine. Names follow the real distribution closely enough that the
usual collisions happen (张伟 and 王芳 are many people); most phones are mainland mobiles typed
the usual ways; plates are mostly Shanghai's and its neighbours'; about a tenth of the people
come in families (a couple and their children share an address, often a car, sometimes a home
landline).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# Surnames with their approximate share of the population (per mille); compound ones are rare.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 20), ("吴", 20), ("周", 19), ("徐", 13), ("孙", 13), ("马", 12), ("朱", 11),
    ("胡", 11), ("郭", 11), ("何", 10), ("高", 10), ("林", 10), ("罗", 9), ("郑", 8),
    ("梁", 8), ("谢", 6), ("宋", 6), ("唐", 5), ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5),
    ("曹", 5), ("彭", 5), ("曾", 4), ("肖", 4), ("田", 4), ("董", 4), ("袁", 4), ("潘", 4),
    ("于", 3), ("蒋", 3), ("蔡", 3), ("余", 3), ("杜", 3), ("叶", 3), ("程", 3), ("苏", 3),
    ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 2), ("卢", 2), ("姜", 2),
    ("崔", 2), ("钟", 2), ("谭", 2), ("陆", 2), ("汪", 2), ("范", 2), ("金", 2), ("石", 2),
    ("廖", 2), ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 1), ("闫", 1),
    ("段", 1), ("雷", 1), ("侯", 1), ("龙", 1), ("史", 1), ("陶", 1), ("黎", 1), ("贺", 1),
    ("顾", 1), ("毛", 1), ("郝", 1), ("龚", 1), ("邵", 1), ("万", 1), ("钱", 1), ("严", 1),
    ("覃", 1), ("武", 1), ("戴", 1), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("单", 0.5),
    ("欧阳", 0.3), ("司马", 0.1), ("上官", 0.1), ("诸葛", 0.05),
)  # fmt: skip

# Whole given names that are very common (why 张伟 is a crowd), with weights.
COMMON_GIVEN: tuple[tuple[str, float], ...] = (
    ("伟", 30), ("芳", 28), ("娜", 25), ("秀英", 24), ("敏", 23), ("静", 23), ("丽", 21),
    ("强", 20), ("磊", 19), ("军", 18), ("洋", 17), ("勇", 17), ("艳", 16), ("杰", 16),
    ("娟", 15), ("涛", 15), ("明", 14), ("超", 14), ("秀兰", 13), ("霞", 13), ("平", 12),
    ("刚", 12), ("桂英", 11), ("建华", 8), ("建国", 8), ("志强", 7), ("海燕", 7), ("晓东", 6),
    ("丹", 6), ("萍", 6), ("鹏", 6), ("辉", 6), ("玉兰", 5), ("欣怡", 5), ("子涵", 5),
    ("浩然", 5), ("梓轩", 4), ("雨桐", 4), ("一诺", 4), ("思远", 3),
)  # fmt: skip

# Characters given names are built from (more common first).
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玉兰萍红鹏辉建国家宁春晓文斌波"
    "志海燕婷雪琳慧俊峰亮成林宇浩然子涵梓轩欣怡雨桐一诺思远佳琪嘉豪宏博晨阳"
    "凯瑞鑫淑珍凤英秀梅桂芝丹飞彬斌龙云颖倩莉蕾璐瑶薇菲健新民德永光明天立志"
)

# Characters nobody in the generated book has: names built from them never match.
RARE_SURNAMES = ("禤", "亓", "厍", "妫", "訾")
RARE_GIVEN = "翀燚淼犇骉垚鬯爨珏玥曌彧翾"

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "170", "171", "173", "175", "176", "177",
    "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "193",
    "195", "196", "197", "198", "199",
)  # fmt: skip

PROVINCES: tuple[tuple[str, float], ...] = (
    ("沪", 50), ("苏", 15), ("浙", 15), ("皖", 5), ("京", 5), ("粤", 2), ("鲁", 2), ("豫", 1),
    ("鄂", 1), ("川", 1), ("闽", 1), ("赣", 1), ("湘", 1),
)  # fmt: skip
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # never I or O (GA 36)

# (as usually typed, weight, other spellings people type for the same brand)
BRANDS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("大众", 15, ("VW", "大众汽车")), ("丰田", 10, ("Toyota",)), ("本田", 8, ("Honda",)),
    ("比亚迪", 8, ("BYD",)), ("别克", 6, ("Buick",)), ("宝马", 6, ("BMW", "宝马X5")),
    ("奔驰", 6, ("梅赛德斯-奔驰", "Benz")), ("奥迪", 6, ("Audi", "奥迪A6L")),
    ("日产", 5, ("尼桑",)), ("吉利", 5, ("Geely",)), ("长安", 3, ()), ("哈弗", 3, ()),
    ("现代", 2, ()), ("福特", 2, ()), ("雪佛兰", 2, ()), ("马自达", 2, ()), ("理想", 2, ()),
    ("五菱", 2, ()), ("特斯拉", 4, ("Tesla",)), ("蔚来", 1, ("NIO",)), ("小鹏", 1, ()),
    ("问界", 1, ()), ("小米", 1, ()), ("沃尔沃", 1, ()), ("保时捷", 1, ()), ("路虎", 1, ()),
    ("凯迪拉克", 1, ()), ("红旗", 1, ()),
)  # fmt: skip

DISTRICTS = ("浦东新区", "闵行区", "徐汇区", "长宁区", "静安区", "普陀区", "杨浦区", "宝山区")
ROADS = ("世纪大道", "张杨路", "虹桥路", "南京西路", "淮海中路", "四平路", "莘庄路", "沪太路")
SOURCES = ("到访", "来电", "网络咨询", "老带新", "渠道推荐", "外展")
INTENTIONS = ("两居室", "三居室", "改善型四居", "投资公寓", "车位", "", "")

# Registrations spread over three years before this moment (fixed: runs must be comparable).
BOOK_END = datetime(2026, 6, 1, tzinfo=UTC)
BOOK_SPAN = timedelta(days=3 * 365)

# family relations, from the family head's point of view: "relative is the customer's …"
SPOUSE, CHILD, PARENT, SIBLING = "spouse", "child", "parent", "sibling"


@dataclass
class Person:
    """One customer as staff would type it."""

    index: int  # 0-based position in the company's book (registration order)
    name: str
    phones: list[str]  # as typed
    car_brand: str = ""
    plate: str = ""
    address: str = ""
    source: str = ""
    intention: str = ""
    owner: int | None = None  # index of the owning salesperson
    created_at: datetime = BOOK_END
    family: int | None = None  # family number, when the person is in one


@dataclass
class Book:
    """A company's customers and the family links between them (by person index)."""

    people: list[Person] = field(default_factory=list)
    # (customer index, relative index, relation): "relative is the customer's relation"
    family_links: list[tuple[int, int, str]] = field(default_factory=list)
    mobiles: set[str] = field(default_factory=set)  # national numbers in use
    plates: set[str] = field(default_factory=set)  # as generated (no separators)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._surnames = [s for s, _ in SURNAMES]
        self._surname_weights = list(_cumulative([w for _, w in SURNAMES]))
        self._given = [g for g, _ in COMMON_GIVEN]
        self._given_weights = list(_cumulative([w for _, w in COMMON_GIVEN]))
        # Zipf-like weights: the first characters of GIVEN_CHARS are the common ones.
        self._char_weights = list(_cumulative([1 / (i + 5) for i in range(len(GIVEN_CHARS))]))
        self._provinces = [p for p, _ in PROVINCES]
        self._province_weights = list(_cumulative([w for _, w in PROVINCES]))
        self._brand_weights = list(_cumulative([w for _, w, _ in BRANDS]))

    # --- parts ---
    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._surname_weights)[0]

    def given_name(self) -> str:
        roll = self.rng.random()
        if roll < 0.08:
            return self.rng.choices(self._given, cum_weights=self._given_weights)[0]
        k = 1 if roll < 0.2 else 2
        return "".join(self.rng.choices(GIVEN_CHARS, cum_weights=self._char_weights, k=k))

    def mobile(self, taken: set[str]) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in taken:
                taken.add(number)
                return number

    def typed_mobile(self, number: str) -> str:
        """The ways staff type a mobile: plain mostly, sometimes grouped or with +86."""
        roll = self.rng.random()
        if roll < 0.70:
            return number
        if roll < 0.85:
            return f"{number[:3]} {number[3:7]} {number[7:]}"
        if roll < 0.95:
            return f"{number[:3]}-{number[3:7]}-{number[7:]}"
        return f"+86 {number}"

    def landline(self) -> str:
        """A Shanghai home number, typed with its area code."""
        return f"021-{self.rng.choice('56')}{self.rng.randrange(10**7):07d}"

    def plate(self, taken: set[str]) -> str:
        while True:
            province = self.rng.choices(self._provinces, cum_weights=self._province_weights)[0]
            letter = self.rng.choice(PLATE_LETTERS[:12])
            if self.rng.random() < 0.12:  # new-energy plates: D/F and five digits
                serial = self.rng.choice("DF") + f"{self.rng.randrange(10**5):05d}"
            else:
                chars = [self.rng.choice("0123456789") for _ in range(5)]
                for pos in self.rng.sample(range(5), k=self.rng.choice((0, 0, 1, 2))):
                    chars[pos] = self.rng.choice(PLATE_LETTERS)
                serial = "".join(chars)
            plate = province + letter + serial
            if plate not in taken:
                taken.add(plate)
                return plate

    def typed_plate(self, plate: str) -> str:
        roll = self.rng.random()
        if roll < 0.80:
            return plate
        if roll < 0.92:
            return f"{plate[:2]}·{plate[2:]}"
        return f"{plate[:1]}{plate[1].lower()} {plate[2:]}"

    def brand(self) -> tuple[str, tuple[str, ...]]:
        name, _, spellings = self.rng.choices(BRANDS, cum_weights=self._brand_weights)[0]
        return name, spellings

    def typed_brand(self, name: str, spellings: tuple[str, ...]) -> str:
        if spellings and self.rng.random() < 0.1:
            return self.rng.choice(spellings)
        return name

    def address(self) -> str:
        return (
            f"上海市{self.rng.choice(DISTRICTS)}{self.rng.choice(ROADS)}"
            f"{self.rng.randrange(1, 2000)}弄{self.rng.randrange(1, 40)}号"
            f"{self.rng.randrange(1, 30)}{self.rng.randrange(1, 5):02d}室"
        )

    def rare_name(self) -> str:
        """A name no generated customer has (built from characters the book never uses)."""
        return self.rng.choice(RARE_SURNAMES) + "".join(self.rng.choices(RARE_GIVEN, k=2))

    # --- people ---
    def _person(self, book: Book, name: str, *, owners: int) -> Person:
        person = Person(
            index=len(book.people),
            name=name,
            phones=[self.typed_mobile(self.mobile(book.mobiles))],
            address=self.address(),
            source=self.rng.choice(SOURCES),
            intention=self.rng.choice(INTENTIONS),
            owner=self.rng.randrange(owners) if self.rng.random() < 0.85 else None,
        )
        if self.rng.random() < 0.15:  # a second mobile
            person.phones.append(self.typed_mobile(self.mobile(book.mobiles)))
        if self.rng.random() < 0.65:
            brand, spellings = self.brand()
            person.car_brand = self.typed_brand(brand, spellings)
            person.plate = self.typed_plate(self.plate(book.plates))
        book.people.append(person)
        return person

    def _family(self, book: Book, number: int, *, owners: int) -> None:
        surname = self.surname()
        head = self._person(book, surname + self.given_name(), owners=owners)
        members = [head]
        spouse = self._person(book, self.surname() + self.given_name(), owners=owners)
        members.append(spouse)
        book.family_links += [
            (head.index, spouse.index, SPOUSE),
            (spouse.index, head.index, SPOUSE),
        ]
        children: list[Person] = []
        for _ in range(self.rng.choice((0, 1, 1, 2))):
            child = self._person(book, surname + self.given_name(), owners=owners)
            members.append(child)
            for parent in (head, spouse):
                # the child is the parent's child; the parent is the child's parent
                book.family_links += [
                    (parent.index, child.index, CHILD),
                    (child.index, parent.index, PARENT),
                ]
            for sibling in children:
                book.family_links += [
                    (sibling.index, child.index, SIBLING),
                    (child.index, sibling.index, SIBLING),
                ]
            children.append(child)
        if head.plate and len(members) > 2 and self.rng.random() < 0.5:
            # The family car, registered again by a child who shares the surname: an A7.4 match
            # (brand + plate + surname) inside the family, as in real books.
            members[2].car_brand, members[2].plate = head.car_brand, head.plate
        home = self.landline() if self.rng.random() < 0.3 else ""
        for member in members:
            member.family = number
            member.address = head.address
            if home:
                member.phones.append(home)

    def book(self, size: int, *, owners: int) -> Book:
        """``size`` customers in registration order (families are registered together)."""
        book = Book()
        families = 0
        while len(book.people) < size:
            if self.rng.random() < 0.036 and size - len(book.people) >= 4:
                self._family(book, families, owners=owners)
                families += 1
            else:
                self._person(book, self.surname() + self.given_name(), owners=owners)
        step = BOOK_SPAN / max(size, 1)
        start = BOOK_END - BOOK_SPAN
        for person in book.people:  # strictly increasing: registration order = id order
            jitter = self.rng.random() * 0.9 * step
            person.created_at = start + step * person.index + jitter
        return book


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def generate_book(seed: int, size: int, *, owners: int) -> Book:
    return Generator(seed).book(size, owners=owners)
