"""The browser's own validation bubbles speak Chinese and say what to do, whatever the browser's language
(static/js/portal.js): an empty required field, a malformed e-mail address, a number out of range."""
import pytest

pytestmark = pytest.mark.browser

MESSAGE = "el => { el.checkValidity(); return el.validationMessage; }"


def test_an_empty_required_field_and_a_bad_email_are_explained_in_chinese(page):
    page.goto("/accounts/register/organization/")
    username = page.locator("input[name=username]")
    assert username.evaluate(MESSAGE) == "请填写此项。"
    email = page.locator("input[type=email]").first
    email.fill("not-an-address")
    assert email.evaluate(MESSAGE) == "请输入有效的电子邮箱地址，例如 name@example.com。"
    email.fill("ok@example.com")
    assert email.evaluate(MESSAGE) == ""  # corrected: the message goes away


def test_a_number_out_of_range_names_the_bound(page):
    page.goto("/accounts/login/")
    page.evaluate("""() => { const i = document.createElement('input'); i.type = 'number'; i.min = '0'; i.max = '100';
        i.id = 'probe'; i.value = '120'; document.querySelector('form').appendChild(i); }""")
    assert page.locator("#probe").evaluate(MESSAGE) == "不能大于 100。"
