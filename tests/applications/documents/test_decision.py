"""A campaign's decision (表彰决定/入库决定) in GB/T 9704 layout: awarded applications grouped by tier,
printed for the program's secretariat (and read by supervisors), nobody else."""

import pytest
from django.urls import reverse

from applications.documents import prints
from applications import workflow
from applications.models import AwardTier, State
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor

from pdf_support import in_order, pdf_pages

PEOPLE = ["owner", "colleague", "stranger", "authority", "authority_other_city", "authority_other_program",
          "secretariat", "secretariat_other", "supervisor", "committee", "expert", "recused_expert",
          "reserve_expert", "grantee", "recused_grantee", "admin"]
READERS = {"secretariat", "supervisor"}






@pytest.fixture
def outcome(world, drive):
    """Two tiers on the cultivation program (a tier is data); three awarded, one still proposed."""
    profile = world.cultivation.profile
    first = profile.tiers.order_by("order").first()
    second = AwardTier.objects.create(profile=profile, code="cultivation-key", name="重点培育对象", order=first.order + 1)
    awarded = [drive(world.new_app(name=n), State.AWARDED) for n in ("郑州乙公司", "郑州甲公司")]
    key = drive(world.new_app(name="郑州重点公司"), State.PROPOSED)
    workflow.perform(application=key, name="award", actor=Actor(user=world.secretariat), tier=second)
    proposed = drive(world.new_app(name="郑州拟入库公司"), State.PROPOSED)
    return {"first": first, "second": second, "awarded": awarded, "key": key, "proposed": proposed}


def test_the_decision_lists_awarded_applications_by_tier_in_gbt9704_order(client, world, outcome):
    client.force_login(world.secretariat)
    response = client.get(reverse("applications:decision", args=[world.campaign.pk]), {
        "format": "pdf", "doc_number": "豫质强办〔2026〕3号", "signed_on": "2026-05-20",
        "copy_to": "省市场监督管理局，各省辖市人民政府"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    text = "".join(pages)
    first, second = outcome["first"].name, outcome["second"].name
    in_order(text, [
        "河南省质量强省战略工作领导小组办公室文件", "豫质强办〔2026〕3号",
        "关于2026年度河南省省长质量奖培育入库名单的决定",
        "豫质强办〔2024〕12号", "纳入以下3个",
        f"一、{first}（2个）", "郑州乙公司（郑州市）", "郑州甲公司（郑州市）",
        f"二、{second}（1个）", "郑州重点公司（郑州市）",
        "河南省质量强省战略工作领导小组办公室", "2026年5月20日",
        "抄送：省市场监督管理局，各省辖市人民政府", "2026年5月20日印发",
    ])
    assert "郑州拟入库公司" not in text  # proposed, not awarded
    assert "—1—" in pages[0]  # GB/T 9704 page number
    assert AuditEvent.objects.filter(action="print:decision", actor=world.secretariat).exists()


def test_the_decision_page_shows_the_list_and_the_form(client, world, outcome):
    client.force_login(world.secretariat)
    body = client.get(reverse("applications:decision", args=[world.campaign.pk])).content.decode()
    assert "发文字号" in body and "成文日期" in body and "郑州重点公司" in body and "郑州拟入库公司" not in body
    # each awarded application's certificate, for the secretariat to print and hand out
    from applications.models import GeneratedDocument

    for doc in GeneratedDocument.objects.filter(kind="certificate", application__in=outcome["awarded"]):
        assert reverse("applications:document_status", args=[doc.pk]) in body
    eligibility = client.get(reverse("review:eligibility_list")).content.decode()
    assert reverse("applications:decision", args=[world.campaign.pk]) in eligibility


def test_a_bad_date_is_a_clear_message_and_no_pdf(client, world, outcome):
    client.force_login(world.secretariat)
    response = client.get(reverse("applications:decision", args=[world.campaign.pk]),
                          {"format": "pdf", "signed_on": "2026-13-45"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "成文日期“2026-13-45”无法识别" in response.content.decode()


def test_only_the_programs_secretariat_and_supervisors_open_the_decision(client, world, outcome):
    url = reverse("applications:decision", args=[world.campaign.pk])
    assert client.get(url).status_code == 302
    for name in PEOPLE:
        client.force_login(getattr(world, name))
        response = client.get(url)
        assert response.status_code == (200 if name in READERS else 404), name
        if name not in READERS:
            assert "郑州重点公司" not in response.content.decode()
    assert client.get(reverse("applications:decision", args=[99999])).status_code == 404


def test_the_wording_follows_the_programs_outcome(world):
    xixian = prints.decision_context(campaign=world.xixian_campaign)
    assert xixian["title"] == f"关于{world.xixian_campaign.name}息县县长质量奖获奖名单的决定"
    assert xixian["issuer"] == "息县县长质量奖评审委员会" and xixian["mark"] == "息县县长质量奖评审委员会文件"
    benchmark = prints.decision_context(campaign=world.benchmark_campaign)
    assert benchmark["words"]["verb"] == "推荐" and benchmark["issuer"] == "河南省工业和信息化厅"
    assert benchmark["mark_size"] <= 30 and prints.decision_context(campaign=world.campaign)["mark_size"] < 25


def test_the_decision_names_only_the_steps_that_were_held(world, outcome):
    """The cultivation program's awarded applications went through the bureau, the eligibility review, the
    acceptance publicity, the expert evaluation and the 入库 publicity (000 五（三）–（五）); no on-site review, no
    committee and no 陈述答辩 — so none of these is printed."""
    stages = prints.decision_context(campaign=world.campaign)["stages"]
    assert stages == "申报、推荐、资格审核、受理公示、材料评审、社会公示"
    # no 息县 application has reached its 陈述答辩 (第十八条) here and nothing is awarded yet: nothing held, nothing printed
    xixian = prints.decision_context(campaign=world.xixian_campaign)["stages"]
    assert "陈述答辩" not in xixian and "推荐" not in xixian


def test_xixian_10_a_recused_member_sees_the_place_not_the_name_and_leaves_the_print_to_a_colleague(
        client, world, outcome):
    """息县 第十条, 巩义 第十八条: whoever stepped aside from an awarded application sees its number in the list as
    "（已回避）" and cannot print the decision, which must name it; a colleague can."""
    from conformance_support import make_user
    from qualityaward.accounts.models import Role
    from review.panels.models import Recusal

    Recusal.objects.create(application=outcome["awarded"][0], user=world.secretariat, kind="secretariat",
                           reason="近亲属在申报单位任职")
    colleague = make_user("secretariat_b", (Role.SECRETARIAT, {"program": world.cultivation}))
    url = reverse("applications:decision", args=[world.campaign.pk])
    client.force_login(world.secretariat)
    body = client.get(url).content.decode()
    assert "郑州乙公司" not in body and "（已回避）" in body and "郑州甲公司" in body
    response = client.get(url, {"format": "pdf", "doc_number": "豫质强办〔2026〕3号"})
    assert response.status_code == 400 and "请由本奖项其他工作人员生成" in response.content.decode()
    assert "郑州乙公司" not in response.content.decode()
    client.force_login(colleague)
    assert "郑州乙公司" in client.get(url).content.decode()
    response = client.get(url, {"format": "pdf", "doc_number": "豫质强办〔2026〕3号"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
