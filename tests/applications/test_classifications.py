"""GB/T 4754-2017 search and the 国统字〔2017〕213号 size suggestion."""
import json
from decimal import Decimal

import pytest

from applications import classifications
from applications.classifications import (
    industry_lookup, industry_search, org_size_group, org_size_metrics, org_size_rule_text, suggest_org_size,
)


# --- the data files --------------------------------------------------------------------------
def test_the_tree_has_every_level():
    tree = json.loads(classifications.INDUSTRY_FILE.read_text(encoding="utf-8"))
    counts = [0, 0, 0, 0]

    def walk(node, depth):
        counts[depth] += 1
        for child in node["children"]:
            walk(child, depth + 1)

    for section in tree:
        walk(section, 0)
    assert counts == [20, 97, 473, 1381]


def test_every_group_in_the_mapping_has_thresholds_for_each_size():
    data = json.loads(classifications.ORG_SIZE_FILE.read_text(encoding="utf-8"))
    assert set(data["mapping"].values()) | {data["default_group"]} <= set(data["groups"])
    for key, group in data["groups"].items():
        assert list(group["bounds"]) == ["大型", "中型", "小型"], key
        metrics = {frozenset(b) for b in group["bounds"].values()}
        assert len(metrics) == 1, f"{key}: every size must use the same figures"
        for metric in next(iter(metrics)):
            assert group["bounds"]["大型"][metric] >= group["bounds"]["中型"][metric] >= group["bounds"]["小型"][metric]


# --- search ----------------------------------------------------------------------------------
def test_search_by_code_prefix():
    results = industry_search("367")
    assert [r.code for r in results] == ["3670"]
    assert results[0].name == "汽车零部件及配件制造"
    assert results[0].path == "C 制造业 › 36 汽车制造业 › 367 汽车零部件及配件制造"
    assert all(r.code.startswith("36") for r in industry_search("36", limit=50))
    assert len(industry_search("36", limit=5)) == 5


def test_search_by_code_with_the_section_letter():
    assert [r.code for r in industry_search("C3670")] == ["3670"]
    assert [r.code for r in industry_search("c 367")] == ["3670"]
    assert industry_search("A3670") == []  # 3670 is not in 门类 A
    assert {r.section_code for r in industry_search("K", limit=50)} == {"K"}


def test_search_by_name():
    results = industry_search("软件开发")
    codes = [r.code for r in results]
    assert codes[:3] == ["6511", "6512", "6513"]
    assert all("软件开发" in r.path or "软件开发" in r.name for r in results)


def test_search_ranks_the_classs_own_name_first_and_finds_children_of_matching_groups():
    results = industry_search("汽车", limit=50)
    own = [r for r in results if "汽车" in r.name]
    assert results[:len(own)] == own  # classes named after the query come first
    assert "3611" in [r.code for r in results]  # 汽柴油车整车制造, found through 中类 361 汽车整车制造


def test_search_with_several_words():
    assert [r.code for r in industry_search("汽车 零部件")] == ["3670"]


def test_exact_name_comes_first():
    assert industry_search("物业管理")[0].code == "7020"


@pytest.mark.parametrize("query", ["", "   ", None, "x" * 41, "不存在的行业名称", "%", "' OR 1=1 --", "<script>"])
def test_empty_odd_or_too_long_queries_give_no_results(query):
    assert industry_search(query) == []


def test_bad_limits_are_tolerated():
    assert len(industry_search("3", limit="abc")) == 20
    assert industry_search("3", limit=-5) == []
    assert len(industry_search("C", limit=10_000)) == classifications.MAX_LIMIT


def test_lookup_at_every_level():
    assert industry_lookup("3670").path == "C 制造业 › 36 汽车制造业 › 367 汽车零部件及配件制造"
    assert industry_lookup("C3670").code == "3670"
    assert industry_lookup("367").level == "中类"
    assert industry_lookup("36").name == "汽车制造业"
    assert industry_lookup("c").name == "制造业"
    assert industry_lookup("9999") is None and industry_lookup("") is None and industry_lookup("汽车") is None
    assert industry_lookup("3670").as_dict()["ancestors"][0] == {"code": "C", "name": "制造业"}


# --- organization size -------------------------------------------------------------------------
@pytest.mark.parametrize("code,group", [
    ("0111", "农、林、牧、渔业"), ("0511", "其他未列明行业"), ("0610", "工业"), ("3670", "工业"), ("4411", "工业"),
    ("4710", "建筑业"), ("5111", "批发业"), ("5211", "零售业"), ("5311", "交通运输业"), ("5821", "交通运输业"),
    ("5920", "仓储业"), ("6010", "邮政业"), ("6110", "住宿业"), ("6210", "餐饮业"), ("6311", "信息传输业"),
    ("6511", "软件和信息技术服务业"), ("7010", "房地产开发经营"), ("7020", "物业管理"), ("7030", "其他未列明行业"),
    ("7111", "租赁和商务服务业"), ("7211", "租赁和商务服务业"), ("7310", "其他未列明行业"), ("C", "工业"), ("701", "房地产开发经营"),
])
def test_codes_map_to_the_right_group(code, group):
    assert org_size_group(code)["name"] == group


