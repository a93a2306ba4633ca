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

