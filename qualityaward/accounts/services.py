"""Writes of the accounts app: the audit trail and role grants."""
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent, RoleAssignment


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where. ``user`` is None for the system (scheduled jobs)."""

    user: object = None
    ip: str | None = None

    @classmethod
    def from_request(cls, request):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
        return cls(user=request.user if request.user.is_authenticated else None, ip=ip or None)

    @property
    def label(self):
        return str(self.user) if self.user else "系统"


SYSTEM = Actor()


def record_event(*, actor, action, target=None, from_state="", to_state="", reason="", data=None):
    """Append one audit event. Call it inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label[:80],
        action=action,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        ip=actor.ip,
        data=data or {},
    )


def grant_role(*, user, role, program=None, region=None, unit_name=""):
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, program=program, region=region, defaults={"unit_name": unit_name}
    )
    return assignment
