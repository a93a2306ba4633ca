"""Objections (异议) to an open notice: real-name submission with evidence, the secretariat's register with
notes, requests to the applicant and the decision with its written answer, deadlines in working days and
their reminders (``tasks``)."""
