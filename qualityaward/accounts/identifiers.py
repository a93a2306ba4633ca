"""Identifiers applicants type in: 统一社会信用代码, 居民身份证号码, mobile numbers.

Pure functions (normalise, compute the check character, mask for display) plus Django validators
that raise ``ValidationError`` with a Chinese message saying exactly what is wrong and what to do.

Normalising: full-width characters become half-width (NFKC), every kind of space is removed and
letters are upper-cased, so "９１１１ ００００…l" is read as "91110000…L". The ``clean_*`` functions
return the normalised value (what is stored); the ``validate_*`` validators accept only a value that
is already normalised (so a model field never stores lower case or spaces) and name the stored form
when it is not.

The expected check character is deliberately *not* revealed in error messages: a wrong check
character usually means a mistyped character elsewhere, and telling the user the "right" last
character would turn a detected typo into a wrong code that passes every check.
"""
import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone

# --- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------------
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18

# --- 居民身份证号码 (GB 11643-1999) -----------------------------------------------------------
ID_CHECK_CHARS = "10X98765432"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_LENGTH = 18
ID_EARLIEST_BIRTH_YEAR = 1900

# --- Mobile numbers (mainland China) ----------------------------------------------------------
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")

_SPACES = re.compile(r"\s+")


def _squash(value):
    """NFKC (full-width to half-width), no whitespace of any kind, upper case."""
    if value is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value))).upper()


# =============================================================================================
# 统一社会信用代码
# =============================================================================================
def normalize_credit_code(value):
    """The stored form of a 统一社会信用代码: half-width, upper case, no spaces."""
    return _squash(value)


def credit_code_check_char(first17):
    """The check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code):
    """Why ``code`` (already normalised) is not a valid 统一社会信用代码, as a (message, code) pair,
    or None when it is valid."""
    if not code:
        return "请填写统一社会信用代码（18位，见营业执照或登记证书）。", "required"
    if len(code) != CREDIT_CODE_LENGTH:
        return (f"统一社会信用代码应为18位，您填写了{len(code)}位。请对照营业执照（或事业单位法人证书、"
                "社会团体登记证书）逐位核对。", "length")
    for position, ch in enumerate(code, start=1):
        if ch not in CREDIT_CODE_ALPHABET:
            if ch in "IOSVZ":
                hint = (f"统一社会信用代码不使用字母{ch}"
                        + {"I": "（可能是数字1）", "O": "（可能是数字0）", "S": "（可能是数字5）",
                           "Z": "（可能是数字2）", "V": "（可能是字母U或Y）"}[ch] + "。")
            else:
                hint = "统一社会信用代码只由数字和大写字母（不含 I、O、S、V、Z）组成。"
            return f"统一社会信用代码第{position}位“{ch}”无效：{hint}请对照营业执照核对。", "character"
    if credit_code_check_char(code[:17]) != code[17]:
        return ("统一社会信用代码校验位不正确：第18位与前17位不符，说明其中至少有一位填写有误。"
                "请对照营业执照逐位核对后重新填写。", "check")
    return None


def clean_credit_code(value):
    """Normalise and validate; returns the stored form or raises ValidationError."""
    code = normalize_credit_code(value)
    problem = credit_code_problem(code)
    if problem:
        raise ValidationError(problem[0], code=f"credit_code_{problem[1]}")
    return code


def validate_credit_code(value):
    """Django validator (model and form fields): a valid code in its stored form."""
    code = clean_credit_code(value)
    if code != value:
        raise ValidationError(f"请按规范格式填写统一社会信用代码：“{code}”（大写字母，不含空格）。",
                              code="credit_code_format")


def is_valid_credit_code(value):
    return credit_code_problem(normalize_credit_code(value)) is None


# =============================================================================================
# 居民身份证号码
# =============================================================================================
def normalize_id_number(value):
    """The stored form of a 身份证号: half-width, no spaces, check character X in upper case."""
    return _squash(value)


def id_number_check_char(first17):
    """The check character for the first 17 digits of a 身份证号."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_number_problem(number, *, today=None):
    """Why ``number`` (already normalised) is not a valid 身份证号, as a (message, code) pair, or None."""
    if not number:
        return "请填写身份证号（18位）。", "required"
    if len(number) != ID_LENGTH:
        extra = "15位的第一代身份证号已停止使用，请填写第二代身份证上的18位号码。" if len(number) == 15 else \
            "请对照居民身份证逐位核对。"
        return f"身份证号应为18位，您填写了{len(number)}位。{extra}", "length"
    if not number[:17].isascii() or not number[:17].isdigit():
        return "身份证号前17位应全部是数字，请核对。", "character"
    if not (number[17].isascii() and number[17].isdigit()) and number[17] != "X":
        return "身份证号最后一位应为数字或字母X，请核对。", "character"
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    shown = f"{number[6:10]}年{number[10:12]}月{number[12:14]}日"
    try:
        birth = datetime.date(year, month, day)
    except ValueError:
        return f"身份证号第7–14位表示出生日期，“{shown}”不是有效日期，请核对。", "birth_date"
    today = today or timezone.localdate()
    if birth > today:
        return f"身份证号中的出生日期（{shown}）晚于今天，请核对。", "birth_date"
    if year < ID_EARLIEST_BIRTH_YEAR:
        return f"身份证号中的出生日期（{shown}）早于{ID_EARLIEST_BIRTH_YEAR}年，请核对。", "birth_date"
    if id_number_check_char(number[:17]) != number[17]:
        return ("身份证号校验位不正确：最后一位与前17位不符，说明其中至少有一位填写有误。"
                "请对照居民身份证逐位核对。", "check")
    return None


