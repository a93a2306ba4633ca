"""Forms of the expert pool, the panel draw and the pledge."""
from django import forms
from django.forms import inlineformset_factory

from applications.classifications import industry_lookup
from qualityaward.accounts.identifiers import credit_code_problem, normalize_credit_code
from qualityaward.accounts.models import Region, Role, User

from .models import ExpertProfile, ExpertRelationship
from .services import DEFAULT_RESERVES, MAX_RESERVES, PHONE_RE, parse_specialties


def _credit_code(value, label):
    if not value:
        return ""
    code = normalize_credit_code(value)
    problem = credit_code_problem(code)
    if problem:
        raise forms.ValidationError(f"{label}{problem[0]}")
    return code


class ExpertForm(forms.ModelForm):
    specialties_text = forms.CharField(
        label="专业领域（行业）", max_length=200,
        help_text="《国民经济行业分类》（GB/T 4754-2017）门类字母或大类代码，多个用“、”分隔，如：C、36")
    username = forms.CharField(label="登录账号", max_length=150, required=False,
                               help_text="新增专家时可填写已有账号；留空则以手机号创建账号（初始无密码，由专家通过“忘记密码”设置）")

    class Meta:
        model = ExpertProfile
        fields = ["name", "phone", "email", "region", "employer", "employer_credit_code", "title", "is_active", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("code")
        self.fields["employer_credit_code"].validators = []
        if self.instance.pk:
            self.fields["specialties_text"].initial = "、".join(self.instance.specialties or [])
            del self.fields["username"]

    def clean_phone(self):
        phone = "".join(self.cleaned_data["phone"].split()).replace("-", "")
        if not PHONE_RE.fullmatch(phone):
            raise forms.ValidationError("手机号应为 11 位数字。")
        if ExpertProfile.objects.filter(phone=phone).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("该手机号已属于专家库中的另一位专家。")
        return phone

    def clean_employer_credit_code(self):
        return _credit_code(self.cleaned_data.get("employer_credit_code"), "工作单位")

    def clean_specialties_text(self):
        codes, problems = parse_specialties(self.cleaned_data["specialties_text"])
        if problems:
            raise forms.ValidationError("；".join(problems) + "。")
        self.cleaned_data["specialties"] = codes
        return codes

    def clean_username(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username:
            user = User.objects.filter(username=username).first()
            if user is not None and ExpertProfile.objects.filter(user=user).exists():
                raise forms.ValidationError("该账号已是专家库中的专家。")
        return username

    def values(self):
        data = {k: self.cleaned_data[k] for k in self.Meta.fields}
        data["specialties"] = self.cleaned_data["specialties_text"]
        return data

    def _post_clean(self):  # the model's own validators run in the service (full_clean)
        pass


class RelationshipForm(forms.ModelForm):
    class Meta:
        model = ExpertRelationship
        fields = ["organization_name", "credit_code", "kind", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_code"].validators = []

    def clean_credit_code(self):
        return _credit_code(self.cleaned_data.get("credit_code"), "关联单位")


RelationshipFormSet = inlineformset_factory(ExpertProfile, ExpertRelationship, form=RelationshipForm, extra=2,
                                            can_delete=True, max_num=50)


class ImportForm(forms.Form):
    file = forms.FileField(label="专家名单（.xlsx）", help_text="请使用导入模板；整个文件无误才会导入，有错误时不做任何修改。")


class DrawForm(forms.Form):
    size = forms.IntegerField(label="评审组人数")
    reserves = forms.IntegerField(label="备选专家人数", min_value=0, max_value=MAX_RESERVES, initial=DEFAULT_RESERVES)
    industry = forms.CharField(label="抽取行业（门类/大类）", max_length=10, required=False,
                               help_text="留空按申报表填写的所属行业；个人申报等未填写行业的，请填写门类字母或大类代码")
    seed = forms.CharField(label="随机种子", max_length=18, required=False,
                           help_text="留空由系统生成；也可填写现场公开产生的数字。同一种子、同一候选名单抽取结果相同")
    exclude_same_region = forms.BooleanField(label="排除与申报单位同一省辖市的专家", required=False)
    witness = forms.ModelChoiceField(label="监督人账号（监督组）", queryset=User.objects.none(), required=False)
    witness_name = forms.CharField(label="现场监督人姓名", max_length=40, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        profile = campaign.program.profile
        low, high = profile.panel_size_min, profile.panel_size_max
        self.fields["size"].help_text = f"本奖项规则：{low}—{high} 人" if low and high else ""
        self.fields["size"].initial = low
        from django.db.models import Q

        self.fields["witness"].queryset = User.objects.filter(
            Q(role_assignments__role=Role.SUPERVISOR)
            & (Q(role_assignments__program=campaign.program) | Q(role_assignments__program__isnull=True))
        ).distinct().order_by("username")
        self.fields["witness"].label_from_instance = lambda u: u.display_name

    def clean_industry(self):
        code = (self.cleaned_data.get("industry") or "").strip().upper()
        if code and industry_lookup(code) is None:
            raise forms.ValidationError(f"“{code}”不是《国民经济行业分类》（GB/T 4754-2017）的代码。")
        return code

    def clean(self):
        data = super().clean()
        if not data.get("witness") and not (data.get("witness_name") or "").strip():
            raise forms.ValidationError("请选择监督人账号或填写现场监督人姓名：专家抽取须在监督下进行。")
        return data


class ReplaceForm(forms.Form):
    seed = forms.CharField(label="随机种子（无备选专家可递补时使用）", max_length=18, required=False)
    witness = forms.ModelChoiceField(label="监督人账号（监督组）", queryset=User.objects.none(), required=False)
    witness_name = forms.CharField(label="现场监督人姓名", max_length=40, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        self.fields["witness"].queryset = User.objects.filter(
            Q(role_assignments__role=Role.SUPERVISOR)
            & (Q(role_assignments__program=campaign.program) | Q(role_assignments__program__isnull=True))
        ).distinct().order_by("username")
        self.fields["witness"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        if not data.get("witness") and not (data.get("witness_name") or "").strip():
            raise forms.ValidationError("请选择监督人账号或填写现场监督人姓名：专家抽取须在监督下进行。")
        return data


class PledgeForm(forms.Form):
    DECLARATIONS = [("none", "本人与该申报单位（个人）不存在利害关系"), ("conflict", "本人与该申报单位（个人）存在利害关系，申请回避")]
    declaration = forms.ChoiceField(label="利害关系申报", choices=DECLARATIONS, widget=forms.RadioSelect)
    detail = forms.CharField(label="利害关系说明", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="申报存在利害关系时必填，如：近三年曾为该单位提供咨询服务")
    accept = forms.BooleanField(label="本人已阅读上述承诺书，承诺遵守", required=False)

    def clean(self):
        data = super().clean()
        if data.get("declaration") == "conflict" and not (data.get("detail") or "").strip():
            self.add_error("detail", "请说明存在的利害关系。")
        if data.get("declaration") == "none" and not data.get("accept"):
            self.add_error("accept", "请勾选承诺：签署承诺书后才能查看申报材料。")
        return data


class LaterConflictForm(forms.Form):
    detail = forms.CharField(label="利害关系说明", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
