"""The expert pool and panels: experts with specialties and declared ties, Excel import and export,
witnessed random draws and replacements, seats, recusals and the pledge each seated expert signs; the
panel relationship and recusal veto for access (``rules``)."""
