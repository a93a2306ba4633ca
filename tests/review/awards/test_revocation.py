"""After a revocation: the revocation window on each ground (息县 第三十四条), what is taken back and what is still
outstanding (息县 第三十三、三十四条, 巩义 第二十五条, 金水 第二十三条), the public revocation notice, and the sanctions
a program's document allows against a holder (金水 第二十四条 警告、通报)."""
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from applications import workflow
from applications.models import State
from qualityaward.accounts.models import AuditEvent
from qualityaward.accounts.services import Actor
from review.awards import services as svc
from review.awards.models import Award, Recovery, Sanction

from procedure_support import awarded

SECRET = "工艺参数与客户名单（商业秘密）"


def revoked(c, name, ground, *, reference="", days_ago=0, **kw):
    app = awarded(c, name, **kw)
    if days_ago:
        Award.objects.filter(application=app).update(decided_on=timezone.localdate() - timedelta(days=days_ago))
    svc.revoke(application=app, actor=Actor(user=c.secretariat), ground=ground,
               reason=f"经查实：{SECRET}存在问题。", reference=reference)
    return Award.objects.get(application=app)


# --- the window (息县 第三十四条; 巩义 第二十五条（二）) ---------------------------------------------------------------
def test_xixian_34_the_three_year_window_covers_serious_violations_as_well_as_incidents(committee_of):
    """第三十四条: 自获奖之日起 3 年内发生重大事故，或者存在严重违法、违规、违纪情形的 … 撤销 — no ban (only 第三十三条
    bans, for 5 years); fraud (第三十三条) has no time limit."""
    c = committee_of("xixian")
    old = awarded(c, "息县四年前获奖公司")
    Award.objects.filter(application=old).update(decided_on=timezone.localdate() - timedelta(days=365 * 3 + 5))
    for ground in (Award.Ground.INCIDENT, Award.Ground.VIOLATION):
        with pytest.raises(workflow.GuardFailed, match=f"“{Award.Ground(ground).label}”须在获奖后 3 年内.*已超过期限"):
            svc.revoke(application=old, actor=Actor(user=c.secretariat), ground=ground, reason="查实。")
    assert Award.objects.get(application=old).revoked_on is None
    svc.revoke(application=old, actor=Actor(user=c.secretariat), ground=Award.Ground.FRAUD, reason="以不正当手段获奖。")
    assert Award.objects.get(application=old).ban_until == timezone.localdate().replace(
        year=timezone.localdate().year + 5)

    recent = revoked(c, "息县两年前获奖公司", Award.Ground.VIOLATION, days_ago=365 * 2)
    assert recent.is_revoked and recent.ban_until is None


def test_gongyi_25_only_the_incident_is_bound_to_the_validity(committee_of):
    """巩义 第二十五条（二） 在获奖有效期内发生…较大责任事故; （三）（四） name no time: a violation found later still revokes."""
    c = committee_of("gongyi")
    app = awarded(c, "巩义五年前获奖公司")
    Award.objects.filter(application=app).update(decided_on=timezone.localdate() - timedelta(days=365 * 4 + 10))
    with pytest.raises(workflow.GuardFailed, match="已超过期限"):
        svc.revoke(application=app, actor=Actor(user=c.secretariat), ground=Award.Ground.INCIDENT, reason="事故。")
    svc.revoke(application=app, actor=Actor(user=c.secretariat), ground=Award.Ground.VIOLATION, reason="违法。")
    assert Award.objects.get(application=app).ban_until is not None  # 4 年内不得再次申报, every ground


