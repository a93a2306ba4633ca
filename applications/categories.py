"""The documents' categories of severity, lowest first, shared by the rule profile and the form.

事故等级 after 《生产安全事故报告和调查处理条例》 (国务院令第493号); the 情节 of a violation as the documents word
it (000 三（二）, 息县 第十三条（八）: “严重违法、违规、违纪行为”). ``RuleProfile.accident_fail_severity`` and
``violation_fail_severity`` store these keys: from that category up the document excludes outright.
"""
ACCIDENT_SEVERITIES = (("general", "一般事故"), ("larger", "较大事故"), ("major", "重大事故"),
                       ("especially_major", "特别重大事故"))
VIOLATION_SEVERITIES = (("general", "一般违法违规行为"), ("serious", "严重违法违规违纪行为"))
