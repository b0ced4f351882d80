"""Identity keys and A7.4 matching, as pure functions (no database)."""

from __future__ import annotations

import pytest

from kehu.core.customers import rules
from kehu.core.customers.rules import IdentityKey, IdentityKeys, identity_match


class TestPhoneNormalisation:
    @pytest.mark.parametrize(
        "typed",
        [
            "13800138000",
            "138 0013 8000",
            "138-0013-8000",
            "+86 138 0013 8000",
            "+8613800138000",
            "0086 13800138000",
            "86 13800138000",
            "（+86）138.0013.8000",
            "１３８００１３８０００",  # full-width digits from a Chinese input method
        ],
    )
    def test_mainland_mobile_in_any_format_becomes_e164(self, typed: str) -> None:
        assert rules.normalise_phone(typed) == "+8613800138000"

    @pytest.mark.parametrize(
        ("typed", "e164"),
        [
            ("010-12345678", "+861012345678"),
            ("+86 10 1234 5678", "+861012345678"),
            ("0571-88886666", "+8657188886666"),
            ("(021) 6234 5678", "+862162345678"),
            ("400-812-3123", "+864008123123"),
            ("+1 415 555 2671", "+14155552671"),
            ("00852 2123 4567", "+85221234567"),
        ],
    )
    def test_landlines_service_and_foreign_numbers(self, typed: str, e164: str) -> None:
        assert rules.normalise_phone(typed) == e164

    @pytest.mark.parametrize(
        ("typed", "problem"),
        [
            ("", rules.PhoneProblem.EMPTY),
            ("  ", rules.PhoneProblem.EMPTY),
            ("138001380", rules.PhoneProblem.MOBILE_LENGTH),
            ("138001380001", rules.PhoneProblem.MOBILE_LENGTH),
            ("12345678901", rules.PhoneProblem.MOBILE_PREFIX),
            ("8888666", rules.PhoneProblem.LANDLINE_NEEDS_AREA_CODE),
            ("138OO138000", rules.PhoneProblem.NOT_DIGITS),
            ("0571-123", rules.PhoneProblem.UNRECOGNISED),
        ],
    )
    def test_bad_numbers_say_what_is_wrong(self, typed: str, problem: str) -> None:
        with pytest.raises(rules.PhoneNumberInvalid) as caught:
            rules.normalise_phone(typed)
        assert caught.value.problem == problem

    def test_masks_keep_the_first_three_and_last_four_digits(self) -> None:
        assert rules.mask_phone("+8613812341234") == "138****1234"
        assert rules.mask_phone("+8657188886666") == "0571****6666"
        assert rules.mask_phone("+861012345678") == "010****5678"

    def test_national_form_for_display(self) -> None:
        assert rules.phone_national("+8613800138000") == "13800138000"
        assert rules.phone_national("+861012345678") == "010 1234 5678"


class TestNames:
    def test_full_width_spaces_and_case_are_folded(self) -> None:
        assert rules.normalise_name(" 张　三 ") == "张三"
        assert rules.normalise_name("ＪＯＨＮ Smith") == "johnsmith"
        assert rules.normalise_name("阿卜杜·热合曼") == rules.normalise_name("阿卜杜 热合曼")

    @pytest.mark.parametrize(
        ("name", "surname"),
        [
            ("张三", "张"),
            ("欧阳修", "欧阳"),
            ("司马光", "司马"),
            ("诸葛亮", "诸葛"),
            ("上官婉儿", "上官"),
            ("张先生", "张"),
            ("John Smith", "smith"),
            ("", ""),
        ],
    )
    def test_surname_handles_compound_surnames(self, name: str, surname: str) -> None:
        assert rules.surname_of(name) == surname

    def test_surname_and_form_of_address_is_no_full_name(self) -> None:
        """Reading: "张先生" names nobody in particular, so it gives no full-name key."""
        assert rules.full_name_key("张先生") == ""
        assert rules.full_name_key("欧阳女士") == ""
        assert rules.full_name_key("张") == ""
        assert rules.full_name_key("张先") == "张先"

    @pytest.mark.parametrize(
        ("name", "initials", "full"),
        [
            ("张三", "zs", "zhangsan"),
            ("欧阳修", "oyx", "ouyangxiu"),
            ("曾国藩", "zgf", "zengguofan"),  # surname reading zēng, not céng
            ("单田芳", "stf", "shantianfang"),
            ("John Smith", "js", "johnsmith"),
        ],
    )
    def test_pinyin_for_search(self, name: str, initials: str, full: str) -> None:
        assert rules.name_pinyin(name) == (initials, full)