# --- what is taken back --------------------------------------------------------------------------------------------
def test_xixian_33_fraud_takes_back_certificate_plaque_and_prize_money_recorded_and_outstanding(committee_of):
    """第三十三条 收回证书、奖牌和奖金: each a dated record by the secretariat; the money may come back in parts and
    never more than was paid; what is still outstanding is shown."""
    c = committee_of("xixian")
    award = revoked(c, "息县骗奖公司", Award.Ground.FRAUD)
    sec = Actor(user=c.secretariat)
    lines = svc.recovery_lines(award)
    assert [(line.label, line.done) for line in lines] == [("证书", False), ("奖牌", False), ("奖金", False)]
    assert lines[2].outstanding == Decimal("200000.00")
    today = timezone.localdate()

    svc.record_recovery(award=award, actor=sec, item="certificate", recovered_on=today, note="由办公室主任交回")
    svc.record_recovery(award=award, actor=sec, item="prize", recovered_on=today, amount="150,000")
    for kwargs, message in [
        ({"item": "certificate"}, "证书已于"),
        ({"item": "prize", "amount": "60000"}, "超过尚未追回的 50,000.00 元"),
        ({"item": "prize", "amount": "-5"}, "请填写追回的金额"),
        ({"item": "prize", "amount": "一万"}, "请填写追回的金额"),
        ({"item": "prize", "amount": "10.005"}, "最多两位小数"),
        ({"item": "trophy", "recovered_on": today + timedelta(days=1)}, "不能晚于今天"),
        ({"item": "trophy", "recovered_on": today - timedelta(days=1)}, "不能早于撤销日期"),
        ({"item": "trophy", "recovered_on": "昨天"}, "年-月-日"),
        ({"item": "medal"}, "规定收回的是：证书、奖牌、奖金"),
    ]:
        with pytest.raises(ValidationError, match=message):
            svc.record_recovery(award=award, actor=sec, **{"recovered_on": today, **kwargs})
    with pytest.raises(PermissionDenied):
        svc.record_recovery(award=award, actor=Actor(user=award.application.owner), item="trophy", recovered_on=today)
    assert Recovery.objects.filter(award=award).count() == 2
    lines = svc.recovery_lines(award)
    assert [(line.label, line.done) for line in lines] == [("证书", True), ("奖牌", False), ("奖金", False)]
    assert lines[2].outstanding == Decimal("50000.00")
    svc.record_recovery(award=award, actor=sec, item="prize", recovered_on=today, amount="50000")
    assert svc.recovery_lines(award)[2].done
    events = AuditEvent.objects.filter(action="award:recovery", object_id=str(award.application_id))
    assert events.count() == 3 and {e.actor_id for e in events} == {c.secretariat.pk}


def test_xixian_34_takes_back_certificate_and_plaque_but_not_the_money(committee_of):
    """第三十四条 收回证书、奖牌 (no money, unlike 第三十三条)."""
    c = committee_of("xixian")
    award = revoked(c, "息县事故公司", Award.Ground.INCIDENT)
    assert [line.label for line in svc.recovery_lines(award)] == ["证书", "奖牌"]
    with pytest.raises(ValidationError, match="规定收回的是：证书、奖牌。"):
        svc.record_recovery(award=award, actor=Actor(user=c.secretariat), item="prize",
                            recovered_on=timezone.localdate(), amount="1000")


def test_gongyi_25_and_jinshui_23_name_the_trophy_their_own_way(committee_of):
    """巩义 第二十五条 收回证书和奖杯、追缴奖金 on every ground; 金水 第二十三条 (fraud) 收回奖牌（奖杯）、证书，追缴奖金,
    while a revocation under 第二十四条 (情节严重的撤销其荣誉称号) names nothing to take back."""
    gongyi = committee_of("gongyi")
    award = revoked(gongyi, "巩义撤销公司", Award.Ground.VIOLATION)
    assert [line.label for line in svc.recovery_lines(award)] == ["证书", "奖杯", "奖金"]
    jinshui = committee_of("jinshui")
    fraud = revoked(jinshui, "金水骗奖公司", Award.Ground.FRAUD)
    assert [line.label for line in svc.recovery_lines(fraud)] == ["证书", "奖牌（奖杯）", "奖金"]
    serious = revoked(jinshui, "金水严重事故公司", Award.Ground.INCIDENT)
    assert svc.recovery_lines(serious) == []
    with pytest.raises(ValidationError, match="规定收回的是：无"):
        svc.record_recovery(award=serious, actor=Actor(user=jinshui.secretariat), item="certificate",
                            recovered_on=timezone.localdate())


