"""The demo's applicant organizations and people: names that say what the company makes, the GB/T 4754-2017 小类
of that trade, products, standards and indicators to match, and a valid 统一社会信用代码 (GB 32100) for the
organization's own region."""
from dataclasses import dataclass

GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def gb32100_check(first17):
    """The 18th character of a unified social credit code."""
    total = sum(GB32100_ALPHABET.index(ch) * w for ch, w in zip(first17, GB32100_WEIGHTS, strict=True))
    return GB32100_ALPHABET[(31 - total % 31) % 31]


def gb11714_check(body8):
    """The 9th character of an organization code (positions 9-17 of a credit code)."""
    total = sum((int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10) * w
                for ch, w in zip(body8, GB11714_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def credit_code(region_code, body8, registration="91"):
    """A valid credit code: ``registration`` (91 = 工商·企业) + 6-digit area + organization code + check.

    ``body8`` is the organization code without its check; it may only use characters of the
    GB 32100 alphabet (no I, O, S, V, Z).
    """
    # a town's (镇、街道) 9-digit code: the county's 6 digits are the registration area
    area = region_code[:6] if region_code.isdigit() and len(region_code) in (6, 9) else "410173"  # 航空港区
    body8 = body8.upper()
    if len(body8) != 8 or any(ch not in GB32100_ALPHABET for ch in body8):
        raise ValueError(f"invalid organization code body: {body8!r}")
    first17 = f"{registration}{area}{body8}{gb11714_check(body8)}"
    return first17 + gb32100_check(first17)


def is_valid_credit_code(code):
    return (len(code) == 18 and all(ch in GB32100_ALPHABET for ch in code)
            and gb11714_check(code[8:16]) == code[16] and gb32100_check(code[:17]) == code[17])


@dataclass(frozen=True)
class Trade:
    """A line of business: the word in the company's name, its GB/T 4754-2017 小类, what it makes."""

    word: str
    industry: str
    org_type: str  # applications.forms.spec.ORG_TYPES
    products: str
    product: str  # the lead product, for the tables (≤ 40 字)
    standard: str
    indicator: str
    own: str
    domestic: str
    international: str


TRADES = [
    Trade("精密机械", "3484", "manufacturing", "精密齿轮、传动轴等机械零部件", "精密传动齿轮", "GB/T 10095.1-2022",
          "齿轮精度等级", "5 级", "5 级", "4 级"),
    Trade("食品", "1431", "manufacturing", "速冻水饺、汤圆、挂面等米面制品", "速冻水饺", "GB 19295-2021",
          "菌落总数（CFU/g）", "≤3000", "≤5000", "≤3000"),
    Trade("茶业", "1530", "manufacturing", "信阳毛尖绿茶、红茶", "信阳毛尖绿茶", "GB/T 22737-2008",
          "感官品质评分", "92 分", "91 分", "—"),
    Trade("纺织", "1711", "manufacturing", "精梳棉纱、混纺纱线", "精梳棉纱 JC40S", "FZ/T 12001-2015",
          "单纱断裂强力变异系数", "6.8%", "7.5%", "6.5%"),
    Trade("服饰", "1821", "manufacturing", "针织运动服装、休闲服装", "针织运动套装", "GB/T 22853-2019",
          "耐汗渍色牢度", "4-5 级", "4 级", "4-5 级"),
    Trade("矿山机械", "3511", "manufacturing", "圆锥破碎机、球磨机等矿山机械", "多缸液压圆锥破碎机", "JB/T 2501-2017",
          "平均无故障工作时间", "2800 小时", "2500 小时", "3000 小时"),
    Trade("耐火材料", "3089", "manufacturing", "高铝砖、镁碳砖等定形耐火制品", "低蠕变高铝砖", "GB/T 2988-2023",
          "荷重软化温度", "1550℃", "1530℃", "1560℃"),
    Trade("电缆", "3831", "manufacturing", "中低压电力电缆、架空绝缘电缆", "交联聚乙烯绝缘电力电缆", "GB/T 12706.2-2020",
          "导体直流电阻合格率", "100%", "100%", "100%"),
    Trade("汽车零部件", "3670", "manufacturing", "制动盘、轮毂等汽车零部件", "乘用车制动盘", "QC/T 1167-2022",
          "动平衡量", "≤15 g·cm", "≤20 g·cm", "≤15 g·cm"),
    Trade("起重机械", "3432", "manufacturing", "桥式、门式起重机", "双梁桥式起重机", "GB/T 14405-2011",
          "整机工作级别", "A6", "A6", "A7"),
    Trade("铝业", "3252", "manufacturing", "铝板带箔、铝合金型材", "电池用铝箔", "YS/T 1164-2016",
          "厚度偏差", "±2%", "±3%", "±2%"),
    Trade("电气", "3823", "manufacturing", "高低压成套开关设备", "智能型低压开关柜", "GB/T 7251.12-2013",
          "温升试验合格率", "100%", "100%", "100%"),
    Trade("仪表", "4011", "manufacturing", "智能压力变送器、流量计", "智能压力变送器", "GB/T 28474.1-2012",
          "基本误差", "±0.075%", "±0.1%", "±0.065%"),
    Trade("路桥工程", "4819", "construction", "公路、桥梁、隧道工程施工", "高速公路桥梁工程", "JTG F80/1-2017",
          "分项工程一次验收合格率", "100%", "98%", "—"),
    Trade("冷链物流", "5432", "services", "冷藏运输、冷库仓储配送服务", "冷藏车干线运输", "GB/T 28577-2021",
          "全程温度达标率", "99.8%", "99.5%", "99.9%"),
    Trade("软件", "6513", "services", "政务、制造业应用软件开发与运维", "智能制造执行系统（MES）", "GB/T 25000.51-2016",
          "系统可用性", "99.95%", "99.9%", "99.99%"),
    Trade("检测技术", "7451", "services", "食品、建材、机电产品检验检测服务", "食品安全检测服务", "RB/T 214-2017",
          "检测报告准确率", "99.9%", "99.8%", "—"),
    Trade("酒业", "1512", "manufacturing", "浓香型白酒", "浓香型白酒（52%vol）", "GB/T 10781.1-2021",
          "总酸（g/L）", "0.65", "0.60", "—"),
    Trade("豆制品", "1392", "manufacturing", "豆腐、腐竹等豆制品", "非转基因腐竹", "GB 2712-2014",
          "蛋白质含量", "≥45%", "≥44%", "—"),
    Trade("光伏科技", "3825", "manufacturing", "单晶硅光伏组件", "单晶双面光伏组件", "GB/T 9535-1998",
          "组件转换效率", "22.6%", "22.8%", "23.0%"),
    Trade("电池", "3841", "manufacturing", "动力与储能锂离子电池", "磷酸铁锂储能电芯", "GB/T 36276-2023",
          "循环寿命", "8000 次", "6000 次", "10000 次"),
    Trade("涂料", "2641", "manufacturing", "工业防腐涂料、水性涂料", "水性工业防腐涂料", "HG/T 5176-2017",
          "耐盐雾性能", "1000 小时", "800 小时", "1200 小时"),
    Trade("药业", "2720", "manufacturing", "片剂、胶囊剂等化学药品制剂", "阿莫西林胶囊", "《中华人民共和国药典》2020 年版",
          "溶出度", "≥90%", "≥85%", "≥90%"),
    Trade("建材", "3021", "manufacturing", "预拌混凝土、水泥预制构件", "装配式混凝土预制构件", "GB/T 51231-2016",
          "构件出厂合格率", "100%", "99.5%", "—"),
]
BRANDS = ["中原", "黄河", "嵩岳", "商都", "弦山", "淮河", "豫南", "伏牛", "太行", "龙门", "天瑞", "华信", "宏达", "金鼎",
          "恒通", "瑞丰", "正泰", "汇通", "博远", "鸿运", "永安", "广源", "明德", "东方", "卓越", "豫通", "龙腾", "三元",
          "少林", "河洛", "杜甫", "青龙", "康百", "紫荆", "孝义", "北山", "濮阳", "新兴", "丰源", "安泰"]
SUFFIXES = ["有限公司", "股份有限公司", "有限公司", "集团有限公司"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = ["建华", "志强", "秀英", "海峰", "丽娟", "国庆", "晓东", "红梅", "振宇", "文博", "春生", "玉兰", "明辉", "雪峰",
         "立新", "桂芳", "永刚", "慧敏", "德胜", "静怡"]


def person_name(n):
    return SURNAMES[(n * 7) % len(SURNAMES)] + GIVEN[(n * 3) % len(GIVEN)]


@dataclass(frozen=True)
class Company:
    name: str
    trade: Trade
    region_code: str
    credit_code: str
    legal_rep: str
    contact: str
    established: str  # YYYY-MM-DD
    address: str
    postcode: str

    @property
    def industry(self):
        return self.trade.industry


def company(*, place, region_code, n, street, postcode, tag):
    """The ``n``-th demo company of a program: ``place`` (the town it is in), its trade and brand by ``n``,
    a credit code whose organization-code part is ``MA`` + ``tag`` (2 characters) + 4 digits."""
    trade = TRADES[n % len(TRADES)]
    brand = BRANDS[(n * 11 + len(tag)) % len(BRANDS)]
    name = f"{place}{brand}{trade.word}{SUFFIXES[n % len(SUFFIXES)]}"
    body = f"MA{tag}{(n * 37 + 1000) % 10000:04d}"
    return Company(name=name, trade=trade, region_code=region_code, credit_code=credit_code(region_code, body),
                   legal_rep=person_name(n * 2 + 1), contact=person_name(n * 2 + 2),
                   established=f"{2003 + n % 12}-{1 + n % 12:02d}-{10 + n % 18:02d}",
                   address=f"{street}{18 + n * 3}号", postcode=postcode)
