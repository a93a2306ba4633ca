"""Insights beyond a single application: campaign statistics with charts, the calibration of experts
against their panels, and each organization's history across programs and campaigns. Reads only
(``selectors``), drawn as inline SVG (``charts``) and exported to Excel (``exports``)."""
