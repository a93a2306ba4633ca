from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator

from .identifiers import clean_credit_code, clean_id_number, clean_mobile
from .models import Region, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入（注意区分大小写）。连续输错多次将被暂时锁定。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget = forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})


# =============================================================================================
# Registration and invitations
# =============================================================================================
def _required(message):
    return {"required": message}


class CreditCodeField(forms.CharField):
    """统一社会信用代码: spaces and lower case accepted, the stored form returned, check character verified."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "统一社会信用代码")
        kwargs.setdefault("error_messages", _required("请填写统一社会信用代码（18位，见营业执照或登记证书）。"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"maxlength": 30, "autocomplete": "off", "spellcheck": "false",
                                  "class": "text-uppercase"})

    def to_python(self, value):
        value = super().to_python(value)
        return clean_credit_code(value) if value not in self.empty_values else value


class IdNumberField(forms.CharField):
    """身份证号: lower-case x accepted and stored as X; birth date and check character verified."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "身份证号")
        kwargs.setdefault("error_messages", _required("请填写身份证号（18位）。"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"maxlength": 30, "autocomplete": "off", "spellcheck": "false"})

    def to_python(self, value):
        value = super().to_python(value)
        return clean_id_number(value) if value not in self.empty_values else value


class MobileField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "手机号")
        kwargs.setdefault("error_messages", _required("请填写手机号（11位）。"))
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.update({"maxlength": 20, "autocomplete": "tel", "inputmode": "numeric"})

    def to_python(self, value):
        value = super().to_python(value)
        return clean_mobile(value) if value not in self.empty_values else value


class RegionChoiceField(forms.ModelChoiceField):
    """A city-level region or a county under it (never the province)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "所在地区")
        kwargs.setdefault("empty_label", "请选择所在地区")
        kwargs.setdefault("help_text", "选择注册地所在的省辖市（示范区、实验区）；县（市、区）奖项的申报人请选择所在县（市、区）。")
        kwargs.setdefault("error_messages", {"required": "请选择所在地区。",
                                             "invalid_choice": "请从列表中选择所在地区。"})
        super().__init__(queryset=Region.objects.exclude(level=Region.Level.PROVINCE).select_related("parent")
                         .order_by("code"), **kwargs)

    def label_from_instance(self, obj):
        if obj.level in (Region.Level.COUNTY, Region.Level.TOWN) and obj.parent_id:
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


def _email_field(label="邮箱", help_text="用于接收确认邮件和申报通知，请填写常用邮箱。"):
    return forms.EmailField(label=label, max_length=254, help_text=help_text, error_messages={
        "required": "请填写邮箱。", "invalid": "邮箱格式不正确，请填写完整地址（如 name@example.cn）。"})


def _name_field(label, max_length, required_message, help_text=""):
    return forms.CharField(label=label, max_length=max_length, help_text=help_text, error_messages={
        "required": required_message,
        "max_length": f"{label}最多{max_length}个字，请精简。"})


def _password_problem(error):
    """One password-validator error in Chinese (Django's own catalogue lacks some of them)."""
    params = error.params or {}
    if error.code == "password_too_short":
        return f"密码太短，至少需要{params.get('min_length', 8)}位"
    if error.code == "password_too_common":
        return "密码太常见，容易被猜中"
    if error.code == "password_entirely_numeric":
        return "密码不能全是数字"
    if error.code == "password_too_similar":
        return f"密码与{params.get('verbose_name', '您的个人信息')}太相似"
    return (error.message % params if params else error.message).rstrip("。")


class AccountFieldsForm(forms.Form):
    """Username and password (entered twice), checked against the password rules of the portal."""

    username = forms.CharField(
        label="用户名", max_length=150,
        help_text="登录时使用，可包含汉字、字母、数字及 @ . + - _，注册后不能修改。",
        validators=[UnicodeUsernameValidator(message="用户名只能包含汉字、字母、数字及 @ . + - _ 符号，请修改。")],
        error_messages={"required": "请填写用户名。", "max_length": "用户名最多150个字符。"},
        widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password1 = forms.CharField(
        label="密码", strip=False, help_text="至少8位，不能全是数字，不要与用户名、姓名相似，也不要使用常见密码。",
        error_messages={"required": "请设置密码。"}, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="确认密码", strip=False, error_messages={"required": "请再次输入密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    #: the field holding the person's name, used to refuse passwords that resemble it
    person_name_field = "full_name"

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("该用户名已被使用，请换一个用户名。")
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "两次输入的密码不一致，请重新输入。")
        elif password1:
            # first_name carries the person's name so that the similarity check covers it too
            probe = User(username=cleaned.get("username", ""), email=cleaned.get("email", ""),
                         first_name=cleaned.get(self.person_name_field, ""))
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as exc:
                reasons = "；".join(_password_problem(e) for e in exc.error_list)
                self.add_error("password1", f"{reasons}。请换一个更安全的密码：至少8位，混合字母、数字和符号，"
                                            "不要与用户名、姓名相似。")
        return cleaned


class OrganizationRegistrationForm(AccountFieldsForm):
    name = _name_field("组织全称", 120, "请填写组织全称（与公章一致）。", "与公章、营业执照上的名称完全一致。")
    credit_code = CreditCodeField(help_text="18位，见营业执照（或事业单位法人证书、社会团体登记证书）；可不区分大小写。")
    region = RegionChoiceField()
    contact_name = _name_field("联系人姓名", 60, "请填写联系人姓名。")
    mobile = MobileField(label="联系人手机号")
    email = _email_field()

    person_name_field = "contact_name"
    field_order = ["name", "credit_code", "region", "contact_name", "mobile", "email", "username", "password1",
                   "password2"]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class IndividualRegistrationForm(AccountFieldsForm):
    full_name = _name_field("姓名", 60, "请填写姓名（与身份证一致）。", "与身份证上的姓名一致。")
    id_number = IdNumberField(help_text="18位，末位为X的请填写X；出生日期和性别据此自动识别。仅本人和秘书处可见完整号码。")
    employer = _name_field("工作单位", 120, "请填写工作单位全称。", "填写单位全称。")
    region = RegionChoiceField()
    mobile = MobileField()
    email = _email_field()

    field_order = ["full_name", "id_number", "employer", "region", "mobile", "email", "username", "password1",
                   "password2"]


class InvitationForm(forms.Form):
    email = _email_field(label="同事的邮箱", help_text="我们会向该邮箱发送邀请链接，有效期7天。")


class InvitationRegistrationForm(AccountFieldsForm):
    """Registering from an invitation: the e-mail address is the invited one and is not asked again."""

    full_name = _name_field("姓名", 60, "请填写您的姓名。")
    mobile = MobileField()

    field_order = ["full_name", "mobile", "username", "password1", "password2"]

    def __init__(self, *args, email="", **kwargs):
        self.invited_email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        self.cleaned_data.setdefault("email", self.invited_email)
        return super().clean()
