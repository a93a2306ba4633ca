from django import forms

from qualityaward.accounts.models import Region

from ..models import Application, AwardTier


class ApplicationCreateForm(forms.Form):
    kind = forms.ChoiceField(label="申报主体", choices=Application.Kind.choices)
    applicant_name = forms.CharField(label="申报单位（个人）名称", max_length=120,
                                     help_text="组织请填写与公章一致的全称。")
    region = forms.ModelChoiceField(label="所在地区", queryset=Region.objects.exclude(level=Region.Level.PROVINCE),
                                    empty_label="请选择所在地区",
                                    error_messages={"invalid_choice": "请从列表中选择所在地区。"})
    is_little_giant = forms.BooleanField(label="本单位是专精特新“小巨人”企业", required=False)

    def __init__(self, *args, profile, organization=None, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        from ..selectors import territory_regions

        program = profile.program
        self.fields["region"].queryset = territory_regions(program).exclude(level=Region.Level.PROVINCE)
        self.fields["region"].error_messages["invalid_choice"] = (
            f"{program.name}只受理{program.seat_region.name}辖区内的申报，请从列表中选择所在地区。")
        kinds = [(k, label) for k, label in Application.Kind.choices
                 if (k == "organization" and profile.allows_organizations and organization is not None)
                 or (k == "individual" and profile.allows_individuals)]
        self.fields["kind"].choices = kinds
        self.fields["kind"].error_messages["invalid_choice"] = "本奖项不接受所选申报主体，请重新选择。"
        if organization is not None:
            self.initial.setdefault("applicant_name", organization.name)
            self.initial.setdefault("region", organization.region_id)
        elif person is not None and profile.allows_individuals:
            self.initial.setdefault("kind", Application.Kind.INDIVIDUAL)
            self.initial.setdefault("applicant_name", person.user.display_name)
            self.initial.setdefault("region", person.region_id)


class TransitionForm(forms.Form):
    reason = forms.CharField(label="理由/说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    tier = forms.ModelChoiceField(label="奖励等级", queryset=AwardTier.objects.none(), required=False,
                                  error_messages={"invalid_choice": "所选奖励等级不属于本奖项，请重新选择。"})

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = AwardTier.objects.filter(profile__program=application.campaign.program_id)
