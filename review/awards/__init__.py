"""Awards after the committee: the award record (prize, validity, certificate number), revocation and the
ban it carries, and the winners' annual self-assessment reports with their reminders (``tasks``)."""
