"""Forms of the supervision pages: the public real-name report, the group's finding and its campaign report."""
import re

from django import forms
from django.core.exceptions import ValidationError

from ..objections.forms import CleanTextMixin, RealNameForm, clean_text
from .models import SupervisionReport

CONTENT_MIN_CHARS = 10
NO_CAMPAIGN = ""


class ReportForm(RealNameForm):
    """Anyone may report to the supervision group (息县 第二十五条), with or without an account, by real name
    like an objection (the reporter's identity is seen by the program's supervisors only)."""

    NOUN = "举报"

    campaign = forms.ChoiceField(label="涉及的届次", required=False)
    subject = forms.CharField(label="举报对象", max_length=200,
                              help_text="被举报的单位、人员，或受理、评审的哪个环节。",
                              error_messages={"required": "请填写举报对象（单位、人员或评审环节）。"})
    content = forms.CharField(label="举报内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=f"请写明违法、违规、违纪的具体事实和线索（至少 {CONTENT_MIN_CHARS} 字，限 5000 字）。",
                              error_messages={"required": "请填写举报内容。"})
    pledge = forms.BooleanField(label="本人（本单位）承诺所举报的情况及材料真实，并愿意配合监督组调查核实；如捏造事实，愿承担相应责任。",
                                required=True, error_messages={"required": "请阅读并勾选承诺后再提交。"})

    def __init__(self, *args, campaigns, user=None, **kwargs):
        if user is not None and user.is_authenticated and not args and "initial" not in kwargs:
            kwargs["initial"] = {"person_name": user.full_name, "signature": user.full_name,
                                 "person_phone": user.mobile, "email": user.email}
        super().__init__(*args, **kwargs)
        self.campaigns = {str(c.pk): c for c in campaigns}
        self.fields["email"].label = "电子邮箱（选填，用于联系核实）"
        choices = [(pk, c.name) for pk, c in self.campaigns.items()]
        if choices:
            self.fields["campaign"].choices = [(NO_CAMPAIGN, "不涉及具体届次")] + choices
            self.fields["campaign"].initial = choices[0][0]
            self.fields["campaign"].error_messages["invalid_choice"] = (
                "所选届次不属于本奖项，或该届评审已经结束（监督组随之解散）。请重新选择届次。")
        else:  # no campaign under review: the report concerns the program
            del self.fields["campaign"]

    def clean_content(self):
        content = clean_text(self.cleaned_data.get("content"))
        if len(re.sub(r"\s", "", content)) < CONTENT_MIN_CHARS:
            raise ValidationError(f"举报内容过于简单，请写明具体事实和线索（至少 {CONTENT_MIN_CHARS} 字）。")
        return content

    def chosen_campaign(self):
        return self.campaigns.get(self.cleaned_data.get("campaign") or NO_CAMPAIGN)


class FindingForm(CleanTextMixin, forms.Form):
    finding = forms.CharField(label="调查核实情况", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                              error_messages={"required": "请填写调查核实情况。"})
    conclusion = forms.ChoiceField(label="办理结论", choices=SupervisionReport.Conclusion.choices,
                                   widget=forms.RadioSelect, error_messages={"required": "请选择办理结论。",
                                                                             "invalid_choice": "请选择办理结论。"})
    handled_on = forms.DateField(label="办结日期", widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"required": "请填写办结日期。",
                                                 "invalid": "办结日期格式不正确，请按“2026-11-20”格式填写。"})
    confirm = forms.BooleanField(label="我已核实，确认办结（办结后不能更改）", required=True,
                                 error_messages={"required": "请勾选确认后再提交。"})


class CampaignReportForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=120, error_messages={"required": "请填写报告标题。"})
    text = forms.CharField(label="监督情况", max_length=20000, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text="写明监督的环节、发现的问题、举报的办理情况，以及建议有权机关处理的事项（息县 第二十五条）。",
                           error_messages={"required": "请填写监督情况。"})
