"""Statistics, expert calibration and organization history URLs (insights namespace). Who gets what is
asserted person by person in tests/review/insights/test_insights.py: statistics to the program's
secretariat and supervisors, the calibration to its secretariat (supervisors 403), an organization's
history to its members and the secretariat of programs it submitted to; everyone else 404."""

ENTRIES = {
    "insights:statistics": {"kind": "insights-staff"},
    "insights:statistics_xlsx": {"kind": "insights-staff", "args": lambda w, a: [a.campaign_id]},
    "insights:calibration": {"kind": "insights-secretariat"},
    "insights:calibration_xlsx": {"kind": "insights-secretariat", "args": lambda w, a: [a.campaign.program_id]},
    "insights:organizations": {"kind": "login"},  # the user's own organizations, or those of its programs
    "insights:organization": {"kind": "insights-organization", "args": lambda w, a: [a.organization_id]},
    "insights:organization_xlsx": {"kind": "insights-organization", "args": lambda w, a: [a.organization_id]},
}
