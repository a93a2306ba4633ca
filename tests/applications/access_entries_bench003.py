"""Access entries for the candidate list of 全国质量标杆 (通知三 历年河南省质量标杆): only the program's secretariat
views, adds, edits, deletes and imports; everyone else gets 404 and nothing changes. The matrix's 息县 secretariat
is made the benchmark's secretariat too (its other programs' entries do not touch the benchmark); the content is
covered by tests/review/prereview/test_pool.py and tests/conformance/test_quality_benchmark.py."""

KEEPER = "secretariat_other"


def _keeper(w, a=None):
    from applications.models import Program
    from qualityaward.accounts.models import Role
    from qualityaward.accounts.services import grant_role

    program = Program.objects.get(code="quality-benchmark")
    grant_role(user=w.secretariat_other, role=Role.SECRETARIAT, program=program)
    return program


def _entry(w):
    from review.prereview.models import CandidatePoolEntry

    program = _keeper(w)
    entry, _ = CandidatePoolEntry.objects.get_or_create(
        program=program, credit_code="91410100MA44TRAN0B", year=2019,
        defaults={"name": "河南省测试装备制造有限公司", "title": "实施六西格玛设计的经验"})
    return entry


def _csv(w, a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "单位名称,统一社会信用代码,认定（推荐）年度,项目（质量标杆名称）,类别\n" \
           "开封市另一家公司,91410200MA44KF0B11,2020,精益生产的经验,已认定\n"
    return {"file": SimpleUploadedFile("pool.csv", text.encode("utf-8"), "text/csv")}


CODE = lambda w, a: ["quality-benchmark"]  # noqa: E731

ENTRIES = {
    "review:pool_list": {"kind": "get", "app": None, "setup": _keeper, "args": CODE, "allowed": {KEEPER}},
    "review:pool_template": {"kind": "get", "app": None, "setup": _keeper, "args": CODE, "allowed": {KEEPER}},
    "review:pool_import": {"kind": "post", "app": None, "setup": _keeper, "args": CODE, "actors": {KEEPER},
                           "data": _csv},
    "review:pool_edit": {"kind": "get", "app": None, "setup": _keeper,
                         "args": lambda w, a: ["quality-benchmark", _entry(w).pk], "allowed": {KEEPER}},
    "review:pool_delete": {"kind": "post", "app": None, "setup": _keeper,
                           "args": lambda w, a: ["quality-benchmark", _entry(w).pk], "actors": {KEEPER},
                           "data": lambda w, a: {}},
}
