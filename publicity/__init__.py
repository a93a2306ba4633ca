"""公示与异议: public notices with their windows on the working-day calendar (``notices``, ``workdays``) and
the objections to them (``objections``); each package shaped like review's. Public pages need no login.
Imports ``applications`` and ``review``; nothing imports it back."""