@pytest.mark.parametrize("employees,revenue,size", [
    (1000, 40000, "大型"),  # both lower bounds of 大型 met exactly
    (999, 40000, "中型"),  # one bound missed: one size down
    (1000, Decimal("39999.99"), "中型"),
    (5000, 300, "小型"),  # many people, little revenue: the revenue decides
    (300, 2000, "中型"),
    (299, 2000, "小型"),
    (300, 1999, "小型"),
    (20, 300, "小型"),
    (19, 300, "微型"),  # below 小型 on one figure is enough for 微型
    (20, 299, "微型"),
    (0, 0, "微型"),
])
def test_industry_boundaries(employees, revenue, size):
    assert suggest_org_size("3670", employees=employees, revenue=revenue) == size


@pytest.mark.parametrize("revenue,assets,size", [
    (80000, 80000, "大型"),
    (80000, 79999, "中型"),
    (6000, 5000, "中型"),
    (5999, 5000, "小型"),
    (6000, 4999, "小型"),
    (300, 300, "小型"),
    (299, 300000, "微型"),
    (300, 299, "微型"),
])
def test_construction_boundaries_use_revenue_and_assets(revenue, assets, size):
    assert suggest_org_size("4710", revenue=revenue, assets=assets) == size
    # the number of employees plays no part in 建筑业
    assert suggest_org_size("4710", employees=1, revenue=revenue, assets=assets) == size


@pytest.mark.parametrize("employees,revenue,size", [
    (300, 10000, "大型"), (299, 10000, "中型"), (100, 1000, "中型"), (100, 999, "小型"), (10, 50, "小型"),
    (9, 50, "微型"), (10, Decimal("49.9"), "微型"),
])
def test_software_boundaries(employees, revenue, size):
    assert suggest_org_size("6513", employees=employees, revenue=revenue) == size


def test_single_figure_groups():
    assert suggest_org_size("0111", revenue=20000) == "大型"
    assert suggest_org_size("0111", revenue=49) == "微型"
    assert suggest_org_size("7310", employees=300) == "大型"
    assert suggest_org_size("7310", employees=9) == "微型"


def test_missing_figures_give_no_suggestion():
    assert suggest_org_size("3670") is None
    assert suggest_org_size("3670", employees=1000) is None
    assert suggest_org_size("3670", revenue=40000) is None
    assert suggest_org_size("3670", employees=1000, revenue="  ") is None
    assert suggest_org_size("4710", employees=5000, revenue=90000) is None  # 建筑业 needs assets
    assert suggest_org_size("9999", employees=10, revenue=10) is None  # unknown industry
    assert suggest_org_size("", employees=10, revenue=10) is None


def test_figures_as_strings_and_decimals():
    assert suggest_org_size("3670", employees="1000", revenue="40000.00") == "大型"
    assert suggest_org_size("3670", employees=1000.0, revenue=Decimal("40000")) == "大型"


@pytest.mark.parametrize("bad", [-1, "abc", float("nan"), True])
def test_bad_figures_raise_value_error(bad):
    with pytest.raises(ValueError):
        suggest_org_size("3670", employees=bad, revenue=1)


def test_metrics_and_rule_text():
    assert org_size_metrics("3670") == ("employees", "revenue")
    assert org_size_metrics("7010") == ("revenue", "assets")
    assert org_size_metrics("nope") == ()
    text = org_size_rule_text("3670")
    assert "大型：从业人员≥1000人，且营业收入≥40000万元" in text
    assert org_size_rule_text("nope") == []


def test_the_files_are_read_once():
    classifications._org_size_data.cache_clear()
    suggest_org_size("3670", employees=1, revenue=1)
    suggest_org_size("4710", revenue=1, assets=1)
    assert classifications._org_size_data.cache_info().misses == 1


# --- the search endpoint ------------------------------------------------------------------------
@pytest.fixture
def member(db):
    from qualityaward.accounts.models import User

    return User.objects.create_user(username="picker", password="pass-12345")


def test_endpoint_requires_login(client):
    response = client.get("/applications/industries/?q=367")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_endpoint_returns_an_html_fragment(client, member):
    client.force_login(member)
    response = client.get("/applications/industries/", {"q": "汽车零部件", "target": "industry_code"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-industry-code="3670"' in body and "C 制造业 › 36 汽车制造业" in body
    assert 'data-target="industry_code"' in body


def test_endpoint_returns_json_when_asked(client, member):
    client.force_login(member)
    response = client.get("/applications/industries/", {"q": "367"}, HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["results"][0]["code"] == "3670" and data["results"][0]["path"].startswith("C 制造业")


@pytest.mark.parametrize("q", ["", "x" * 500, "<script>alert(1)</script>", "\x00", "%%%"])
def test_endpoint_bad_queries_give_empty_results_not_errors(client, member, q):
    client.force_login(member)
    response = client.get("/applications/industries/", {"q": q})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()
    json_response = client.get("/applications/industries/", {"q": q}, HTTP_ACCEPT="application/json")
    assert json_response.status_code == 200 and json_response.json()["results"] == []


def test_endpoint_ignores_a_suspicious_target(client, member):
    client.force_login(member)
    body = client.get("/applications/industries/", {"q": "367", "target": '"><script>'}).content.decode()
    assert "data-target" not in body and "<script>" not in body
