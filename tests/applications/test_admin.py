"""The secretariat edits its programs' rules in the admin, in Chinese, with validation."""
from django.urls import reverse

from applications.models import RuleProfile


def _profile_form(profile, **changes):
    """The admin change form's POST data for ``profile`` (inlines left as they are)."""
    from django.forms.models import model_to_dict

    data = {k: ("" if v is None else v) for k, v in model_to_dict(profile).items()}
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    data.update(changes)
    for prefix, related in [("tiers", profile.tiers), ("publicity_rules", profile.publicity_rules),
                            ("exclusions", profile.exclusions), ("department_rules", profile.department_rules),
                            ("required_opinions", profile.required_opinions)]:
        rows = list(related.all())
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows),
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for i, row in enumerate(rows):
            for k, v in model_to_dict(row).items():
                if k == "profile":
                    v = profile.pk
                if isinstance(v, bool) and not v:
                    continue
                data[f"{prefix}-{i}-{k}"] = "" if v is None else v
    return data


def test_secretariat_sees_only_its_programs(client, world):
    client.force_login(world.secretariat)
    listing = client.get(reverse("admin:applications_ruleprofile_changelist"))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "河南省省长质量奖培育" in body and "息县县长质量奖" not in body
    other = RuleProfile.objects.get(program__code="xixian")
    assert client.get(reverse("admin:applications_ruleprofile_change", args=[other.pk])).status_code in (302, 404)
    own = RuleProfile.objects.get(program__code="henan-cultivation")
    assert client.get(reverse("admin:applications_ruleprofile_change", args=[own.pk])).status_code == 200


def test_profile_edits_are_validated(client, world):
    client.force_login(world.secretariat_other)  # the 息县 secretariat
    xixian = RuleProfile.objects.get(program__code="xixian")
    url = reverse("admin:applications_ruleprofile_change", args=[xixian.pk])
    # weights must add up to 100 % where both review stages exist (息县: material 30 + on-site 70)
    refused = client.post(url, _profile_form(xixian, material_weight="40", onsite_weight="70"))
    assert refused.status_code == 200 and "之和须为 100%" in refused.content.decode()
    data = _profile_form(xixian)
    data["tiers-0-reserved_quota"] = "5"  # more seats reserved than the tier's quota of 2
    data["tiers-0-reserved_for"] = "专精特新企业"
    refused = client.post(url, data)
    assert refused.status_code == 200 and "预留名额" in refused.content.decode()
    xixian.refresh_from_db()
    assert xixian.material_weight == 30 and xixian.tiers.order_by("order").first().reserved_quota == 0
    ok = client.post(url, _profile_form(xixian, material_weight="40", onsite_weight="60"))
    assert ok.status_code == 302
    xixian.refresh_from_db()
    assert xixian.material_weight == 40
