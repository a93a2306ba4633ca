"""Excel exports of the statistics and the calibration (``applications.xlsx``: streamed, formulas
neutralised): every chart's table as one sheet."""
from applications.documents.xlsx import Sheet


def _r(value, places=2):
    return round(value, places) if value is not None else None


def statistics_sheets(data):
    sheets = [Sheet(f.title, ["类别", "数量（项）"], f.rows) for f in data["figures"]]
    sheets.append(Sheet("流失原因", ["原因", "数量（项）", "流失时所处阶段"],
                        [(r["label"], r["count"], r["stages"]) for r in data["losses"]]))
    sheets += [Sheet(f.title, ["分数段", "数量（项）"], f.rows) for f in data["score_figures"]]
    sheets.append(Sheet("类目得分率分布", ["类目", "分值", "申报数", "最低（%）", "下四分位（%）", "中位数（%）", "上四分位（%）", "最高（%）"],
                        [(b["label"], b["points"], b["n"], *(_r(b[k]) for k in ("min", "q1", "median", "q3", "max")))
                         for b in data["boxes"]]))
    labels = data["funnel_labels"]
    sheets.append(Sheet("历届对比", ["届次", "申报数", *labels, "有综合得分", "平均综合得分", "综合得分中位数",
                                   "达到入围线", "入围及以后", "获奖"],
                        [(c["campaign"].name, c["applications"], *(c["funnel"].get(label, 0) for label in labels),
                          c["scored"], _r(c["mean"]), _r(c["median"]), c["above_line"], c["finalists"], c["awarded"])
                         for c in data["comparison"]]))
    names = [c.name for c in data["campaigns"]]
    sheets += [Sheet(f"历届对比-{d['title']}"[:31], ["类别", *[f"{n}（项）" for n in names]],
                     [(label, *counts) for label, counts in d["rows"]]) for d in data["distributions"]]
    return sheets


def calibration_sheets(rows, scope):
    headers = ["专家", "评分表数", "条款评分数", "平均偏差（百分点）", "整表平均偏差（分）", "偏差标准差（百分点）", "Z 分数",
               "相差超过一个分档的条款评分数", "倾向", "超过一个分档的条款（次数）"]
    return [Sheet(f"专家评分尺度（{scope}）", headers, [
        (c.name, c.sheets, c.n, _r(c.severity), _r(c.total), _r(c.spread), _r(c.z), c.outliers, c.leaning,
         "、".join(f"{code}（{n}）" for code, n in c.outlier_items)) for c in rows]),
        Sheet("分条款偏差", ["专家", "条款号", "条款评分数", "平均偏差（百分点）", "偏差标准差（百分点）", "相差超过一个分档次数"],
              ((c.name, code, i.n, _r(i.severity), _r(i.spread), i.outliers)
               for c in rows for code, i in sorted(c.items.items())))]



def _day(value):
    """A date for the workbook (datetimes in local time, as the page shows them)."""
    import datetime as dt

    from django.utils import timezone

    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def organization_sheets(data):
    """The organization's timeline as the page shows it to the reader (``data``: the page's context): one
    row per application, award, annual self-assessment report and revocation, newest first; and the
    category scores per campaign where the page shows them."""
    timeline = []
    for e in data["entries"]:
        if e["kind"] == "application":
            a = e["app"]
            shown = (e["released"] or not data["member"]) and any(s is not None for _c, s in e["categories"])
            scores = "；".join(f"{c.code} {c.name} {s:.1f}/{c.points}" for c, s in e["categories"]
                              if s is not None) if shown else ""
            timeline.append((_day(e["date"]), "申报", a.campaign.program.name, a.campaign.name, a.number or "（未编号）",
                             a.get_state_display(), a.tier.name if a.tier else "", "", "", scores))
        elif e["kind"] == "award":
            w = e["award"]
            outcome = "纳入培育库" if w.program.profile.outcome == "cultivation" else "获奖"
            detail = "；".join(x for x in (f"证书编号 {w.certificate_number}", w.decision_reference) if x)
            timeline.append((_day(w.decided_on), outcome, w.program.name, w.application.campaign.name,
                             w.application.number or "", outcome, w.tier.name if w.tier else "", w.valid_until, "",
                             detail))
            for r in w.self_assessments.all():
                timeline.append((_day(r.submitted_at), "年度自评报告", w.program.name, w.application.campaign.name,
                                 w.application.number or "", f"有效期第 {r.period} 年报告已报送",
                                 w.tier.name if w.tier else "", w.valid_until, "", ""))
        elif e["kind"] == "sanction":
            w, sanction = e["award"], e["sanction"]
            timeline.append((_day(sanction.decided_on), sanction.get_kind_display(), w.program.name,
                             w.application.campaign.name, w.application.number or "", sanction.get_kind_display(),
                             w.tier.name if w.tier else "", w.valid_until, "",
                             "；".join(x for x in (sanction.reason, sanction.approval_reference) if x)))
        else:
            w = e["award"]
            for r in w.recoveries.all():
                what = (f"追回奖金 {r.amount:,.2f} 元" if r.amount is not None else
                        f"收回{w.program.profile.trophy_label if r.item == 'trophy' else r.get_item_display()}")
                timeline.append((_day(r.recovered_on), "撤销后收回", w.program.name, w.application.campaign.name,
                                 w.application.number or "", what, w.tier.name if w.tier else "", w.valid_until,
                                 w.ban_until, r.note))
            timeline.append((_day(w.revoked_on), "撤销", w.program.name, w.application.campaign.name,
                             w.application.number or "", f"撤销（{w.get_revocation_ground_display()}）",
                             w.tier.name if w.tier else "", w.valid_until, w.ban_until, w.revocation_reason))
    timeline.sort(key=lambda row: str(row[0] or ""), reverse=True)
    sheets = [Sheet("组织历程", ["日期", "事项", "奖项", "届次", "申报编号", "状态或结果", "等级", "有效期至", "禁止申报至",
                               "说明（类目得分、证书、理由）"], timeline)]
    if data["trend"]:
        sheets.append(Sheet("各类目得分率变化", ["类目", *[f"{label}（%）" for label in data["trend_labels"]]],
                            [(name, *(_r(v, 1) for v in values)) for name, values in data["trend"]]))
    return sheets
