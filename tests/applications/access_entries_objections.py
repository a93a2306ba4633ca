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


ENTRIES = {
    "publicity:objection_new": {"kind": "public", "args": lambda w, a: [_notice(w, a).pk]},
    "publicity:objection_receipt": {"kind": "public", "args": lambda w, a: [_receipt_token(w, a)]},
    "publicity:objection_list": {"kind": "login"},
    "publicity:objection_export": {"kind": "objection-export"},
    "publicity:objection_detail": {"kind": "objection-staff", "args": lambda w, a: [_objection(w, a).pk]},
    "publicity:objection_file": {"kind": "objection-staff", "args": lambda w, a: [0]},
    "publicity:objection_answer_print": {"kind": "objection-staff", "args": lambda w, a: [_objection(w, a).pk]},
    "publicity:objection_note": {"kind": "objection-staff-post", "args": lambda w, a: [_objection(w, a).pk]},
    "publicity:objection_request": {"kind": "objection-staff-post", "args": lambda w, a: [_objection(w, a).pk]},
    "publicity:objection_decide": {"kind": "objection-staff-post", "args": lambda w, a: [_objection(w, a).pk]},
    "publicity:objection_backfill": {"kind": "objection-staff-post", "args": lambda w, a: [_objection(w, a).pk]},
    "publicity:objection_reply": {"kind": "objection-applicant-post", "args": lambda w, a: [0]},
}