def test_the_award_page_shows_what_is_outstanding_and_refuses_bad_input_unchanged(client, committee_of):
    c = committee_of("xixian")
    award = revoked(c, "息县页面公司", Award.Ground.FRAUD)
    client.force_login(c.secretariat)
    url = reverse("review:award_detail", args=[award.pk])
    page = client.get(url).content.decode()
    assert "撤销后收回" in page and "尚欠 200000.00 元" in page and page.count("未收回") >= 2
    response = client.post(reverse("review:award_recover", args=[award.pk]),
                           {"item": "prize", "recovered_on": timezone.localdate().isoformat(), "amount": "999999"})
    assert response.status_code == 400 and "超过尚未追回" in response.content.decode()
    assert not Recovery.objects.filter(award=award).exists()
    response = client.post(reverse("review:award_recover", args=[award.pk]),
                           {"item": "trophy", "recovered_on": timezone.localdate().isoformat()}, follow=True)
    assert "已登记：奖牌已收回" in response.content.decode()
    client.force_login(award.application.owner)  # the holder reads the record, cannot write it
    page = client.get(url).content.decode()
    assert "撤销后收回" in page and "登记收回" not in page
    assert client.post(reverse("review:award_recover", args=[award.pk]),
                       {"item": "certificate", "recovered_on": timezone.localdate().isoformat()}).status_code == 403
    assert Recovery.objects.filter(award=award).count() == 1


# --- the public notice --------------------------------------------------------------------------------------------
def test_a_revocation_is_announced_on_the_programs_public_page_without_its_reasons(client, committee_of):
    """息县 第三十三条 …并向社会公开: the public page (no login) names the holder, the award, the ground, the approval, what
    is taken back and the ban — never the secretariat's written reason. Unrevoked awards, programs whose document
    publishes nothing and revocations the document does not publish (金水 第二十四条) are 404."""
    c = committee_of("xixian")
    award = revoked(c, "息县公告公司", Award.Ground.FRAUD, reference="息政文〔2027〕9号")
    board = client.get(reverse("publicity:index")).content.decode()
    assert reverse("publicity:revocations", args=["xixian"]) in board
    rules = client.get(reverse("applications:program_detail", args=["xixian"])).content.decode()
    assert reverse("publicity:revocations", args=["xixian"]) in rules
    listing = client.get(reverse("publicity:revocations", args=["xixian"])).content.decode()
    assert "关于撤销息县公告公司县长质量奖称号的公告" in listing
    page = client.get(reverse("publicity:revocation", args=["xixian", award.pk])).content.decode()
    assert "以欺骗、贿赂等不正当手段获奖" in page and "息政文〔2027〕9号" in page
    assert "收回证书、奖牌、奖金" in page and award.certificate_number in page
    assert f"{award.ban_until:%Y年%m月%d日} 前不得再次申报" in page
    assert SECRET not in page and SECRET not in listing

    standing = awarded(c, "息县有效获奖公司").award
    assert client.get(reverse("publicity:revocation", args=["xixian", standing.pk])).status_code == 404
    assert client.get(reverse("publicity:revocation", args=["gongyi", award.pk])).status_code == 404
    assert client.get(reverse("publicity:revocations", args=["henan-cultivation"])).status_code == 404
    jinshui = committee_of("jinshui")
    quiet = revoked(jinshui, "金水情节严重公司", Award.Ground.INCIDENT)
    exposed = revoked(jinshui, "金水骗奖曝光公司", Award.Ground.FRAUD)
    listing = client.get(reverse("publicity:revocations", args=["jinshui"])).content.decode()
    assert "金水骗奖曝光公司" in listing and "金水情节严重公司" not in listing
    assert client.get(reverse("publicity:revocation", args=["jinshui", quiet.pk])).status_code == 404
    assert client.get(reverse("publicity:revocation", args=["jinshui", exposed.pk])).status_code == 200