class TestPlatesAndBrands:
    @pytest.mark.parametrize(
        "typed", ["京A·12345", "京A12345", "京a 12345", "京A-12345", "京A.12345"]
    )
    def test_plate_separators_and_case_do_not_matter(self, typed: str) -> None:
        assert rules.normalise_plate(typed) == "京A12345"

    def test_letter_o_in_the_serial_is_read_as_zero(self) -> None:
        """GA 36: serials never use I or O, so a typed O is a 0."""
        assert rules.normalise_plate("沪B·1234O") == "沪B12340"

    @pytest.mark.parametrize(
        ("spellings", "canonical"),
        [
            (("宝马", "BMW", "寶馬", "bmw", "宝马X5"), "bmw"),
            (("奔驰", "Mercedes-Benz", "梅赛德斯", "梅赛德斯-奔驰", "Benz"), "mercedes-benz"),
            (("大众", "VW", "Volkswagen", "大众汽车"), "volkswagen"),
            (("丰田", "Toyota"), "toyota"),
            (("本田", "HONDA"), "honda"),
            (("奥迪", "Audi"), "audi"),
            (("比亚迪", "BYD"), "byd"),
            (("特斯拉", "Tesla"), "tesla"),
            (("别克", "Buick", "別克"), "buick"),
        ],
    )
    def test_brand_synonyms_share_one_key(self, spellings: tuple[str, ...], canonical: str) -> None:
        assert {rules.canonical_car_brand(s) for s in spellings} == {canonical}

    def test_unknown_brand_keys_by_its_own_spelling(self) -> None:
        assert rules.canonical_car_brand("Lynk & Co") == rules.canonical_car_brand("lynk&co")

    def test_company_can_add_spellings(self) -> None:
        assert rules.canonical_car_brand("领克", {"lynkco": ["领克", "Lynk & Co"]}) == "lynkco"


class TestIdNumbers:
    def test_valid_resident_id_with_x_check_digit(self) -> None:
        assert rules.normalise_id_number("11010519491231002x") == "11010519491231002X"

    def test_wrong_check_digit_is_rejected(self) -> None:
        with pytest.raises(rules.IdNumberInvalid) as caught:
            rules.normalise_id_number("110105194912310021")
        assert caught.value.reason == "checksum"

    def test_mask_keeps_region_code_and_last_four(self) -> None:
        assert rules.mask_id_number("11010519491231002X") == "110105********002X"


class TestRelations:
    @pytest.mark.parametrize("relation", list(rules.Relation))
    def test_inverse_of_inverse_is_the_relation(self, relation: rules.Relation) -> None:
        assert rules.relation_inverse(rules.relation_inverse(relation)) == relation

    def test_parent_and_child_are_inverse(self) -> None:
        assert rules.relation_inverse("parent") == rules.Relation.CHILD
        assert rules.relation_inverse("spouse") == rules.Relation.SPOUSE


def keys(**raw: object) -> IdentityKeys:
    return IdentityKeys.from_raw(**raw)  # type: ignore[arg-type]


class TestIdentityMatchA74:
    def test_phone_in_another_format_matches_on_the_phone_key(self) -> None:
        result = identity_match(
            keys(name="张三", phones=["+86 138-0013-8000"]),
            keys(name="张叁", phones=["13800138000"]),
        )
        assert result.keys == (IdentityKey.PHONE,)
        assert result.decides
        assert result.rule_ids == ("A7.4",)

    def test_width_folded_full_name_alone_needs_confirmation(self) -> None:
        """Reading (A7.4/A7.20): two people may share a name; the sales manager confirms."""
        result = identity_match(keys(name="张　三"), keys(name="张三"))
        assert result.keys == (IdentityKey.FULL_NAME,)
        assert result.needs_confirmation
        assert not result.decides
        assert result.rule_ids == ("A7.4", "A7.20")

    def test_full_name_alone_decides_when_the_policy_says_so(self) -> None:
        result = identity_match(keys(name="张三"), keys(name="张三"), full_name_alone="decides")
        assert result.decides
        assert result.rule_ids == ("A7.4",)

    def test_full_name_and_phone_together_decide(self) -> None:
        result = identity_match(
            keys(name="张三", phones=["13800138000"]), keys(name="张三", phones=["13800138000"])
        )
        assert result.keys == (IdentityKey.FULL_NAME, IdentityKey.PHONE)
        assert result.decides

    def test_brand_synonym_plate_dots_and_same_surname_match(self) -> None:
        result = identity_match(
            keys(name="张先生", car_brand="宝马", plate="京A·12345"),
            keys(name="张三", car_brand="BMW", plate="京A12345"),
        )
        assert result.keys == (IdentityKey.CAR_PLATE_SURNAME,)
        assert result.decides

    def test_same_car_with_a_different_surname_does_not_match(self) -> None:
        result = identity_match(
            keys(name="李四", car_brand="宝马", plate="京A12345"),
            keys(name="张三", car_brand="BMW", plate="京A12345"),
        )
        assert not result.matched
        assert result.keys == ()

    def test_plate_without_brand_is_not_the_car_key(self) -> None:
        result = identity_match(
            keys(name="张三", plate="京A12345"),
            keys(name="张三丰", car_brand="宝马", plate="京A12345"),
        )
        assert not result.matched

    def test_two_men_called_mr_zhang_are_not_thereby_one_customer(self) -> None:
        assert not identity_match(keys(name="张先生"), keys(name="张先生")).matched

    def test_unknown_policy_value_is_refused(self) -> None:
        with pytest.raises(ValueError):
            identity_match(keys(name="张三"), keys(name="张三"), full_name_alone="maybe")
