"""Staff recusals (回避, 息县 第十条, 巩义 第十八条; tests/review/panels/test_recusal.py covers the content): a member
of the program's secretariat or of the region's recommending authority steps aside from an application it can
see; everyone else who sees the application is refused (403), everyone else gets 404."""

ENTRIES = {
    "review:recuse_staff": {"kind": "post", "args": lambda w, a: [a.pk], "actors": {"secretariat", "authority"},
                            "data": lambda w, a: {"reason": "近亲属在申报单位任职"}},
}
