"""Forms of the objection pages: the public real-name form and the secretariat's handling forms."""
import re

from django import forms
from django.core.exceptions import ValidationError

from applications.forms.spec import CONTROL_CHARS, PHONE_RE

from .models import Objection

MAX_EVIDENCE_FILES = 10
GROUNDS_MIN_CHARS = 10


def clean_text(value):
    return CONTROL_CHARS.sub("", value or "").strip()


class CleanTextMixin:
    """Control characters and lone surrogates pasted from other programs are dropped from every text."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                cleaned[name] = clean_text(value)
        return cleaned


def _phone(value, label):
    value = clean_text(value)
    if not PHONE_RE.match(value) or sum(ch.isdigit() for ch in value) < 7:
        raise ValidationError(f"{label}格式不正确，请填写手机号或带区号的固定电话（如 0376-1234567）。")
    return value


class RealNameForm(CleanTextMixin, forms.Form):
    """Who speaks, by real name: an individual signs with name, phone and address; a unit gives its name,
    address and phone (息县 第二十三条). Shared by the public forms (objections, reports to the 监督组);
    ``NOUN`` names what is submitted in the messages. Files are read from request.FILES by the service."""

    NOUN = "异议"

    objector_kind = forms.ChoiceField(label="异议人类型", choices=Objection.ObjectorKind.choices,
                                      widget=forms.RadioSelect, initial=Objection.ObjectorKind.INDIVIDUAL)
    # an individual
    person_name = forms.CharField(label="姓名", max_length=60, required=False)
    person_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    person_address = forms.CharField(label="通讯地址", max_length=200, required=False)
    signature = forms.CharField(label="签署（请再次输入本人姓名）", max_length=60, required=False)
    # a unit
    unit_name = forms.CharField(label="单位名称（与公章一致）", max_length=120, required=False)
    unit_address = forms.CharField(label="单位住所及通讯地址", max_length=200, required=False)
    unit_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    contact_person = forms.CharField(label="联系人", max_length=60, required=False)
    # both
    email = forms.EmailField(label="电子邮箱（选填，用于接收书面答复）", required=False, max_length=254)
    website = forms.CharField(required=False, label="请勿填写此项", widget=forms.TextInput(
        attrs={"tabindex": "-1", "autocomplete": "off"}))  # left empty by people, filled by robots

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        noun = self.NOUN
        self.fields["objector_kind"].label = f"{noun}人类型"
        self.fields["objector_kind"].error_messages.update(
            required=f"请选择以个人还是单位名义提出{noun}。", invalid_choice=f"请选择以个人还是单位名义提出{noun}。")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError("提交未被接受，请刷新页面后重新填写。")
        kind = cleaned.get("objector_kind")
        if kind == Objection.ObjectorKind.INDIVIDUAL:
            required = {"person_name": "姓名", "person_phone": "联系电话", "person_address": "通讯地址",
                        "signature": "签署姓名"}
        elif kind == Objection.ObjectorKind.UNIT:
            required = {"unit_name": "单位名称", "unit_phone": "联系电话", "unit_address": "单位住所及通讯地址"}
        else:
            return cleaned
        who = "个人" if kind == Objection.ObjectorKind.INDIVIDUAL else "单位"
        for name, label in required.items():
            if not cleaned.get(name):
                self.add_error(name, f"以{who}名义提出{self.NOUN}须填写{label}（实名提出，匿名{self.NOUN}不予受理）。")
        phone = "person_phone" if kind == Objection.ObjectorKind.INDIVIDUAL else "unit_phone"
        if cleaned.get(phone):
            try:
                cleaned[phone] = _phone(cleaned[phone], "联系电话")
            except ValidationError as exc:
                self.add_error(phone, exc)
        if kind == Objection.ObjectorKind.INDIVIDUAL and cleaned.get("signature") and cleaned.get("person_name"):
            if re.sub(r"\s", "", cleaned["signature"]) != re.sub(r"\s", "", cleaned["person_name"]):
                self.add_error("signature", "签署姓名须与填写的姓名一致。")
        return cleaned

    def objector(self):
        """The signer's fields as the services store them."""
        c = self.cleaned_data
        if c["objector_kind"] == Objection.ObjectorKind.INDIVIDUAL:
            return {"objector_kind": c["objector_kind"], "objector_name": c["person_name"], "phone": c["person_phone"],
                    "address": c["person_address"], "signature": c["signature"], "contact_person": "",
                    "email": c.get("email") or ""}
        return {"objector_kind": c["objector_kind"], "objector_name": c["unit_name"], "phone": c["unit_phone"],
                "address": c["unit_address"], "signature": "", "contact_person": c.get("contact_person") or "",
                "email": c.get("email") or ""}