# --- sanctions (金水 第二十四条) -------------------------------------------------------------------------------------
def test_jinshui_24_warning_and_circular_recorded_within_the_validity(client, committee_of):
    """在区长质量奖有效时限内，出现用户或消费者投诉、重大质量事故、国家或省、市级监督抽查不合格等情况的单位，经区政府
    批准，分别给予警告、通报处理: recorded by the secretariat (kind from the profile, reason, date, approval), audited,
    on the award page and in the organization's history; its members read it there."""
    c = committee_of("jinshui")
    award = awarded(c, "金水被警告公司", decided_on=timezone.localdate() - timedelta(days=400)).award
    sec = Actor(user=c.secretariat)
    today = timezone.localdate()
    for kwargs, message in [
        ({"kind": "fine"}, "请选择处理：警告、通报"),
        ({"reason": " "}, "请写明事由"),
        ({"decided_on": today + timedelta(days=1)}, "不能晚于今天"),
        ({"decided_on": award.decided_on - timedelta(days=1)}, "不能早于授奖日期"),
    ]:
        with pytest.raises(ValidationError, match=message):
            svc.record_sanction(award=award, actor=sec, **{"kind": "warning", "reason": "消费者投诉查实。",
                                                           "decided_on": today, **kwargs})
    with pytest.raises(PermissionDenied):
        svc.record_sanction(award=award, actor=Actor(user=award.application.owner), kind="warning", reason="投诉。",
                            decided_on=today)
    assert not Sanction.objects.exists()
    svc.record_sanction(award=award, actor=sec, kind="warning", reason="2027 年市级监督抽查不合格。",
                        decided_on=today, approval_reference="区政府第8次常务会议")
    assert AuditEvent.objects.filter(action="award:sanction", object_id=str(award.application_id)).count() == 1

    client.force_login(c.secretariat)
    page = client.get(reverse("review:award_detail", args=[award.pk])).content.decode()
    assert "2027 年市级监督抽查不合格" in page and "区政府第8次常务会议" in page and "登记处理" in page
    response = client.post(reverse("review:award_sanction", args=[award.pk]),
                           {"kind": "circular", "reason": "", "decided_on": today.isoformat()})
    assert response.status_code == 400 and "请写明事由" in response.content.decode()
    client.force_login(award.application.owner)
    history = client.get(reverse("insights:organization", args=[award.organization_id])).content.decode()
    assert "警告：" in history and "2027 年市级监督抽查不合格" in history

    Award.objects.filter(pk=award.pk).update(valid_until=today - timedelta(days=1))
    award.refresh_from_db()
    with pytest.raises(ValidationError, match="有效时限外不能按本条给予处理"):
        svc.record_sanction(award=award, actor=sec, kind="circular", reason="投诉。", decided_on=today)

    # 第二十三条 later: revoked for fraud, money recovered — the organization's workbook lists all three
    svc.revoke(application=award.application, actor=sec, ground=Award.Ground.FRAUD, reason="弄虚作假。")
    award.refresh_from_db()
    svc.record_recovery(award=award, actor=sec, item="prize", recovered_on=today, amount="500000")
    with pytest.raises(ValidationError, match="已撤销"):
        svc.record_sanction(award=award, actor=sec, kind="circular", reason="投诉。", decided_on=today)
    response = client.get(reverse("insights:organization_xlsx", args=[award.organization_id]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[str(v) for v in row] for row in book["组织历程"].iter_rows(values_only=True)]
    assert any(row[1] == "警告" and "市级监督抽查不合格" in row[9] for row in rows)
    assert any(row[1] == "撤销后收回" and row[5] == "追回奖金 500,000.00 元" for row in rows)
    assert any(row[1] == "撤销" for row in rows)


def test_a_program_whose_document_names_no_sanction_records_none(committee_of):
    c = committee_of("xixian")
    award = awarded(c, "息县获奖公司").award
    assert svc.sanction_kinds(award) == []
    with pytest.raises(ValidationError, match="文件未规定对获奖单位的警告、通报等处理"):
        svc.record_sanction(award=award, actor=Actor(user=c.secretariat), kind="warning", reason="投诉。",
                            decided_on=timezone.localdate())
    assert award.application.state == State.AWARDED and not Sanction.objects.exists()