def clean_id_number(value, *, today=None):
    """Normalise and validate; returns the stored form (upper-case X) or raises ValidationError."""
    number = normalize_id_number(value)
    problem = id_number_problem(number, today=today)
    if problem:
        raise ValidationError(problem[0], code=f"id_number_{problem[1]}")
    return number


def validate_id_number(value):
    """Django validator: a valid 身份证号 in its stored form."""
    number = clean_id_number(value)
    if number != value:
        raise ValidationError(f"请按规范格式填写身份证号：“{mask_id_number(number)}”（末位 X 大写，不含空格）。",
                              code="id_number_format")


def is_valid_id_number(value):
    return id_number_problem(normalize_id_number(value)) is None


def id_birth_date(number):
    """The birth date encoded in a valid 身份证号."""
    number = normalize_id_number(number)
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_gender(number):
    """"male" or "female" from the 17th digit (odd = male)."""
    return "male" if int(normalize_id_number(number)[16]) % 2 else "female"


def mask_id_number(number):
    """First 4 and last 4 characters shown: ``4405**********0014``. Never shows more than 8."""
    number = normalize_id_number(number)
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# =============================================================================================
# Mobile numbers
# =============================================================================================
def normalize_mobile(value):
    """Digits only: spaces and hyphens removed, a leading +86 / 86 / 0086 country code dropped."""
    number = _squash(value).replace("-", "").replace("(", "").replace(")", "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix):]
    if len(number) == 13 and number.startswith("86"):
        number = number[2:]
    return number


def mobile_problem(number):
    if not number:
        return "请填写手机号。", "required"
    if not number.isascii() or not number.isdigit():
        return "手机号只能包含数字，请填写11位手机号（如 13800138000）。", "character"
    if len(number) != 11:
        return f"手机号应为11位，您填写了{len(number)}位，请核对（如 13800138000）。", "length"
    if not MOBILE_RE.match(number):
        return "手机号格式不正确：应以1开头、第二位为3–9，请核对（如 13800138000）。", "format"
    return None


def clean_mobile(value):
    number = normalize_mobile(value)
    problem = mobile_problem(number)
    if problem:
        raise ValidationError(problem[0], code=f"mobile_{problem[1]}")
    return number


def validate_mobile(value):
    """Django validator: an 11-digit mainland mobile number in its stored form."""
    number = clean_mobile(value)
    if number != value:
        raise ValidationError(f"请按规范格式填写手机号：“{number}”（11位数字，不含空格和区号）。", code="mobile_format")


def mask_mobile(number):
    """``138****1234``."""
    number = normalize_mobile(number)
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name):
    """Surname kept, the rest hidden with a fixed ``**`` (so the length is not revealed): ``张**``."""
    name = (name or "").strip()
    return f"{name[0]}**" if name else ""


def mask_email(email):
    """``zh***@example.cn``."""
    email = (email or "").strip()
    local, at, domain = email.partition("@")
    if not at:
        return mask_name(email)
    return f"{local[:2]}***@{domain}"
