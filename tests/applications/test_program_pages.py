"""Program and campaign pages: both deadlines (the applicant's and the bureau's) and the secretariat's
contacts — from the document where it prints them (000, 003), else marked as the secretariat's to fill."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_program_page_shows_both_deadlines_and_the_documents_contacts(client, world):
    body = client.get(reverse("applications:program_detail", args=[world.cultivation.code])).content.decode()
    assert "申报人提交截止 2024-10-31 23:59" in body and "推荐截止 2024-11-20 23:59（推荐单位报送）" in body
    contacts = body[body.index('id="contacts"'):]
    for text in ("尹作飞 付鑫", "0371-65566860 65569028", "hnsszzljsb@163.com", "出处：豫质强办〔2024〕12号通知"):
        assert text in contacts
    assert contacts.count("（秘书处尚未填写）") == 2  # 000 prints no address or postcode


def test_a_program_whose_document_gives_no_phone_says_the_secretariat_fills_it(client, world):
    body = client.get(reverse("applications:program_detail", args=[world.xixian.code])).content.decode()
    contacts = body[body.index('id="contacts"'):]
    assert "息县市场监督管理局" in contacts and "（秘书处尚未填写）" in contacts
    world.xixian.contact_phone = "0376-1234567"
    world.xixian.save()
    body = client.get(reverse("applications:program_detail", args=[world.xixian.code])).content.decode()
    assert "0376-1234567" in body[body.index('id="contacts"'):]


def test_the_new_application_page_shows_the_campaigns_deadlines_and_contacts(client, world):
    client.force_login(world.owner)
    body = client.get(reverse("applications:create", args=[world.campaign.pk])).content.decode()
    assert "申报人提交截止：" in body and "推荐截止：" in body and "尹作飞 付鑫" in body


def test_the_dashboard_link_names_both_deadlines(client, world):
    client.force_login(world.owner)
    body = client.get(reverse("dashboard")).content.decode()
    assert "申报人提交截止 2027-03-31，推荐截止 2027-04-30" in body


def test_the_benchmark_page_names_its_recommenders_the_list_the_filing_and_the_commitment(client, world):
    """全国质量标杆 通知抬头、二（四）、三 and 附件3, as the public reads them; 000 shows none of it."""
    body = client.get(reverse("applications:program_detail", args=["quality-benchmark"])).content.decode()
    assert "29 个（各自推荐，名额各自计算）" in body and "巩义市工业和信息化主管部门" in body
    assert "郑州航空港经济综合实验区经济发展局" in body and "中国电子质量管理协会" in body
    assert "应向当地工信部门、省工业和信息化厅报备" in body
    assert "须从历年河南省质量标杆（含当年向省工业和信息化厅推荐的质量标杆）中推荐" in body
    assert "积极参与相关的分享交流活动" in body
    body = client.get(reverse("applications:program_detail", args=["henan-cultivation"])).content.decode()
    assert "其他推荐单位" not in body and "申报单位承诺" not in body
