"""The secretariat's eligibility review (资格审核): automatic checks (a registry other packages add to),
the exclusion checklist, decision guards and acceptance lists (``services``), with their pages and
Excel exports (``views``, ``export_views``)."""