class ObjectionForm(RealNameForm):
    """The public real-name objection form (no login)."""

    item = forms.TypedChoiceField(label="对哪一项公示内容提出异议", coerce=int, empty_value=None)
    grounds = forms.CharField(label="异议事由", max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=f"请写明异议的具体事实和理由（至少 {GROUNDS_MIN_CHARS} 字，限 5000 字）。")
    pledge = forms.BooleanField(label="本人（本单位）承诺所提异议及材料真实，并愿意配合秘书处调查；如捏造事实，愿承担相应责任。",
                                required=True, error_messages={"required": "请阅读并勾选承诺后再提交。"})

    field_order = ["objector_kind", "item", "grounds"]

    def __init__(self, *args, notice, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = notice
        self.fields["item"].choices = [("", "请选择公示名单中的一项")] + [
            (item.pk, f"{item.position}. {item.name}" + (f"（{item.region_name}）" if item.region_name else ""))
            for item in notice.items.order_by("position")]
        self.fields["item"].error_messages["invalid_choice"] = "所选项目不在本公示名单中，请从名单中选择。"
        self.fields["item"].error_messages["required"] = "请选择对公示名单中的哪一项提出异议。"
        self.fields["grounds"].error_messages["required"] = "请填写异议事由。"

    def clean_grounds(self):
        grounds = clean_text(self.cleaned_data.get("grounds"))
        if len(re.sub(r"\s", "", grounds)) < GROUNDS_MIN_CHARS:
            raise ValidationError(f"异议事由过于简单，请写明具体事实和理由（至少 {GROUNDS_MIN_CHARS} 字）。")
        return grounds


class NoteForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label="调查记录", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写调查记录的内容。"})


class RequestForm(CleanTextMixin, forms.Form):
    grounds = forms.CharField(label="告知申报单位的异议事由", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="申报单位看到此段文字。请删去异议人的姓名、单位、联系方式等任何身份信息。",
                              error_messages={"required": "请填写告知申报单位的异议事由。"})
    question = forms.CharField(label="请申报单位说明的事项", max_length=3000, widget=forms.Textarea(attrs={"rows": 3}),
                               error_messages={"required": "请写明需要申报单位说明或补充的事项。"})
    reply_by = forms.DateField(label="答复截止日期（选填）", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"invalid": "答复截止日期格式不正确，请按“2026-10-12”格式填写。"})


class ReplyForm(CleanTextMixin, forms.Form):
    reply_text = forms.CharField(label="说明", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                                 error_messages={"required": "请填写说明内容。"})


class DecisionForm(CleanTextMixin, forms.Form):
    decision = forms.ChoiceField(label="审查结论", widget=forms.RadioSelect, choices=[
        (Objection.Status.UNFOUNDED, "异议不成立：申报继续参加评审"),
        (Objection.Status.UPHELD, "异议成立：取消该申报的资格"),
        (Objection.Status.INADMISSIBLE, "不予受理：身份不实、材料无法核实或不属于公示内容等（申报继续参加评审）"),
    ], error_messages={"required": "请选择审查结论。"})
    finding = forms.CharField(label="调查结论（内部记录；异议成立时作为取消资格的理由）", max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "请填写调查结论。"})
    answer_text = forms.CharField(label="给异议人的书面答复", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                                  error_messages={"required": "请填写给异议人的书面答复（办法要求书面告知处理结果）。"})
    confirm = forms.BooleanField(label="我已核实，确认作出上述结论（结论作出后不能更改）", required=True,
                                 error_messages={"required": "请勾选确认后再提交结论。"})


class BackfillForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label="递补办理情况", max_length=300, error_messages={"required": "请写明递补办理情况。"})
