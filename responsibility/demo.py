"""The demo city: Wuxi's units, its indicator catalog (reference/domain.md §7–§8), years and people.

Names of units follow Wuxi's own order (板块 first, then departments, then enterprises). The
leaders' names are invented.
"""

from decimal import Decimal

from .models import IndicatorMeasure as M
from .models import IndicatorRule as R
from .models import IndicatorSource as S
from .models import MembershipRole
from .models import UnitKind as K

UNITS = [
    # code, name, kind, 主要负责人, 分管负责人
    ("liangxi", "梁溪区", K.DISTRICT, "王建国", "李志强"),
    ("xishan", "锡山区", K.DISTRICT, "陈立新", "周海涛"),
    ("huishan", "惠山区", K.DISTRICT, "刘卫东", "吴永明"),
    ("binhu", "滨湖区", K.DISTRICT, "张国平", "郑晓峰"),
    ("xinwu", "新吴区", K.DISTRICT, "孙建华", "朱文斌"),
    ("jiangyin", "江阴市", K.COUNTY_CITY, "许东升", "顾红梅"),
    ("yixing", "宜兴市", K.COUNTY_CITY, "蒋宏伟", "潘立群"),
    ("jingkai", "经开区", K.DEV_ZONE, "沈一鸣", "陆春华"),
    ("yingji", "市应急管理局", K.DEPT_PROFESSIONAL, "杨振华", "钱晓东"),
    ("zhujian", "市住房城乡建设局", K.DEPT_PROFESSIONAL, "高明远", "徐建军"),
    ("jiaotong", "市交通运输局", K.DEPT_PROFESSIONAL, "马长青", "何立平"),
    ("gongan", "市公安局", K.DEPT_PROFESSIONAL, "罗正义", "唐海军"),
    ("shichang", "市市场监管局", K.DEPT_PROFESSIONAL, "韩秀英", "冯卫国"),
    ("xiaofang", "市消防救援支队", K.DEPT_PROFESSIONAL, "邓国强", "曹志刚"),
    ("chengguan", "市城市管理局", K.DEPT_PROFESSIONAL, "彭建新", "曾小平"),
    ("shuili", "市水利局", K.DEPT_PROFESSIONAL, "谢文华", "袁海波"),
    ("nongye", "市农业农村局", K.DEPT_PROFESSIONAL, "董建民", "蔡德胜"),
    ("wenlv", "市文化广电旅游局", K.DEPT_PROFESSIONAL, "田丽君", "姜永生"),
    ("shangwu", "市商务局", K.DEPT_PROFESSIONAL, "范振宇", "石国华"),
    ("jiaoyu", "市教育局", K.DEPT_PROFESSIONAL, "廖晓梅", "汪建平"),
    ("weijian", "市卫生健康委", K.DEPT_PROFESSIONAL, "邹光明", "熊春生"),
    ("gongxin", "市工业和信息化局", K.DEPT_PROFESSIONAL, "金立宏", "陶志勇"),
    ("shengtai", "市生态环境局", K.DEPT_PROFESSIONAL, "魏清华", "秦建林"),
    ("ziran", "市自然资源和规划局", K.DEPT_PROFESSIONAL, "薛宏图", "叶明辉"),
    ("minzheng", "市民政局", K.DEPT_PROFESSIONAL, "阎素芳", "余文杰"),
    ("haishi", "无锡海事局", K.DEPT_PROFESSIONAL, "杜海洋", "戴卫星"),
    ("fagai", "市发展改革委", K.DEPT_GENERAL, "夏建中", "钟国良"),
    ("caizheng", "市财政局", K.DEPT_GENERAL, "汤立民", "尹红军"),
    ("renshe", "市人力资源社会保障局", K.DEPT_GENERAL, "黎春燕", "常建华"),
    ("guozi", "市国资委", K.DEPT_GENERAL, "武志远", "乔海峰"),
    ("xuanchuan", "市委宣传部", K.DEPT_GENERAL, "贺文静", "赖永康"),
    ("zonggonghui", "市总工会", K.DEPT_GENERAL, "龚建英", "文晓光"),
    ("ditie", "无锡地铁集团", K.ENTERPRISE, "庞立新", "樊建国"),
    ("jiaochan", "无锡市交通产业集团", K.ENTERPRISE, "兰德明", "殷志华"),
    ("shuiwu", "无锡市水务集团", K.ENTERPRISE, "施国强", "牛建平"),
    ("ranqi", "无锡华润燃气", K.ENTERPRISE, "洪伟民", "崔立军"),
    ("gongdian", "国网无锡供电公司", K.ENTERPRISE, "康振东", "毛晓辉"),
]

