"""金水区区长质量奖 (金政〔2011〕106号《金水区区长质量奖评选实施细则》), walked through the services."""
from django.urls import reverse

from applications import workflow
from applications.models import Campaign, Program, State
from conformance_support import make_user, new_application, refused, step, who_may
from qualityaward.accounts.models import Region, Role


def test_14_15_the_applicant_submits_to_the_committee_office(world, client):
    """第十四条: 经所在镇、街道办事处和主管部门签署意见后，由申报单位…提交; 第十五条: 评委会办公室对申报材料进行初审
    — the opinions travel with the material; no 推荐单位 recommends."""
    program = Program.objects.get(code="jinshui")
    campaign = Campaign.objects.get(program=program, is_current=True)
    assert not program.profile.has_recommender_step
    office = make_user("js_office", (Role.SECRETARIAT, {"program": program}))
    street = make_user("js_street", (Role.AUTHORITY, {"program": program, "region": Region.objects.get(code="410105")}))
    app = new_application(world, campaign, Region.objects.get(code="410105"), "金水测试科技有限公司", "JNKJ0001")
    step(app, "submit", app.owner)
    assert who_may(app, "recommend", [office, street]) == set()
    assert who_may(app, "start_eligibility_review", [office, street]) == {"js_office"}
    assert refused(app, "recommend", street) is workflow.NotPermitted
    client.force_login(street)
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404
    step(app, "start_eligibility_review", office)
    assert app.state == State.ELIGIBILITY_REVIEW


def test_the_public_page_shows_only_what_the_document_says(client, seeded):
    """The 细则 sets no pass mark for the 评委会 and no weighting of material and on-site scores: the public page
    says so instead of showing the secretariat's working values as rules."""
    page = client.get(reverse("applications:program_detail", args=["jinshui"])).content.decode()
    assert "2/3" not in page and "材料 30%" not in page
    assert page.count("文件未规定") >= 2
    assert "推荐截止" not in page
