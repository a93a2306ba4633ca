"""Forms of the recommending authority's pre-review workspace. They clean input only; the services in
``review.prereview`` decide (permissions, states, rules) and write."""
from django import forms
from django.core.exceptions import ValidationError

from .models import DepartmentOpinion, InitialOpinion, SectionCheck
from .services import MAX_NOTE, MAX_PART, find_reader

DATE_ERRORS = {"required": "请填写日期。", "invalid": "请按“年-月-日”格式填写日期，如 2026-11-20。"}


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages=DATE_ERRORS, **kwargs)


def _text(label, *, required=False, limit=MAX_NOTE, rows=3, **kwargs):
    return forms.CharField(label=label, required=required, max_length=limit, strip=True,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"max_length": f"{label}限 {limit} 字，请删减。",
                                           "required": f"请填写{label}。"}, **kwargs)


class ChecklistForm(forms.Form):
    """One verdict and note per section of the form (完整性、真实性、准确性、合法性)."""

    def __init__(self, *args, sections, checks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        checks = checks or {}
        for s in self.sections:
            check = checks.get(s.code)
            self.fields[f"verdict_{s.code}"] = forms.ChoiceField(
                label=f"{s.number} {s.title}", choices=SectionCheck.Verdict.choices, required=False,
                widget=forms.RadioSelect, initial=check.verdict if check else "",
                error_messages={"invalid_choice": "核实结果无效，请重新选择。"})
            self.fields[f"note_{s.code}"] = _text(f"“{s.number} {s.title}”的核实说明", rows=2,
                                                  initial=check.note if check else "")

    def rows(self):
        return [{"section": s, "verdict": self[f"verdict_{s.code}"], "note": self[f"note_{s.code}"]}
                for s in self.sections]

    def entries(self):
        data = self.cleaned_data
        return {s.code: (data.get(f"verdict_{s.code}") or "", data.get(f"note_{s.code}") or "") for s in self.sections}


class ReturnForm(forms.Form):
    """The sections to reopen, each with the correction asked for."""

    def __init__(self, *args, sections, initial_reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        initial_reasons = initial_reasons or {}
        for s in self.sections:
            self.fields[f"return_{s.code}"] = forms.BooleanField(
                label=f"{s.number} {s.title}", required=False, initial=s.code in initial_reasons)
            self.fields[f"reason_{s.code}"] = _text(f"“{s.number} {s.title}”的修改要求", rows=2,
                                                    initial=initial_reasons.get(s.code, ""))

    def rows(self):
        return [{"section": s, "checked": self[f"return_{s.code}"], "reason": self[f"reason_{s.code}"]}
                for s in self.sections]

    def clean(self):
        data = super().clean()
        reasons = {}
        for s in self.sections:
            if data.get(f"return_{s.code}"):
                reason = (data.get(f"reason_{s.code}") or "").strip()
                if not reason:
                    self.add_error(f"reason_{s.code}", f"请写明“{s.number} {s.title}”需要怎样修改。")
                reasons[s.code] = reason
        if not reasons and not self.errors:
            raise ValidationError("请至少勾选一个需要修改的部分，并逐项写明修改要求。")
        data["reasons"] = reasons
        return data


class SolicitForm(forms.Form):
    department = forms.CharField(widget=forms.HiddenInput, max_length=40)
    asked_on = _date("征求日期")
    reader = forms.CharField(
        label="部门联系人账号（选填）", required=False, max_length=150,
        help_text="填写用户名或邮箱：该账号可临时查阅本申报，登记答复后自动收回。")

    def clean_reader(self):
        return find_reader(self.cleaned_data.get("reader"))


class SecretariatSolicitForm(SolicitForm):
    """The secretariat names the department it asks (the documents say only “有关部门”)."""

    department = forms.CharField(label="征求意见的部门", max_length=40,
                                 help_text="如：县市场监督管理局、县生态环境分局、县应急管理局",
                                 error_messages={"required": "请填写征求意见的部门名称。",
                                                 "max_length": "部门名称限 40 字，请精简。"})


class AnswerForm(forms.Form):
    opinion = forms.IntegerField(widget=forms.HiddenInput, error_messages={"invalid": "记录编号无效，请刷新页面。"})
    answer = forms.ChoiceField(
        label="答复", widget=forms.RadioSelect,
        choices=[(DepartmentOpinion.Answer.NO_OBJECTION, "无异议"), (DepartmentOpinion.Answer.OBJECTION, "有异议")],
        error_messages={"required": "请选择部门的答复：无异议或有异议。", "invalid_choice": "请选择无异议或有异议。"})
    content = _text("意见内容", rows=2, help_text="有异议时必填")
    answered_on = _date("答复日期")
    letter = forms.FileField(label="复函扫描件（PDF 或 JPG，选填）", required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg"}))


class PublicityForm(forms.Form):
    starts_on = _date("公示开始日期")
    ends_on = _date("公示结束日期")
    channel = forms.CharField(label="公示途径", max_length=200,
                              help_text="如：郑州市市场监督管理局门户网站、局公示栏",
                              error_messages={"required": "请填写公示途径。"})
    objections_received = forms.IntegerField(label="收到异议（件）", min_value=0, max_value=999, initial=0,
                                             error_messages={"min_value": "件数不能为负数。",
                                                             "invalid": "请填写整数件数。",
                                                             "required": "请填写收到异议的件数（没有填 0）。"})
    objections_summary = _text("异议内容摘要", help_text="没有异议可不填")
    handling = _text("异议处理情况", help_text="收到异议时必填")


class OpinionDraftForm(forms.Form):
    draft_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    verification = _text("一、材料核实情况", limit=MAX_PART, rows=4)
    consultation = _text("二、征求相关部门意见情况", limit=MAX_PART, rows=4)
    publicity = _text("三、推荐组织和本部门公示情况", limit=MAX_PART, rows=3)
    opinion = _text("四、初审意见", limit=MAX_PART, rows=3)

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in InitialOpinion.parts_for(kind):  # part 三 as the application's form prints it
            self.fields[key].label = label

    def parts(self):
        return {key: self.cleaned_data.get(key, "") for key, _label in InitialOpinion.PARTS}


class SignForm(forms.Form):
    opinion_id = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "请刷新页面后重试。"})
    password = forms.CharField(label="登录密码（确认签署）", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               error_messages={"required": "请输入您的登录密码以确认签署。"})


class GovernmentOpinionForm(forms.Form):
    issued_on = _date("落款日期")
    file = forms.FileField(label="盖章扫描件（PDF 或 JPG）",
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg"}),
                           error_messages={"required": "请选择盖章的扫描件（PDF 或 JPG）。"})