TERRITORY = (K.DISTRICT, K.COUNTY_CITY, K.DEV_ZONE)


def _w(points, kinds):
    return {kind: f"{Decimal(points):.2f}" for kind in kinds}


def _dept(professional, general):
    """Department weights: 专业类 and 市属企业 share the professional sheet (domain.md §8.2)."""
    weights = _w(professional, (K.DEPT_PROFESSIONAL, K.ENTERPRISE)) if professional else {}
    if general:
        weights |= _w(general, (K.DEPT_GENERAL,))
    return weights


# code, category, name, rule, source, weights, per_unit, evidence required
CATALOG = [
    (
        "A1",
        "事故控制",
        "生产安全事故死亡人数控制在控制数以内",
        R.CAP_DEDUCTION,
        S.DERIVED,
        _w(12, TERRITORY),
        "1",
        False,
    ),
    (
        "A2",
        "事故控制",
        "事故起数、死亡人数同比“双下降”",
        R.YOY_DECREASE,
        S.DERIVED,
        _w(4, TERRITORY),
        None,
        False,
    ),
    (
        "A3",
        "事故控制",
        "不发生较大及以上生产安全事故",
        R.COUNT_DEDUCTION,
        S.DERIVED,
        _w(5, TERRITORY),
        "5",
        False,
    ),
    (
        "A4",
        "事故控制",
        "分行业死亡人数（道路交通、工矿商贸、火灾）控制在控制数以内",
        R.CAP_DEDUCTION,
        S.DERIVED,
        _w(4, TERRITORY),
        "0.5",
        False,
    ),
    (
        "B1",
        "责任落实",
        "党政同责、一岗双责落实，安委会定期研究，责任书签订到镇街和企业",
        R.ITEM_DEDUCTION,
        S.ASSESSED,
        _w(15, TERRITORY),
        "0.5",
        False,
    ),
    (
        "B2",
        "责任落实",
        "巡查、督导、考核巡查发现问题按期整改",
        R.ITEM_DEDUCTION,
        S.DERIVED,
        _w(5, TERRITORY),
        "0.5",
        False,
    ),
    (
        "C1",
        "隐患排查治理",
        "重大事故隐患挂牌督办、按期整改销号",
        R.COMPLETION,
        S.ENTERED,
        _w(8, TERRITORY),
        None,
        True,
    ),
    (
        "C2",
        "隐患排查治理",
        "危化、燃气、建筑施工、厂中厂、消防、道路运输等专项整治",
        R.COMPLETION,
        S.ENTERED,
        _w(10, TERRITORY),
        None,
        True,
    ),
    (
        "D1",
        "打非治违",
        "执法检查数量与质量，双随机、四不两直",
        R.COMPLETION,
        S.ENTERED,
        _w(10, TERRITORY),
        None,
        True,
    ),
    (
        "E1",
        "应急管理",
        "预案修订、应急演练、值班值守和事故及时报告",
        R.ITEM_DEDUCTION,
        S.ASSESSED,
        _w(8, TERRITORY),
        "1",
        False,
    ),
    (
        "F1",
        "基础建设",
        "镇街安全监管力量、装备经费、安责险和标准化建设",
        R.ITEM_DEDUCTION,
        S.ASSESSED,
        _w(8, TERRITORY),
        "0.5",
        False,
    ),
    (
        "G1",
        "宣传教育培训",
        "安全生产月、全员安全培训和公众宣传",
        R.COMPLETION,
        S.ENTERED,
        _w(5, TERRITORY),
        None,
        True,
    ),
    ("H1", "消防", "火灾防控重点任务", R.COMPLETION, S.ENTERED, _w(6, TERRITORY), None, True),
    (
        "DA1",
        "事故控制",
        "行业领域死亡人数控制在控制数以内",
        R.CAP_DEDUCTION,
        S.DERIVED,
        _dept(25, 0),
        "1",
        False,
    ),
    ("DA2", "事故控制", "行业领域不发生较大及以上事故", R.BOOLEAN, S.DERIVED, _dept(5, 0), None, False),
    (
        "DB1",
        "责任落实",
        "三管三必须、行业职责清单和系统内责任书",
        R.ITEM_DEDUCTION,
        S.ASSESSED,
        _dept(15, 30),
        "0.5",
        False,
    ),
    (
        "DC1",
        "行业监管",
        "行业隐患排查、重大隐患挂牌销号和专项整治",
        R.COMPLETION,
        S.ENTERED,
        _dept(25, 20),
        None,
        True,
    ),
    ("DD1", "执法", "行业领域执法检查和打非治违", R.COMPLETION, S.ENTERED, _dept(10, 0), None, True),
    (
        "DE1",
        "应急管理",
        "行业应急预案、演练和事故信息报送",
        R.COMPLETION,
        S.ENTERED,
        _dept(10, 15),
        None,
        True,
    ),
    (
        "DF1",
        "本系统安全管理",
        "机关、办公场所和直属单位安全管理",
        R.COMPLETION,
        S.ENTERED,
        _dept(5, 20),
        None,
        True,
    ),
    ("DG1", "宣传培训", "行业安全宣传和培训", R.COMPLETION, S.ENTERED, _dept(5, 15), None, True),
]

