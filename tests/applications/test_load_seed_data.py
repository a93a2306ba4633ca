from django.core.management import call_command

from applications.models import Campaign, Program, RuleProfile


def test_seed_loading_keeps_the_secretariats_edits_and_adds_what_is_missing(db):
    call_command("load_seed_data", verbosity=0)
    profile = RuleProfile.objects.get(program__code="xixian")
    profile.panel_size_max = 9
    profile.save()
    Campaign.objects.filter(program__code="jinshui", is_current=True).update(last_number=41)
    removed = Program.objects.get(code="quality-benchmark")
    removed_pk = removed.pk
    Campaign.objects.filter(program=removed).delete()
    removed.delete()

    call_command("load_seed_data", verbosity=0)

    assert RuleProfile.objects.get(program__code="xixian").panel_size_max == 9
    assert Campaign.objects.get(program__code="jinshui", is_current=True).last_number == 41
    assert Program.objects.filter(pk=removed_pk, code="quality-benchmark").exists()
    assert Campaign.objects.filter(program__code="quality-benchmark").count() == 2


def test_after_seed_loading_a_new_campaign_gets_a_free_key(db):
    """The shipped rows bring their own keys; the secretariat's next campaign must not collide with them
    (PostgreSQL's sequence is moved past them)."""
    call_command("load_seed_data", verbosity=0)
    latest = Campaign.objects.filter(program__code="jinshui").order_by("-opens_at").first()
    Campaign.objects.create(program=latest.program, name="2030年度", year=2030, data_years=[2027, 2028, 2029],
                            opens_at=latest.opens_at, application_deadline=latest.application_deadline,
                            recommendation_deadline=latest.recommendation_deadline)
    assert Campaign.objects.filter(program__code="jinshui").count() == 3
