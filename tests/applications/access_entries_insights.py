"""Statistics, expert calibration and organization history URLs (insights namespace; content in
tests/review/insights/test_insights.py): statistics to the program's secretariat and supervisors, the
calibration to its secretariat, an organization's history to its members and the secretariat of programs it
submitted to; everyone else 403/404."""

ENTRIES = {
    "insights:statistics": {"kind": "get", "app": None, "args": lambda w, a: [],
                            "allowed": {"secretariat", "secretariat_other", "supervisor"}},
    "insights:statistics_xlsx": {"kind": "get", "app": None, "args": lambda w, a: [w.campaign.pk],
                                 "allowed": {"secretariat", "supervisor"}},
    "insights:calibration": {"kind": "get", "app": None, "args": lambda w, a: [],
                             "allowed": {"secretariat", "secretariat_other"}},
    "insights:calibration_xlsx": {"kind": "get", "app": None, "args": lambda w, a: [w.cultivation.pk],
                                  "allowed": {"secretariat"}},
    "insights:organizations": {"kind": "login"},  # the user's own organizations, or those of its programs
    "insights:organization": {"kind": "get", "app": None, "args": lambda w, a: [w.org.pk],
                              "allowed": {"owner", "colleague", "secretariat"}},
    "insights:organization_xlsx": {"kind": "get", "app": None, "args": lambda w, a: [w.org.pk],
                                   "allowed": {"owner", "colleague", "secretariat"}},
}
