"""Public notices (公示): composed from eligible applications, scheduled, opened, closed and settled by the
beat job (``tasks``), with the e-mails to applicants (``notifications``), the printable notice (``prints``)
and the applicant's own internal publicity before applying (``internal``)."""
