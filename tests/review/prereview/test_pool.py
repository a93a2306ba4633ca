"""The secretariat's list of 历年河南省质量标杆 (全国质量标杆 通知三): rows checked one by one with Chinese reasons,
all or nothing, re-importing the same file changes nothing; Excel or CSV; the recommendation's check as strict as
the profile says (``required`` refuses, ``principle`` takes a written reason)."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from applications import workflow
from applications.models import State
from demo.review import complete_sample_prereview
from qualityaward.accounts.models import AuditEvent, Role
from qualityaward.accounts.services import Actor
from review.panels.services import ImportRefused
from review.prereview import pool as candidates
from review.prereview import services as prereview
from review.prereview.models import CandidatePoolEntry

pytestmark = pytest.mark.django_db
HEADER = candidates.COLUMNS
GOOD = [["河南省测试装备制造有限公司", "91410100MA44TRAN0B", "2019", "实施六西格玛设计的经验", "已认定"],
        ["开封市另一家公司", "91410200MA44KF0B11", "2020", "精益生产的经验", "当年已向省级主管部门推荐"]]


def xlsx(rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("名单.xlsx", out.getvalue())


def csv_file(rows, encoding="utf-8-sig"):
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    return SimpleUploadedFile("名单.csv", text.encode(encoding), "text/csv")


@pytest.fixture
def keeper(world):
    from conformance_support import make_user

    return make_user("pool_keeper", (Role.SECRETARIAT, {"program": world.benchmark}))


def test_an_excel_import_adds_every_row_and_importing_it_again_changes_nothing(world, keeper):
    result = candidates.import_pool(actor=Actor(user=keeper), program=world.benchmark, uploaded=xlsx(GOOD))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    again = candidates.import_pool(actor=Actor(user=keeper), program=world.benchmark, uploaded=xlsx(GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = [GOOD[0][:3] + ["实施六西格玛设计与精益生产的经验", "已认定"]]
    assert candidates.import_pool(actor=Actor(user=keeper), program=world.benchmark,
                                  uploaded=xlsx(changed)).updated == 1
    assert CandidatePoolEntry.objects.filter(program=world.benchmark).count() == 2
    entry = CandidatePoolEntry.objects.get(credit_code="91410200MA44KF0B11")
    assert entry.status == CandidatePoolEntry.Status.RECOMMENDED  # 含当年向省工业和信息化厅推荐的
    assert AuditEvent.objects.filter(action="pool:import").count() == 3


def test_a_csv_saved_by_excel_in_gb18030_imports_too(world, keeper):
    result = candidates.import_pool(actor=Actor(user=keeper), program=world.benchmark,
                                    uploaded=csv_file(GOOD, encoding="gb18030"))
    assert result.created == 2


def test_one_wrong_row_imports_nothing_and_every_problem_is_named_with_its_row(world, keeper):
    bad = [GOOD[0], ["", "91410100MA44TRAN0X", "二〇一九", "", "优秀"], GOOD[0]]
    with pytest.raises(ImportRefused) as refusal:
        candidates.import_pool(actor=Actor(user=keeper), program=world.benchmark, uploaded=xlsx(bad))
    errors = refusal.value.errors
    assert errors[0].startswith("第 3 行：单位名称必填") and "年度“二〇一九”应为四位数字" in errors[0]
    assert "类别“优秀”应为" in errors[0] and "项目（质量标杆名称）必填" in errors[0]
    assert errors[1] == "第 4 行：与第 2 行的单位和年度重复。"
    assert not CandidatePoolEntry.objects.exists()


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("名单.pdf", b"%PDF-1.4\n%%EOF"), "既不是 Excel 表格（.xlsx），也不是 CSV 文件"),
    (SimpleUploadedFile("名单.csv", b"\x00\x01binary"), "不是文本格式的 CSV 表格"),
    (csv_file([]), "没有数据行"),
])
def test_what_is_not_a_list_is_refused_with_what_to_do(world, keeper, upload, message):
    with pytest.raises(ImportRefused) as refusal:
        candidates.import_pool(actor=Actor(user=keeper), program=world.benchmark, uploaded=upload)
    assert message in refusal.value.errors[0]


def test_a_wrong_header_is_refused(world, keeper):
    with pytest.raises(ImportRefused) as refusal:
        candidates.import_pool(actor=Actor(user=keeper), program=world.benchmark,
                               uploaded=xlsx(GOOD, header=["名称", "代码", "年", "项目", "类别"]))
    assert "表头与模板不一致" in refusal.value.errors[0]


def test_the_page_lists_adds_edits_imports_and_deletes(client, world, keeper):
    client.force_login(keeper)
    url = reverse("review:pool_list", args=["quality-benchmark"])
    response = client.post(url, {"entry-name": "某公司", "entry-credit_code": "91410100MA44TRAN0X", "entry-year": "2019",
                                 "entry-title": "经验", "entry-status": "recognised"})
    assert response.status_code == 400 and "统一社会信用代码" in response.content.decode()
    assert not CandidatePoolEntry.objects.exists()
    client.post(url, {"entry-name": GOOD[0][0], "entry-credit_code": GOOD[0][1], "entry-year": "2019",
                      "entry-title": GOOD[0][3], "entry-status": "recognised"})
    entry = CandidatePoolEntry.objects.get()
    body = client.get(url).content.decode()
    assert GOOD[0][0] in body and "须从名单中筛选推荐" in body
    client.post(reverse("review:pool_edit", args=["quality-benchmark", entry.pk]), {
        "name": entry.name, "credit_code": entry.credit_code, "year": "2018", "title": entry.title,
        "status": "recognised"})
    entry.refresh_from_db()
    assert entry.year == 2018
    response = client.post(reverse("review:pool_import", args=["quality-benchmark"]),
                           {"file": csv_file([["坏行", "", "", "", ""]])})
    assert response.status_code == 400 and "第 2 行：统一社会信用代码必填" in response.content.decode()
    client.post(reverse("review:pool_import", args=["quality-benchmark"]), {"file": csv_file(GOOD)})
    assert CandidatePoolEntry.objects.count() == 3  # 2018 kept, 2019 and 2020 added
    client.post(reverse("review:pool_delete", args=["quality-benchmark", entry.pk]))
    assert not CandidatePoolEntry.objects.filter(pk=entry.pk).exists()
    template = client.get(reverse("review:pool_template", args=["quality-benchmark"])).content.decode("utf-8-sig")
    assert template.splitlines()[0] == ",".join(HEADER)
    # a program whose document names no list has no list page, not even for its secretariat
    client.force_login(world.secretariat)
    assert client.get(reverse("review:pool_list", args=["henan-cultivation"])).status_code == 404


def test_the_secretariat_finds_the_list_on_its_dashboard(client, world, keeper):
    client.force_login(keeper)
    assert reverse("review:pool_list", args=["quality-benchmark"]) in client.get(reverse("dashboard")).content.decode()


def test_where_the_list_is_a_principle_the_recommender_writes_why(world):
    """A program whose document says 原则上 (``principle``): not refused, but a written reason is asked and kept."""
    from conformance_support import make_user

    profile = world.benchmark.profile
    profile.candidate_pool_rule = "principle"
    profile.save()
    bureau = make_user("pool_zz", (Role.AUTHORITY, {"program": world.benchmark, "region": world.zhengzhou}))
    app = world.new_app(campaign=world.benchmark_campaign)
    workflow.perform(application=app, name="submit", actor=Actor(user=world.owner))
    complete_sample_prereview(application=app, actor=Actor(user=bureau))
    CandidatePoolEntry.objects.all().delete()
    with pytest.raises(workflow.GuardFailed) as refusal:
        prereview.recommend(application=app, actor=Actor(user=bureau))
    assert "请填写书面理由" in refusal.value.message
    prereview.recommend(application=app, actor=Actor(user=bureau), pool_reason="该企业2019年经验已获省级推广。")
    app.refresh_from_db()
    assert app.state == State.RECOMMENDED
    event = AuditEvent.objects.filter(action="transition:recommend", object_id=str(app.pk)).get()
    assert event.data["pool_reason"] == "该企业2019年经验已获省级推广。"


def test_nobody_but_the_programs_secretariat_keeps_the_list(world, keeper):
    from django.core.exceptions import PermissionDenied

    for user in (world.secretariat, world.authority, world.owner):
        with pytest.raises(PermissionDenied):
            candidates.save_entry(actor=Actor(user=user), program=world.benchmark,
                                  values=dict(zip(("name", "credit_code", "year", "title"), GOOD[0])))
    assert not CandidatePoolEntry.objects.exists()
