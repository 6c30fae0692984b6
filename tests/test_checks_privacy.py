"""Privacy rules: no personal mobile number and no resident identity number, in any field."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from conftest import line_of, make_uscc, one_problem, problems_of

ORG = "organizations"
SILVER = "org-silver-age"
SILVER_FILE = "datasets/organizations/org-silver-age.yaml"
DESCRIPTION = "description_zh: 虚构的老年居民互助组织。"


def iso7064_mod_11_2(body: str) -> str:
    """The check character of an 18-character resident identity number (GB 11643, ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(body))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


# A made-up person: Chaoyang district (110105), born 1990-03-07, sequence 123.
FICTIONAL_BODY = "11010519900307123"
FICTIONAL_ID = FICTIONAL_BODY + iso7064_mod_11_2(FICTIONAL_BODY)


def say(mini, text: str) -> int:
    """Put ``text`` in org-silver-age's Chinese description; returns its line."""
    mini.edit(ORG, SILVER, DESCRIPTION, f"description_zh: {text}")
    return line_of(mini.path(ORG, SILVER), "description_zh:")


def test_fictional_identity_number_is_valid_for_stdnum():
    assert ric.is_valid(FICTIONAL_ID)
    assert ric.calc_check_digit(FICTIONAL_BODY + "0") == FICTIONAL_ID[-1]


def test_landline_in_the_phone_field_passes(mini):
    report = mini.report()
    assert "phone: 010-6555 0123" in mini.path(ORG, SILVER).read_text(encoding="utf-8")
    assert not [p for p in report.problems if p.rule.startswith("privacy.")]


def test_landline_in_a_description_passes(mini):
    say(mini, "联系电话：010-6555 0123")
    assert not [p for p in mini.report().problems if p.rule.startswith("privacy.")]


@pytest.mark.parametrize("text", [
    "联系电话13812345678。",
    "联系 138 1234 5678",
    "电话：138-1234-5678",
    "call +86 139 1234 5678",
])
def test_mobile_number_in_a_description_is_rejected(mini, text):
    line = say(mini, text)
    p = one_problem(mini.report(), "privacy.mobile")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "description_zh", line)


def test_mobile_number_in_the_phone_field_is_rejected(mini):
    mini.edit(ORG, SILVER, "phone: 010-6555 0123", "phone: 138 1234 5678")
    p = one_problem(mini.report(), "privacy.mobile")
    assert (p.file, p.field) == (SILVER_FILE, "phone")
    assert p.line == line_of(mini.path(ORG, SILVER), "phone:")


def test_mobile_number_in_a_list_item_of_an_incubator_is_rejected(mini):
    mini.edit("incubators", "inc-chaoyang-base", "- title: Shequ demonstration record (fictional)",
              "- title: 负责人 13812345678")
    p = one_problem(mini.report(), "privacy.mobile")
    assert (p.file, p.field) == ("datasets/incubators/inc-chaoyang-base.yaml", "sources[0].title")
    assert p.line == line_of(mini.path("incubators", "inc-chaoyang-base"), "title:")


def test_number_not_starting_like_a_mobile_passes(mini):
    say(mini, "服务热线 12345678901")  # 12… is not a mobile prefix
    assert not problems_of(mini.report(), "privacy.mobile")


def test_unified_social_credit_code_is_not_mistaken_for_a_mobile(mini):
    # A code whose middle reads 13812345678: letters and digits around it make it part of a longer code.
    code = make_uscc(area="138123", subject="45678MJ01")
    assert "13812345678" in code
    say(mini, f"统一社会信用代码 {code}，另见 {make_uscc()}")
    assert not [p for p in mini.report().problems if p.rule.startswith("privacy.")]


def test_resident_identity_number_is_rejected(mini):
    line = say(mini, f"负责人身份证号 {FICTIONAL_ID}")
    p = one_problem(mini.report(), "privacy.identity-number")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "description_zh", line)


def test_identity_number_with_a_lowercase_x_is_rejected(mini):
    body = next(b for b in (f"110105199003071{n:02d}" for n in range(100)) if iso7064_mod_11_2(b) == "X")
    line = say(mini, f"证件 {body}x")
    p = one_problem(mini.report(), "privacy.identity-number")
    assert (p.field, p.line) == ("description_zh", line)


def test_eighteen_digits_with_a_wrong_check_digit_pass(mini):
    wrong = FICTIONAL_BODY + str((int(FICTIONAL_ID[-1]) + 1) % 10 if FICTIONAL_ID[-1] != "X" else 0)
    assert not ric.is_valid(wrong)
    say(mini, f"项目编号 {wrong}")
    assert not problems_of(mini.report(), "privacy.identity-number")
