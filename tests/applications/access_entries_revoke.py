"""Access entries after a revocation (kinds: see test_access.py): the secretariat records what is taken back and
the sanctions on the award page (readers of the award get 403, everyone else 404); the program's revocation
notices are public. tests/review/awards/test_revocation.py covers the content."""

AWARD_READERS = {"owner", "colleague", "secretariat", "supervisor", "committee", "admin"}


def _award(w, a):
    from review.awards.models import Award

    return Award.objects.get(application=a)


def _revoked_with_recovery(w, a):
    """The matrix's award (the cultivation program) revoked for fraud, its profile naming the certificate and the
    revocation notice for that ground (each test runs in a savepoint: nothing stays)."""
    from applications.models import RuleProfile
    from review.awards import services
    from qualityaward.accounts.services import Actor

    RuleProfile.objects.filter(program=a.campaign.program).update(recovers_certificate_grounds="fraud",
                                                                 revocation_notice_grounds="fraud")
    if a.state == "awarded":
        services.revoke(application=a, actor=Actor(user=w.secretariat), ground="fraud", reason="弄虚作假。")


def _with_sanctions(w, a):
    from applications.models import RuleProfile

    RuleProfile.objects.filter(program=a.campaign.program).update(sanction_kinds="warning,circular")


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _revoked_award(w, a):
    _revoked_with_recovery(w, a)
    return [a.campaign.program.code, _award(w, a).pk]


ENTRIES = {
    "review:award_recover": {"kind": "post", "app": "awarded", "args": lambda w, a: [_award(w, a).pk],
                             "setup": _revoked_with_recovery, "actors": {"secretariat"},
                             "data": lambda w, a: {"item": "certificate", "recovered_on": _today()},
                             "sees_object": AWARD_READERS},
    "review:award_sanction": {"kind": "post", "app": "awarded", "args": lambda w, a: [_award(w, a).pk],
                              "setup": _with_sanctions, "actors": {"secretariat"},
                              "data": lambda w, a: {"kind": "warning", "reason": "用户投诉查实。",
                                                    "decided_on": _today()},
                              "sees_object": AWARD_READERS},
    "publicity:revocations": {"kind": "public", "app": "awarded", "args": lambda w, a: [_revoked_award(w, a)[0]]},
    "publicity:revocation": {"kind": "public", "app": "awarded", "args": lambda w, a: _revoked_award(w, a)},
}
