import datetime as dt

from django import forms
from django.utils import timezone

from applications.selectors import RECUSED_LABEL


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200, required=False,
                            help_text="留空则按奖项、届次和公示类型自动生成")
    body = forms.CharField(label="正文（说明）", required=False, max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="如公示依据、异议受理方式。公示名单只列名称、地区、行业和等级。")
    issuer = forms.CharField(label="发布单位", max_length=120, required=False)
    contact = forms.CharField(label="异议受理联系方式", max_length=300, required=False,
                              help_text="如：秘书处 0376-1234567，地址……")
    window_length = forms.IntegerField(label="公示时长", required=False, min_value=1, max_value=120)
    applications = forms.MultipleChoiceField(label="列入公示的申报", required=True,
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": "请至少选择一个申报列入公示。"})

    def __init__(self, *args, eligible=(), rule=None, recused=(), **kwargs):
        """``recused``: applications on the draft the reader stepped aside from (息县 第十条, 巩义 第十八条), listed
        without their names."""
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [
            (str(a.pk), RECUSED_LABEL if a.pk in recused else f"{a.number or '未编号'} {a.applicant_name}（{a.region.name}）")
            for a in eligible]
        if rule is not None:
            unit = rule.get_unit_display()
            self.fields["window_length"].label = f"公示时长（{unit}）"
            if rule.min_length:
                self.fields["window_length"].min_value = rule.min_length
                self.fields["window_length"].widget.attrs["min"] = rule.min_length
                self.fields["window_length"].help_text = f"本奖项规定不少于 {rule.min_length} 个{unit}，默认即为最短时长。"
                self.fields["window_length"].error_messages["min_value"] = (
                    f"本奖项规定不少于 {rule.min_length} 个{unit}，请重新填写。")
            else:
                self.fields["window_length"].required = True
                self.fields["window_length"].help_text = "本奖项文件未规定时长，请填写。"


class ScheduleForm(forms.Form):
    when = forms.ChoiceField(label="发布时间", choices=[("now", "现在发布"), ("later", "定时发布")], initial="now",
                             widget=forms.RadioSelect)
    opens_at = forms.DateTimeField(label="定时发布时间", required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
                                   error_messages={"invalid": "发布时间格式应为 2026-09-28 09:00。"})

    def clean(self):
        data = super().clean()
        if data.get("when") == "later":
            if not data.get("opens_at"):
                raise forms.ValidationError("选择定时发布时请填写发布时间。")
        else:
            data["opens_at"] = timezone.now()
        return data


class InternalPublicityForm(forms.Form):
    starts_on = forms.DateField(label="公示开始日期", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "日期格式应为 2026-09-28。", "required": "请填写公示开始日期。"})
    ends_on = forms.DateField(label="公示结束日期", widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "日期格式应为 2026-09-28。", "required": "请填写公示结束日期。"})
    place = forms.CharField(label="公示范围/地点", max_length=200,
                            error_messages={"required": "请填写在何处公示（如公司公告栏、内部办公系统）。"})
    objections_received = forms.IntegerField(label="收到异议（件）", min_value=0, max_value=999, initial=0,
                                             error_messages={"min_value": "异议件数不能为负数。"})
    handling = forms.CharField(label="异议处理情况", required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label="公示证明材料（公示照片或截图，PDF/JPG/PNG）", required=False)

    def __init__(self, *args, has_file=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_file = has_file
        if has_file:
            self.fields["evidence"].help_text = "已上传；如需替换请重新选择文件。"

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "公示结束日期不能早于开始日期。")
        if start and start > timezone.localdate() + dt.timedelta(days=1):
            self.add_error("starts_on", "公示尚未开始，不能登记。请在公示结束后登记。")
        if data.get("objections_received") and not (data.get("handling") or "").strip():
            self.add_error("handling", "收到异议时须写明处理情况。")
        if not self.has_file and not data.get("evidence"):
            self.add_error("evidence", "请上传公示证明材料（公示现场照片或系统截图）。")
        return data
