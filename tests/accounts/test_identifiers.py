"""统一社会信用代码 (GB 32100-2015), 身份证号 (GB 11643-1999) and mobile numbers."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qualityaward.accounts.identifiers import (
    CREDIT_CODE_ALPHABET, clean_credit_code, clean_id_number, clean_mobile, credit_code_check_char, id_birth_date,
    id_gender, id_number_check_char, is_valid_credit_code, is_valid_id_number, mask_id_number, mask_mobile, mask_name,
    normalize_credit_code, validate_credit_code, validate_id_number, validate_mobile,
)


def _with_check(first17):
    return first17 + credit_code_check_char(first17)


def _message(exc_info):
    return " ".join(exc_info.value.messages)


# --- 统一社会信用代码 ---------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["91110000600037341L", "914403001922038216"])
def test_published_examples_are_valid(code):
    assert clean_credit_code(code) == code
    validate_credit_code(code)  # no error


def test_check_character_is_computed_per_the_standard():
    assert credit_code_check_char("91110000600037341") == "L"
    assert credit_code_check_char("91440300192203821") == "6"


@pytest.mark.parametrize("first17", ["Y1410100MA44TRAN0", "N2410100MA9K7C3QX", "5141000050000123X"])
def test_codes_starting_with_letters_are_valid(first17):
    code = _with_check(first17)
    assert code[0] in "YN5"
    assert clean_credit_code(code) == code
    validate_credit_code(code)


def test_y1_code_built_here_is_valid():
    code = _with_check("Y1410105MA3X5R2J0")
    assert code.startswith("Y1") and is_valid_credit_code(code)


def test_lower_case_and_spaces_are_normalised():
    assert normalize_credit_code(" 9111 0000 6000 3734 1l ") == "91110000600037341L"
    assert clean_credit_code("9111 0000\t6000 3734 1l") == "91110000600037341L"
    assert clean_credit_code("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"  # full-width


def test_the_model_validator_wants_the_stored_form():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91110000600037341l")
    assert "91110000600037341L" in _message(exc)


def test_wrong_check_character():
    with pytest.raises(ValidationError) as exc:
        clean_credit_code("91110000600037341M")
    message = _message(exc)
    assert "统一社会信用代码" in message and "校验位" in message and "核对" in message
    # the expected character is not revealed (it would turn a typo elsewhere into a "valid" wrong code)
    assert "“L”" not in message


def test_a_typo_in_the_body_is_caught_by_the_check_character():
    assert not is_valid_credit_code("91110000600037342L")


@pytest.mark.parametrize("code,count", [("91110000600037341", 17), ("91110000600037341LL", 19), ("9", 1)])
def test_wrong_length(code, count):
    with pytest.raises(ValidationError) as exc:
        clean_credit_code(code)
    assert f"应为18位，您填写了{count}位" in _message(exc)


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_outside_the_alphabet(letter):
    assert letter not in CREDIT_CODE_ALPHABET
    code = "9111000060003734" + letter + "L"
    with pytest.raises(ValidationError) as exc:
        clean_credit_code(code)
    message = _message(exc)
    assert f"第17位“{letter}”无效" in message and f"不使用字母{letter}" in message


def test_punctuation_is_refused_with_the_position():
    with pytest.raises(ValidationError) as exc:
        clean_credit_code("91110000-00037341L")
    assert "第9位“-”无效" in _message(exc)


def test_empty_credit_code():
    with pytest.raises(ValidationError) as exc:
        clean_credit_code("   ")
    assert "请填写统一社会信用代码" in _message(exc)


# --- 身份证号 -----------------------------------------------------------------------------------
def test_published_id_example_is_valid():
    assert clean_id_number("11010519491231002X") == "11010519491231002X"
    validate_id_number("11010519491231002X")
    assert id_birth_date("11010519491231002X") == datetime.date(1949, 12, 31)
    assert id_gender("11010519491231002X") == "female"  # 17th digit 2: even


def test_the_standards_own_example_has_a_correct_check_digit_but_a_birth_year_before_1900():
    # 440524188001010014 is GB 11643's worked example: the check digit is right, but the person
    # was born in 1880, which the portal refuses as implausible for an applicant.
    assert id_number_check_char("44052418800101001") == "4"
    with pytest.raises(ValidationError) as exc:
        clean_id_number("440524188001010014")
    assert "早于1900年" in _message(exc)


def test_a_recent_male_id_number():
    number = "41010519900307" + "001"
    number += id_number_check_char(number)
    assert is_valid_id_number(number)
    assert id_gender(number) == "male" and id_birth_date(number) == datetime.date(1990, 3, 7)


def test_lower_case_x_is_accepted_and_stored_upper_case():
    assert clean_id_number("11010519491231002x") == "11010519491231002X"
    assert clean_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    with pytest.raises(ValidationError):
        validate_id_number("11010519491231002x")  # the model stores the upper-case form only


def test_wrong_check_digit():
    with pytest.raises(ValidationError) as exc:
        clean_id_number("110105194912310021")
    message = _message(exc)
    assert "身份证号校验位不正确" in message


def test_february_30th_is_not_a_date():
    first17 = "41010519900230001"
    number = first17 + id_number_check_char(first17)  # correct check digit, impossible date
    with pytest.raises(ValidationError) as exc:
        clean_id_number(number)
    assert "1990年02月30日" in _message(exc) and "不是有效日期" in _message(exc)


def test_february_29th_only_in_leap_years():
    leap = "41010520000229001"
    assert is_valid_id_number(leap + id_number_check_char(leap))
    common = "41010519990229001"
    assert not is_valid_id_number(common + id_number_check_char(common))


def test_future_birth_date():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    first17 = f"410105{tomorrow:%Y%m%d}001"
    number = first17 + id_number_check_char(first17)
    with pytest.raises(ValidationError) as exc:
        clean_id_number(number)
    assert "晚于今天" in _message(exc)
    # born today is fine
    today = f"410105{timezone.localdate():%Y%m%d}001"
    assert is_valid_id_number(today + id_number_check_char(today))


@pytest.mark.parametrize("number,fragment", [
    ("11010519491231002", "应为18位，您填写了17位"),
    ("110105491231002", "15位的第一代身份证号已停止使用"),
    ("1101051949123100XX", "前17位应全部是数字"),
    ("11010519491231002Y", "最后一位应为数字或字母X"),
])
def test_malformed_id_numbers(number, fragment):
    with pytest.raises(ValidationError) as exc:
        clean_id_number(number)
    assert fragment in _message(exc)


def test_mask_id_number():
    assert mask_id_number("440524188001010014") == "4405**********0014"
    assert mask_id_number("11010519491231002x") == "1101**********002X"
    assert mask_id_number("1234") == "****"


# --- mobile numbers ---------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "8613800138000"])
def test_mobile_numbers_are_normalised(raw):
    assert clean_mobile(raw) == "13800138000"


@pytest.mark.parametrize("raw,fragment", [
    ("12800138000", "第二位为3–9"), ("1380013800", "应为11位"), ("1380013800a", "只能包含数字"), ("", "请填写手机号"),
])
def test_bad_mobile_numbers(raw, fragment):
    with pytest.raises(ValidationError) as exc:
        clean_mobile(raw)
    assert fragment in _message(exc) and "手机号" in _message(exc)


def test_mobile_validator_wants_the_stored_form():
    validate_mobile("13800138000")
    with pytest.raises(ValidationError):
        validate_mobile("138 0013 8000")


def test_masks():
    assert mask_mobile("13812341234") == "138****1234"
    assert mask_name("张三丰") == "张**" and mask_name("张三") == "张**" and mask_name("") == ""