# What the derived indicators count (Indicator.measure, grades, industries, link, is_death_cap):
# the engine reads these, never the codes. Unlisted fields keep the model's defaults (all grades,
# all industries, 属地 and 监管部门 both).
LARGER_OR_WORSE = ["larger", "major", "especially_major"]
COUNTING = {
    "A1": {"measure": M.DEATHS, "is_death_cap": True},
    "A3": {"measure": M.ACCIDENTS, "grades": LARGER_OR_WORSE},
    "A4": {"measure": M.DEATHS, "industries": ["road", "industry_trade", "fire"]},
    "DA1": {"measure": M.DEATHS, "is_death_cap": True},
    "DA2": {"measure": M.ACCIDENTS, "grades": LARGER_OR_WORSE},
}

DEMO_PASSWORD = "Wuxi@2026"

# username, name, city role, (unit code, membership role)
PEOPLE = [
    ("anweiban", "赵安平", "安委办", None),
    ("lingdao", "周建明", "市领导", None),
    ("ducha", "钱立", "督查员", None),
    ("liangxi_tb", "孙丽", None, ("liangxi", "reporter")),
    ("liangxi_fz", "李志强", None, ("liangxi", "head")),
    ("zhujian_tb", "周敏", None, ("zhujian", "reporter")),
    ("zhujian_fz", "徐建军", None, ("zhujian", "head")),
]


def account_lines() -> list[str]:
    """The demo accounts as seed_demo and `make run` list them: the password, then one per line."""
    unit_names = {code: name for code, name, *_ in UNITS}
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    for username, name, city_role, membership in PEOPLE:
        role = city_role or f"{unit_names[membership[0]]}{MembershipRole(membership[1]).label}"
        lines.append(f"  {username:<12} {name:<6} {role}")
    return lines


# 2025 death caps (生产安全事故死亡人数控制数) by unit; 2026 is carried over 5 % lower.
DEATH_CAPS = {
    "liangxi": 8,
    "xishan": 14,
    "huishan": 16,
    "binhu": 12,
    "xinwu": 15,
    "jiangyin": 30,
    "yixing": 26,
    "jingkai": 5,
    "zhujian": 9,
    "jiaotong": 12,
    "gongan": 60,
    "shichang": 3,
    "xiaofang": 6,
    "haishi": 3,
}

# 2026: one unit has not signed although issued long ago; one letter is still being drafted.
LATE_SIGNER = "huishan"
STILL_DRAFT = "haishi"


def target_value(unit_code: str, indicator) -> Decimal | None:
    """A believable 2025 target value for the demo: caps for deaths, 100 % for task lists."""
    if indicator.code == "A1":
        return Decimal(DEATH_CAPS[unit_code])
    if indicator.code == "A4":
        return Decimal(DEATH_CAPS[unit_code] // 2)
    if indicator.code == "DA1":
        return Decimal(DEATH_CAPS.get(unit_code, 2))
    if indicator.rule == R.COMPLETION:
        return Decimal(100)
    return None


# A tiny but valid one-page PDF standing in for a signed, stamped scan.
DEMO_SCAN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 24 Tf 72 760 Td (Demo signed scan) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
