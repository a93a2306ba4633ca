"""Objection URLs (publicity namespace). The public form and receipt are public; the register is a
login page that lists only the user's programs as secretariat or supervisor. The objection pages,
its files, the secretariat's actions, the export and the applicant's reply follow their own kinds,
asserted person by person in tests/publicity/objections/test_objections_access.py:

* "objection-staff": 200 to the program's secretariat and supervisors, 404 to everyone else (the
  applicant included: who objected is never shown to it);
* "objection-staff-post": the secretariat acts, supervisors get 403, everyone else 404;
* "objection-export": the program's secretariat only (403 to everyone else signed in);
* "objection-applicant-post": the applicant answers a request addressed to it; everyone else 404.
"""
import datetime as dt

from django.core import signing
from django.utils import timezone


def _notice(w, a):
    from publicity.notices.models import Notice, NoticeItem

    notice = Notice.objects.filter(campaign=a.campaign, items__application=a).first()
    if notice is None:
        now = timezone.now()
        notice = Notice.objects.create(
            campaign=a.campaign, kind=Notice.Kind.ACCEPTANCE, title="受理名单公示（访问测试）", issuer="秘书处",
            window_length=5, opens_at=now - dt.timedelta(days=1), last_day=(now + dt.timedelta(days=5)).date(),
            closes_at=now + dt.timedelta(days=6), status=Notice.Status.DRAFT)
        NoticeItem.objects.create(notice=notice, application=a, position=1, name=a.applicant_name)
        Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.OPEN)  # lines are frozen once open
    return notice


def _objection(w, a):
    from publicity.objections.models import Objection

    notice = _notice(w, a)
    objection = Objection.objects.filter(notice=notice).first()
    if objection is None:
        now = timezone.now()
        objection = Objection.objects.create(
            receipt_number="PY-YY2026-9001", notice=notice, item=notice.items.get(), application=a,
            objector_kind="individual", objector_name="访问测试异议人", phone="13800138000", address="郑州市",
            signature="访问测试异议人", pledged=True, grounds="访问测试的异议事由。", received_at=now,
            received_on=timezone.localdate())
    return objection


def _receipt_token(w, a):
    return signing.dumps(_objection(w, a).pk, salt="publicity.objection-receipt")


def _file(w, a):
    from django.core.files.base import ContentFile

    from publicity.objections.models import ObjectionFile

    objection = _objection(w, a)
    row = ObjectionFile.objects.filter(objection=objection).first()
    if row is None:
        row = ObjectionFile(objection=objection, kind=ObjectionFile.Kind.EVIDENCE, original_name="证据.pdf",
                            content_type="application/pdf", size=13, sha256="0" * 64)
        row.file.save("evidence.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        row.save()
    return row


def _request(w, a):
    from publicity.objections import services
    from qualityaward.accounts.services import Actor

    objection = _objection(w, a)
    return services.send_request(objection=objection, grounds="有人对公示的质量数据提出异议。", question="请说明情况。",
                                 reply_by=None, actor=Actor(user=w.secretariat))


def _decided(w, a):
    from publicity.objections import services
    from qualityaward.accounts.services import Actor

    objection = _objection(w, a)
    services.decide(objection=objection, decision="unfounded", finding="经核查，数据有据可查。",
                    answer_text="经核查，异议不成立。", actor=Actor(user=w.secretariat))
    return objection


STAFF = {"secretariat", "supervisor"}

ENTRIES = {
    "publicity:objection_new": {"kind": "public", "args": lambda w, a: [_notice(w, a).pk]},
    "publicity:objection_receipt": {"kind": "public", "args": lambda w, a: [_receipt_token(w, a)]},
    "publicity:objection_list": {"kind": "login"},
    # every secretariat exports its own programs' register (the 息县 one an empty one); everyone else 403
    "publicity:objection_export": {"kind": "get", "app": None, "args": lambda w, a: [],
                                   "allowed": {"secretariat", "secretariat_other"}},
    "publicity:objection_detail": {"kind": "get", "args": lambda w, a: [_objection(w, a).pk],
                                   "allowed": STAFF},
    "publicity:objection_file": {"kind": "get", "args": lambda w, a: [_file(w, a).pk],
                                 "allowed": STAFF},
    "publicity:objection_answer_print": {"kind": "get", "args": lambda w, a: [_decided(w, a).pk],
                                         "allowed": STAFF},
    "publicity:objection_note": {"kind": "post", "args": lambda w, a: [_objection(w, a).pk],
                                 "actors": {"secretariat"}, "data": lambda w, a: {"text": "已电话联系异议人。"}},
    "publicity:objection_request": {"kind": "post", "args": lambda w, a: [_objection(w, a).pk],
                                    "actors": {"secretariat"},
                                    "data": lambda w, a: {"grounds": "对公示的质量数据有异议。", "question": "请申报单位说明情况。"}},
    "publicity:objection_decide": {"kind": "post", "args": lambda w, a: [_objection(w, a).pk],
                                   "actors": {"secretariat"},
                                   "data": lambda w, a: {"decision": "unfounded", "finding": "经核查，数据有据可查。",
                                                         "answer_text": "经核查，异议不成立。", "confirm": "on"}},
    # a backfill follows an upheld objection only: the secretariat reaches it, the guard refuses before
    "publicity:objection_backfill": {"kind": "post", "args": lambda w, a: [_objection(w, a).pk],
                                     "actors": {"secretariat"}, "reaches": True,
                                     "data": lambda w, a: {"note": "由下一名递补。"}},
    "publicity:objection_reply": {"kind": "post", "args": lambda w, a: [_request(w, a).pk],
                                  "actors": {"owner", "colleague"},
                                  "data": lambda w, a: {"reply_text": "情况说明：相关数据均有据可查。"}},
}
