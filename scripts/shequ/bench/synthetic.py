"""Fictional but realistic records, for the demonstration data and for scale tests.

Everything is drawn from one seeded ``random.Random``: the same arguments give
byte-identical files. Nothing depends on the clock; dates are relative to the
``today`` argument.

What the records look like:

- ids are ``org-`` / ``inc-`` plus a random token, never derived from a name;
- places are real township / sub-district codes from the official lists, while
  communities (社区 / 村), organizations, incubators and operators are invented;
- registered organizations carry a valid Unified Social Credit Code: authority
  ``5``, the type character of their legal form (``uscc_type`` in
  ``legal_forms.yaml``), the GB/T 2260 code of the civil affairs bureau they are
  registered with, ``MJ`` + 6 digits + a GB 11714 check character, and the GB
  32100 check character from ``stdnum.cn.uscc``; filed and community-guided ones
  are ``unregistered`` and have none;
- contact details only on example.org / example.com, and only landline-like
  phone numbers; every record says in its sources and descriptions that it is
  fictional.

Use :func:`generate` with townships from :func:`townships_from_lists` (the
national lists) or :func:`townships_from_table` (the project's divisions table).
:func:`write_demo` rebuilds the shipped demonstration data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import yaml
from stdnum.cn import uscc as stdnum_uscc

from shequ.sources.divisions import list_files, list_format, read_list, read_official, read_table
from shequ.tools.yamlwriter import record_yaml

#: The reference day of the shipped demonstration data.
DEFAULT_TODAY = dt.date(2026, 11, 20)
DEMO_SEED = 20160821
DEMO_ORGANIZATIONS = 72
DEMO_INCUBATORS = 10

#: The real townships and sub-districts the demonstration data uses (NBS 2023 codes).
DEMO_TOWNSHIPS = (
    "110105003", "110105004", "110105008",  # 北京市朝阳区: 呼家楼, 三里屯, 安贞
    "110108006", "110108008",  # 北京市海淀区: 紫竹院, 北太平庄
    "110117102", "110117213",  # 北京市平谷区: 山东庄镇, 黄松峪乡
    "310115005", "310115008", "310115125",  # 上海市浦东新区: 陆家嘴, 塘桥, 张江镇
    "310104011", "310104008",  # 上海市徐汇区: 田林, 枫林路
    "440305005", "440305009",  # 深圳市南山区: 蛇口, 西丽
    "440304008",  # 深圳市福田区: 莲花
    "510107005", "510107010",  # 成都市武侯区: 玉林, 红牌楼
    "510117104", "510117006",  # 成都市郫都区: 唐昌镇, 犀浦
    "510131104",  # 成都市蒲江县: 西来镇
    "330106005",  # 杭州市西湖区: 翠苑
    "330110109",  # 杭州市余杭区: 径山镇
)

#: English names of the places above (romanized by hand; other places are named by code).
PLACE_NAMES_EN = {
    "11": "Beijing", "31": "Shanghai", "44": "Guangdong", "51": "Sichuan", "33": "Zhejiang",
    "4403": "Shenzhen", "5101": "Chengdu", "3301": "Hangzhou",
    "110105": "Chaoyang District", "110108": "Haidian District", "110117": "Pinggu District",
    "310115": "Pudong New Area", "310104": "Xuhui District", "440305": "Nanshan District",
    "440304": "Futian District", "510107": "Wuhou District", "510117": "Pidu District",
    "510131": "Pujiang County", "330106": "Xihu District", "330110": "Yuhang District",
    "110105003": "Hujialou Sub-district", "110105004": "Sanlitun Sub-district",
    "110105008": "Anzhen Sub-district", "110108006": "Zizhuyuan Sub-district",
    "110108008": "Beitaipingzhuang Sub-district", "110117102": "Shandongzhuang Town",
    "110117213": "Huangsongyu Township", "310115005": "Lujiazui Sub-district",
    "310115008": "Tangqiao Sub-district", "310115125": "Zhangjiang Town",
    "310104011": "Tianlin Sub-district", "310104008": "Fenglinlu Sub-district",
    "440305005": "Shekou Sub-district", "440305009": "Xili Sub-district",
    "440304008": "Lianhua Sub-district", "510107005": "Yulin Sub-district",
    "510107010": "Hongpailou Sub-district", "510117104": "Tangchang Town",
    "510117006": "Xipu Sub-district", "510131104": "Xilai Town", "330106005": "Cuiyuan Sub-district",
    "330110109": "Jingshan Town",
}

#: Telephone area codes of some prefectures (provinces for the municipalities).
AREA_CODES = {
    "11": "010", "12": "022", "31": "021", "50": "023",
    "1301": "0311", "1401": "0351", "1501": "0471", "2101": "024", "2102": "0411", "2201": "0431",
    "2301": "0451", "3201": "025", "3205": "0512", "3301": "0571", "3302": "0574", "3401": "0551",
    "3501": "0591", "3502": "0592", "3601": "0791", "3701": "0531", "3702": "0532", "4101": "0371",
    "4201": "027", "4301": "0731", "4401": "020", "4403": "0755", "4406": "0757", "4419": "0769",
    "4420": "0760", "4501": "0771", "4601": "0898", "5101": "028", "5201": "0851", "5301": "0871",
    "5401": "0891", "6101": "029", "6201": "0931", "6301": "0971", "6401": "0951", "6501": "0991",
}

# Invented community names: (Chinese stem, romanization).
URBAN_COMMUNITIES = (
    ("幸福里", "Xingfuli"), ("光明", "Guangming"), ("和平里", "Hepingli"), ("新华", "Xinhua"),
    ("建设", "Jianshe"), ("团结", "Tuanjie"), ("花园", "Huayuan"), ("东风", "Dongfeng"),
    ("翠微", "Cuiwei"), ("金桥", "Jinqiao"), ("阳光", "Yangguang"), ("枫林", "Fenglin"),
    ("锦绣", "Jinxiu"), ("红星", "Hongxing"), ("长青", "Changqing"), ("春晖", "Chunhui"),
    ("安居", "Anju"), ("朝晖", "Zhaohui"), ("清河", "Qinghe"), ("桂花", "Guihua"),
    ("丽景", "Lijing"), ("星河", "Xinghe"), ("碧水", "Bishui"), ("南湖", "Nanhu"),
    ("北园", "Beiyuan"), ("西苑", "Xiyuan"), ("东湖", "Donghu"), ("百合", "Baihe"),
    ("芳草", "Fangcao"), ("玉泉", "Yuquan"), ("明珠", "Mingzhu"), ("康乐", "Kangle"),
    ("益民", "Yimin"), ("惠民", "Huimin"), ("向阳", "Xiangyang"), ("前进", "Qianjin"),
)
RURAL_COMMUNITIES = (
    ("石桥", "Shiqiao"), ("杨柳", "Yangliu"), ("大庄", "Dazhuang"), ("王家", "Wangjia"),
    ("河东", "Hedong"), ("李家坝", "Lijiaba"), ("桃园", "Taoyuan"), ("青山", "Qingshan"),
    ("柳溪", "Liuxi"), ("双河", "Shuanghe"), ("白杨", "Baiyang"), ("竹林", "Zhulin"),
    ("松树", "Songshu"), ("新田", "Xintian"), ("高坪", "Gaoping"), ("马鞍", "Ma'an"),
    ("水口", "Shuikou"), ("金竹", "Jinzhu"), ("凤凰", "Fenghuang"), ("荷花", "Hehua"),
)


@dataclass(frozen=True)
class Topic:
    field: str  # the main field of activity
    groups: tuple[tuple[str, str], ...]  # names of informal groups: (Chinese, English)
    association: tuple[str, str]  # registered social group: e.g. ("老年协会", "Senior Citizens' Association")
    agency: tuple[str, str]  # registered social service agency
    populations: tuple[str, ...]
    functions: tuple[str, ...]
    also: tuple[str, ...] = ()  # further fields that often go with it


TOPICS = (
    Topic("serving-residents", (("便民志愿服务队", "Neighbourhood Services Volunteer Team"),
                                ("为民服务队", "Resident Services Team")),
          ("志愿者协会", "Volunteers' Association"), ("便民服务中心", "Neighbourhood Service Centre"),
          ("all-residents", "seniors"), ("volunteering", "entrusted-services"), ("life-services",)),
    Topic("elderly-care", (("银龄互助会", "Silver Age Mutual Aid Society"),
                           ("助老志愿服务队", "Elderly Support Volunteer Team"),
                           ("长者关爱小组", "Senior Care Group")),
          ("老年协会", "Senior Citizens' Association"), ("居家养老服务中心", "Home-based Elderly Care Centre"),
          ("seniors", "people-with-disabilities"), ("neighbourhood-support", "volunteering", "entrusted-services"),
          ("mutual-aid", "life-services")),
    Topic("public-benefit-charity", (("爱心公益服务队", "Caring Charity Team"),
                                     ("微心愿志愿服务队", "Small Wishes Volunteer Team")),
          ("慈善协会", "Charity Association"), ("公益服务中心", "Public Benefit Service Centre"),
          ("families-in-hardship", "children-of-prisoners", "children"), ("volunteering", "joint-action"),
          ("mutual-aid",)),
    Topic("promoting-harmony", (("邻里调解志愿队", "Neighbourhood Mediation Volunteer Team"),
                                ("和事佬调解小组", "Peacemakers Mediation Group"),
                                ("平安巡逻队", "Safe Community Patrol Team")),
          ("人民调解协会", "People's Mediation Association"), ("矛盾调解服务中心", "Mediation Service Centre"),
          ("all-residents", "community-corrections", "youth-at-risk"),
          ("dispute-mediation", "safety-protection", "public-affairs"), ("serving-residents",)),
    Topic("culture", (("书画社", "Calligraphy and Painting Society"), ("读书会", "Reading Club"),
                      ("戏曲票友会", "Chinese Opera Amateurs' Society")),
          ("文化协会", "Cultural Association"), ("文化服务中心", "Cultural Service Centre"),
          ("all-residents", "seniors", "children"), ("resident-integration",), ("recreation",)),
    Topic("health-fitness", (("太极拳队", "Tai Chi Team"), ("健步走队", "Walking Team"),
                             ("乒乓球俱乐部", "Table Tennis Club")),
          ("体育健身协会", "Sports and Fitness Association"), ("健康服务中心", "Health Service Centre"),
          ("all-residents", "seniors", "people-with-disabilities"), ("resident-integration",), ("recreation",)),
    Topic("recreation", (("广场舞队", "Square Dance Team"), ("合唱团", "Choir"), ("摄影俱乐部", "Photography Club")),
          ("文体协会", "Recreation Association"), ("文体活动中心", "Recreation Centre"),
          ("all-residents", "women", "migrant-workers"), ("resident-integration", "neighbourhood-support"),
          ("culture", "health-fitness")),
    Topic("rural-production", (("农技服务队", "Farming Skills Service Team"), ("果蔬种植互助组", "Fruit and Vegetable Growers' Mutual Aid Group"),
                               ("养蜂技术交流会", "Beekeeping Skills Exchange")),
          ("农业技术协会", "Agricultural Technology Association"), ("农技服务中心", "Farming Skills Service Centre"),
          ("all-residents", "unemployed", "families-in-hardship"), ("neighbourhood-support", "joint-action"),
          ("mutual-aid",)),
    Topic("life-services", (("助餐志愿服务队", "Community Meals Volunteer Team"), ("便民维修队", "Repair Volunteers"),
                            ("四点半课堂", "After-school Club")),
          ("家政服务协会", "Home Services Association"), ("助餐服务中心", "Community Meals Service Centre"),
          ("seniors", "children", "families-in-hardship"), ("neighbourhood-support", "entrusted-services"),
          ("serving-residents",)),
    Topic("mutual-aid", (("邻里互助会", "Neighbourhood Mutual Aid Society"), ("巾帼互助队", "Women's Mutual Aid Team"),
                         ("新市民互助会", "Newcomers' Mutual Aid Society"), ("阳光助残小组", "Sunshine Disability Support Group"),
                         ("就业互助小组", "Job-seekers' Mutual Aid Group"), ("心理关爱小组", "Mental Wellbeing Group"),
                         ("青少年成长营", "Youth Growth Camp"), ("帮教志愿服务队", "Community Correction Support Volunteers")),
          ("互助协会", "Mutual Aid Association"), ("社会工作服务中心", "Social Work Service Centre"),
          ("women", "migrant-workers", "people-with-disabilities", "unemployed", "psychological-difficulties",
           "youth-at-risk", "community-corrections"),
          ("neighbourhood-support", "resident-integration", "joint-action"), ("public-benefit-charity",)),
)
GENERIC_TOPIC = Topic("", (("志愿服务队", "Volunteer Team"),), ("志愿者协会", "Volunteers' Association"),
                      ("社区服务中心", "Community Service Centre"), ("all-residents",), ("volunteering",))
FOUNDATIONS = (("社区基金会", "Community Foundation"), ("社区发展基金会", "Community Development Foundation"),
               ("公益基金会", "Public Benefit Foundation"))

INCUBATOR_NAMES = {
    "incubation-base": ("社区社会组织孵化基地", "Community Social Organization Incubation Base"),
    "incubation-centre": ("社会组织孵化中心", "Social Organization Incubation Centre"),
    "service-platform": ("社区社会组织综合服务平台", "Community Social Organization Service Platform"),
    "cultivation-fund": ("社区社会组织孵化培育资金", "Community Social Organization Cultivation Fund"),
}
AGENCY_STEMS = (("春晖", "Chunhui"), ("益友", "Yiyou"), ("同心", "Tongxin"), ("启航", "Qihang"), ("众合", "Zhonghe"),
                ("善邻", "Shanlin"), ("绿芽", "Lüya"), ("和乐", "Hele"), ("恒爱", "Heng'ai"), ("新民", "Xinmin"))

#: Plausible ranges of support amounts (CNY, inclusive, and the rounding step); others are in kind.
AMOUNTS = {
    "government-procurement": (50_000, 600_000, 1000),
    "project-funds": (20_000, 300_000, 1000),
    "activity-subsidies": (2_000, 30_000, 100),
    "activity-funding": (3_000, 50_000, 100),
    "operation-support": (5_000, 80_000, 500),
    "welfare-lottery-funds": (10_000, 150_000, 1000),
}

FORM_WEIGHTS = {"social-group": 55, "social-service-agency": 40, "foundation": 5}
STATUS_WEIGHTS = {"active": 86, "suspended": 5, "dissolved": 9}

_TOKEN = "abcdefghjkmnpqrstuvwxyz23456789"
_ORG_CODE_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


# --- places -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Township:
    """A real township or sub-district, with the names of the divisions above it."""

    code: str  # 9 digits
    name: str
    county_name: str
    prefecture_name: str = ""
    province_name: str = ""
    registry: str = ""  # 6-digit GB/T 2260 code of the civil affairs bureau that registers organizations here
    registry_name: str = ""  # e.g. 北京市朝阳区民政局

    @property
    def county(self) -> str:
        return self.code[:6]

    @property
    def prefecture(self) -> str:
        return self.code[:4]

    @property
    def province(self) -> str:
        return self.code[:2]

    @property
    def urban(self) -> bool:
        return self.name.endswith("街道")

    @property
    def office(self) -> str:
        """The sub-district office or township government, with the county in front."""
        if self.name.endswith(("镇", "乡", "苏木")):
            return f"{self.county_name}{self.name}人民政府"
        return f"{self.county_name}{self.name}办事处"

    @property
    def name_en(self) -> str:
        return PLACE_NAMES_EN.get(self.code, f"township {self.code}")

    @property
    def county_en(self) -> str:
        return PLACE_NAMES_EN.get(self.county, f"county {self.county}")


_PLACEHOLDER_PREFECTURES = ("市辖区", "县")


def _registry(code: str, names: dict[str, str], gbt: set[str] | None) -> tuple[str, str]:
    """The GB/T 2260 code and name of the civil affairs bureau for a township's county."""
    county, prefecture, province = code[:6], code[:4], code[:2]
    pref_name, prov_name = names.get(prefecture, ""), names.get(province, "")
    county_is_gbt = county in gbt if gbt else county[4] != "7"  # 5th digit 7: NBS development zones
    if county_is_gbt:
        if pref_name in _PLACEHOLDER_PREFECTURES:
            front = prov_name
        elif pref_name.endswith("直辖县级行政区划") or pref_name == names.get(county):
            front = ""
        else:
            front = pref_name
        return county, f"{front}{names[county]}民政局"
    if prefecture in names and pref_name not in _PLACEHOLDER_PREFECTURES and "直辖" not in pref_name:
        return prefecture + "00", f"{pref_name}民政局"
    return province + "0000", f"{prov_name}民政厅"


def _townships(codes: Iterable[str], names: dict[str, str], gbt: set[str] | None) -> list[Township]:
    out = []
    for code in codes:
        if len(code) != 9 or code[:6] not in names:
            raise ValueError(f"{code} is not a township whose county is in the lists")
        registry, registry_name = _registry(code, names, gbt)
        out.append(Township(code, names[code], names[code[:6]], names.get(code[:4], ""),
                            names.get(code[:2], ""), registry, registry_name))
    return out


def townships_from_lists(lists: Sequence[Path | str], codes: Iterable[str] = (),
                         prefixes: Iterable[str] = ()) -> list[Township]:
    """Townships from the official lists (files or a folder, as for the division importer).

    ``codes`` picks townships by code (in that order); ``prefixes`` picks every
    township under a code; with neither, every township of the lists.
    """
    official = read_official(lists)
    names = {code: d.name for code, d in official.items()}
    gbt: set[str] = set()
    for path in list_files(lists):
        if list_format(path) == "mca-gbt2260":
            gbt.update(d.code for d in read_list(path)[1])
    codes, prefixes = list(codes), tuple(prefixes)
    if not codes:
        codes = [c for c in sorted(names) if len(c) == 9 and (not prefixes or c.startswith(prefixes))]
    missing = [c for c in codes if c not in names]
    if missing:
        raise ValueError(f"not in the lists given: {', '.join(missing[:5])}")
    return _townships(codes, names, gbt or None)


def townships_from_table(project_root: Path) -> list[Township]:
    """The townships of a project's divisions table."""
    rows = read_table(Path(project_root) / "datasets" / "reference" / "divisions.csv")
    names = {code: row["name"] for code, row in rows.items()}
    return _townships([c for c in sorted(names) if len(c) == 9], names, None)


def _resolve(project_root: Path, divisions) -> list[Township]:
    if divisions is None:
        found = townships_from_table(project_root)
    else:
        found, table = [], None
        for item in divisions:
            if isinstance(item, Township):
                found.append(item)
                continue
            code, name = item[0], item[1]
            if table is None:
                rows = read_table(Path(project_root) / "datasets" / "reference" / "divisions.csv")
                table = {c: r["name"] for c, r in rows.items()}
            if code[:6] not in table:
                raise ValueError(f"county of {code} {name} is not in the project's divisions table; "
                                 "pass Township objects from townships_from_lists()")
            found.extend(_townships([code], {**table, code: name}, None))
    if not found:
        raise ValueError("no townships to place records in")
    bad = [t.code for t in found if len(t.code) != 9 or not t.code.isdigit()]
    if bad:
        raise ValueError(f"not 9-digit township codes: {', '.join(bad[:5])}")
    return found


# --- identifiers ------------------------------------------------------------------------------


def org_code_check(body: str) -> str:
    """The GB 11714 check character of an 8-character organization code body."""
    total = sum(_ORG_CODE_VALUES[c] * w for c, w in zip(body, _ORG_CODE_WEIGHTS))
    value = 11 - total % 11
    return "0" if value == 11 else "X" if value == 10 else str(value)


def make_uscc(type_char: str, registry: str, serial: int) -> str:
    """A valid civil-affairs USCC: 5, the type, the registry's GB/T 2260 code, MJ+6 digits+check, check."""
    body = f"MJ{serial:06d}"
    stem = f"5{type_char}{registry}{body}{org_code_check(body)}"
    return stem + stdnum_uscc.calc_check_digit(stem)


# --- the generator ----------------------------------------------------------------------------


@dataclass
class Vocabularies:
    terms: dict[str, list[dict]]

    @classmethod
    def read(cls, project_root: Path) -> "Vocabularies":
        folder = Path(project_root) / "datasets" / "vocabularies"
        terms = {}
        for path in sorted(folder.glob("*.yaml")):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
            terms[path.stem] = [t for t in data.get("terms") or () if isinstance(t, dict) and "code" in t]
        return cls(terms)

    def __post_init__(self):
        self._codes = {name: [t["code"] for t in terms] for name, terms in self.terms.items()}
        self._labels = {(name, t["code"], lang): str(t.get(f"label_{lang}", t["code"]))
                        for name, terms in self.terms.items() for t in terms for lang in ("en", "zh")}

    def codes(self, name: str) -> list[str]:
        return self._codes.get(name, [])

    def label(self, name: str, code: str, lang: str) -> str:
        return self._labels.get((name, code, lang), code)


@dataclass
class GenerateResult:
    organizations: list[str] = field(default_factory=list)  # ids, in the order generated
    incubators: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


class _Generator:
    def __init__(self, root: Path, townships: list[Township], seed: int, today: dt.date):
        self.root, self.townships, self.today = root, townships, today
        self.rng = random.Random(seed)
        self.vocab = Vocabularies.read(root)
        for needed in ("legal_forms", "management_tracks", "statuses", "fields_of_activity"):
            if not self.vocab.codes(needed):
                raise ValueError(f"vocabulary {needed} is missing or empty in {root}/datasets/vocabularies")
        forms = self.vocab.terms["legal_forms"]
        self.uscc_type = {t["code"]: str(t["uscc_type"]) for t in forms if t.get("uscc_type") is not None}
        self.registered_forms = [c for c in self.vocab.codes("legal_forms") if c in self.uscc_type]
        self.unregistered_form = next(c for c in self.vocab.codes("legal_forms") if c not in self.uscc_type)
        self.topics: dict[str, list[Topic]] = {}
        for topic in TOPICS:
            self.topics.setdefault(topic.field, []).append(topic)
        self.rural_townships = [t for t in townships if not t.urban]
        self.ids: set[str] = set()
        self.names: set[str] = set()
        self.repeats: dict[str, int] = {}
        self.serials: set[tuple[str, int]] = set()
        self.incubators: list[dict] = []
        self.incubators_near: dict[str, list[dict]] = {}

    # small helpers
    def token(self, prefix: str) -> str:
        while True:
            value = prefix + "".join(self.rng.choices(_TOKEN, k=8))
            if value not in self.ids:
                self.ids.add(value)
                return value

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def phone(self, place: Township) -> str | None:
        area = AREA_CODES.get(place.prefecture) or AREA_CODES.get(place.province)
        if area is None:
            return None  # no area code known for the place: give none rather than a wrong one
        r = self.rng
        return f"{area}-{r.randint(5, 8)}{r.randint(0, 999):03d} {r.randint(0, 9999):04d}"

    def community(self, place: Township, rural: bool = False) -> tuple[str, str, str]:
        """(name, English name, committee) of an invented community in the township."""
        if not rural and (place.urban or self.rng.random() < 0.3):
            stem, en = self.rng.choice(URBAN_COMMUNITIES)
            return f"{stem}社区", f"{en} Community", f"{stem}社区居民委员会"
        stem, en = self.rng.choice(RURAL_COMMUNITIES)
        return f"{stem}村", f"{en} Village", f"{stem}村民委员会"

    def unique(self, build):
        """``build()`` gives (Chinese name, English name, extra); try until the Chinese name is new."""
        for _ in range(20):
            zh, en, extra = build()
            if zh not in self.names:
                break
        else:
            n = self.repeats.get(zh, 1) + 1
            while f"{zh}（{n}）" in self.names:
                n += 1
            self.repeats[zh] = n
            zh, en = f"{zh}（{n}）", f"{en} ({n})"
        self.names.add(zh)
        return zh, en, extra

    def source(self, dataset: str, rid: str, name: str, accessed: dt.date) -> dict:
        what = "organization" if dataset == "organizations" else "incubator"
        return {"title": f"虚构示例数据：{name}（FICTIONAL demonstration record, not a real {what}）",
                "url": f"https://example.org/shequ-demo/{dataset}/{rid}", "accessed": accessed}

    # incubators
    def incubator(self, j: int) -> dict:
        r = self.rng
        kinds = self.vocab.codes("incubator_kinds") or list(INCUBATOR_NAMES)
        kind = kinds[j % len(kinds)] if j < len(kinds) else r.choice(kinds)
        county_level = kind in ("incubation-base", "cultivation-fund")
        base_zh, base_en = INCUBATOR_NAMES.get(kind, ("社区社会组织服务中心", "Community Social Organization Centre"))

        def build():
            p = r.choice(self.townships)
            if county_level:
                return f"{p.county_name}{base_zh}", f"{p.county_en} {base_en}", p
            return f"{p.county_name}{p.name}{base_zh}", f"{p.name_en} {base_en}", p

        zh, en, where = self.unique(build)
        rid = self.token("inc-")
        opened = self.day_between(dt.date(2012, 1, 1), self.today - dt.timedelta(days=3 * 365))
        stem, stem_en = r.choice(AGENCY_STEMS)
        operator = f"{where.county_name}{stem}社会工作服务中心"
        host = where.registry_name if county_level else where.office
        supports = self.vocab.codes("support_types")
        chosen = []
        if supports:
            chosen = [supports[j % len(supports)]]
            if "incubation" in supports and kind != "cultivation-fund":
                chosen.append("incubation")
            chosen += r.sample(supports, k=min(len(supports), r.randint(1, 3)))
            chosen = [c for c in supports if c in set(chosen)]
        verified = self.day_between(self.today - dt.timedelta(days=240), self.today)
        community, _, _ = self.community(where)
        capacity = r.choice((10, 12, 15, 20, 24, 30, 40, 50)) if kind != "cultivation-fund" else r.choice((20, 30, 50))
        kind_en = self.vocab.label("incubator_kinds", kind, "en").lower()
        kind_zh = self.vocab.label("incubator_kinds", kind, "zh")
        place_en = where.county_en if county_level else f"{where.name_en}, {where.county_en}"
        place_zh = where.county_name if county_level else f"{where.county_name}{where.name}"
        rec = {
            "id": rid,
            "name": zh,
            "name_en": en,
            "kind": kind,
            "operator": operator,
            "host_body": host,
            "division": where.county if county_level else where.code,
            "address": f"{where.name}{community}党群服务中心二层" if not county_level
            else f"{where.name}{community}社会组织服务中心",
            "opened": opened,
            "capacity": capacity,
            "support_types": chosen,
            "website": f"https://example.org/shequ-demo/incubators/{rid}" if r.random() < 0.6 else None,
            "email": f"{rid}@example.org" if r.random() < 0.6 else None,
            "phone": self.phone(where) if r.random() < 0.7 else None,
            "sources": [self.source("incubators", rid, zh, verified)],
            "last_verified": verified,
            "description_en": (f"This is a FICTIONAL demonstration record; the incubator does not exist. "
                               f"It is a {kind_en} in {place_en}, run by a fictional social work agency, "
                               f"and can support up to {capacity} community organizations at a time."),
            "description_zh": (f"本条为虚构的示例数据，该孵化平台并不存在。它是设在{place_zh}的{kind_zh}，"
                               f"由一家虚构的社会工作服务机构运营，可同时扶持{capacity}个社区社会组织。"),
        }
        self.incubators.append(rec)
        for key in (rec["division"][:6], rec["division"][:4]):
            self.incubators_near.setdefault(key, []).append(rec)
        return rec

    # organizations
    def organization(self, i: int) -> dict:
        r = self.rng
        vocab = self.vocab
        today = self.today
        place = r.choice(self.townships)

        # management track and legal form: the first records cover every combination
        combos = [("registered", f) for f in self.registered_forms] + [("filed", self.unregistered_form),
                                                                       ("community-guided", self.unregistered_form)]
        if i < len(combos):
            track, form = combos[i]
        else:
            x = r.random()
            if x < 0.38:
                track = "registered"
                form = r.choices(self.registered_forms,
                                 weights=[FORM_WEIGHTS.get(f, 5) for f in self.registered_forms])[0]
            else:
                track, form = ("filed" if x < 0.8 else "community-guided"), self.unregistered_form

        # fields of activity, and a topic that fits the main one
        fields = vocab.codes("fields_of_activity")
        main = fields[i % len(fields)] if i < 3 * len(fields) else r.choice(fields)
        if main == "rural-production" and place.urban and self.rural_townships:
            place = r.choice(self.rural_townships)
        topic = r.choice(self.topics.get(main, [GENERIC_TOPIC]))
        org_fields = [main] + [f for f in topic.also if f in fields and r.random() < 0.5]

        # name, and the (invented) community it works in
        rural = main == "rural-production"
        if form == self.unregistered_form:
            def build():
                c, g = self.community(place, rural), r.choice(topic.groups)
                if r.random() < 0.5:  # many groups name their sub-district or town too
                    return f"{place.name}{c[0]}{g[0]}", f"{c[1]} {g[1]}, {place.name_en}", (c, c[0] + g[0])
                return f"{c[0]}{g[0]}", f"{c[1]} {g[1]}", (c, g[0])
        else:
            kind = (r.choice(FOUNDATIONS) if form == "foundation" else
                    topic.association if form == "social-group" else topic.agency)

            def build():
                c = self.community(place, rural)
                return f"{place.county_name}{c[0]}{kind[0]}", f"{c[1]} {kind[1]}", (c, c[0] + kind[0])
        name, name_en, ((community, community_en, committee), short) = self.unique(build)
        alternates = [short] if r.random() < 0.25 and short != name else []

        # statuses: the first records cover every status
        statuses = vocab.codes("statuses")
        status = statuses[(i // 2) % len(statuses)] if i < 2 * len(statuses) else \
            r.choices(statuses, weights=[STATUS_WEIGHTS.get(s, 1) for s in statuses])[0]

        # dates
        latest_start = today - dt.timedelta(days=(3 * 365 if status == "dissolved" else 90))
        if track == "registered":
            founded = self.day_between(dt.date(2006, 1, 1), latest_start)
        else:
            founded = self.day_between(dt.date(2012, 1, 1), latest_start)
        incubator = None
        incubated_from = incubated_until = None
        # incubators of the same county; a city's incubation bases also take organizations from nearby
        near = self.incubators_near.get(place.county) or [
            x for x in self.incubators_near.get(place.prefecture, ()) if x["kind"] == "incubation-base"]
        near = [x for x in near if x["kind"] != "cultivation-fund" or r.random() < 0.5]
        if near and r.random() < 0.4:
            candidate = r.choice(near)
            start = max(founded, candidate["opened"]) + dt.timedelta(days=r.randint(0, 200))
            if start <= latest_start:
                incubator = candidate
                incubated_from = start
                incubated_until = start + dt.timedelta(days=r.randint(180, 720))
                if incubated_until > today - dt.timedelta(days=1):
                    incubated_until = None  # still in incubation
        if track == "registered":
            earliest = incubated_from or founded
            registration_date = self.day_between(earliest, min(earliest + dt.timedelta(days=3 * 365), latest_start))
            authority = place.registry_name
        elif track == "filed":
            earliest = max(founded, dt.date(2016, 9, 1))
            registration_date = self.day_between(earliest, min(earliest + dt.timedelta(days=2 * 365), latest_start))
            if registration_date < founded:
                registration_date = founded
            authority = place.office
        else:
            registration_date, authority = None, None
        dissolved = None
        if status == "dissolved":
            last = max(d for d in (founded, registration_date, incubated_until, incubated_from) if d)
            dissolved = self.day_between(min(last + dt.timedelta(days=365), today - dt.timedelta(days=30)),
                                         today - dt.timedelta(days=30))
            if incubated_until is None and incubated_from is not None:
                incubated_until = self.day_between(incubated_from + dt.timedelta(days=90), dissolved)

        # identifiers and places
        rid = self.token("org-")
        uscc = None
        division = place.code
        if track == "registered":
            while True:
                serial = r.randint(0, 999_999)
                if (place.registry, serial) not in self.serials:
                    self.serials.add((place.registry, serial))
                    break
            uscc = make_uscc(self.uscc_type[form], place.registry, serial)
            if r.random() < 0.2:
                division = place.county  # some register and work across the whole county

        # who they serve and what they do; the first records cover every term
        pops_all, funcs_all = vocab.codes("service_populations"), vocab.codes("service_functions")
        pops = [p for p in topic.populations if p in pops_all]
        pops = r.sample(pops, k=min(len(pops), r.randint(1, 2))) if pops else []
        funcs = [f for f in topic.functions if f in funcs_all]
        funcs = r.sample(funcs, k=min(len(funcs), r.randint(1, 2))) if funcs else []
        if i < 2 * len(pops_all) and pops_all:
            pops.append(pops_all[i % len(pops_all)])
        if i < 2 * len(funcs_all) and funcs_all:
            funcs.append(funcs_all[i % len(funcs_all)])
        pops = [p for p in pops_all if p in set(pops)]
        funcs = [f for f in funcs_all if f in set(funcs)]

        # support received
        supports = vocab.codes("support_types")
        wanted = []
        if supports and i < 2 * len(supports):
            wanted.append(supports[i % len(supports)])
        n_support = r.choices((0, 1, 2, 3), weights=(3, 4, 2, 1))[0]
        wanted += r.sample(supports, k=min(n_support, len(supports))) if supports else []
        if incubator is not None and "incubation" in supports and r.random() < 0.7:
            wanted.append("incubation")
        if "incubation" in wanted and incubator is None:
            wanted.remove("incubation")
            if not wanted and supports:
                wanted.append(supports[0])
        first_year = (incubated_from or founded).year
        end_year = (dissolved or today).year
        support = []
        for code in dict.fromkeys(wanted):
            year = r.randint(first_year, end_year)
            if code == "incubation" and incubator is not None:
                provider, year = incubator["name"], incubated_from.year
            elif code in ("operation-support", "human-resources") and incubator is not None:
                provider = incubator["operator"]
            elif code in ("activity-sites", "activity-funding"):
                provider = committee if r.random() < 0.5 else place.office
            elif code == "activity-subsidies":
                provider = place.office
            else:
                provider = place.registry_name
            amount = None
            if code in AMOUNTS:
                low, high, step = AMOUNTS[code]
                if track != "registered":
                    high = max(low, high // 5)  # informal groups get small sums
                amount = r.randint(low // step, high // step) * step
            support.append({"type": code, "provider": provider, "year": year, "amount_cny": amount})
        support.sort(key=lambda s: (s["year"], supports.index(s["type"])))

        # contact, verification
        last_date = max(d for d in (founded, registration_date, dissolved, incubated_from, incubated_until) if d)
        verified = self.day_between(max(last_date, today - dt.timedelta(days=300)), today)
        active = status != "dissolved"
        website = f"https://example.org/shequ-demo/organizations/{rid}" if active and r.random() < 0.3 else None
        email = f"{rid}@example.com" if active and r.random() < 0.4 else None
        phone = self.phone(place) if active and track != "community-guided" and r.random() < 0.4 else None

        # descriptions
        field_en = _and([vocab.label("fields_of_activity", f, "en").lower() for f in org_fields])
        field_zh = "、".join(vocab.label("fields_of_activity", f, "zh") for f in org_fields)
        pop_en = _and([vocab.label("service_populations", p, "en").lower() for p in pops]) or "local residents"
        pop_zh = "、".join(vocab.label("service_populations", p, "zh") for p in pops) or "社区居民"
        form_en = vocab.label("legal_forms", form, "en").split(" (")[0].lower()
        form_zh = vocab.label("legal_forms", form, "zh").split("（")[0]
        track_en = {"registered": f"is registered with civil affairs as a {form_en}",
                    "filed": "is filed with the local sub-district office or township government",
                    "community-guided": "is a small group guided by its community"}[track]
        track_zh = {"registered": f"在民政部门登记的{form_zh}",
                    "filed": "向街道办事处或乡镇政府备案的社区社会组织",
                    "community-guided": "由社区指导管理的小型群众团体"}[track]
        state_en = {"suspended": " It has suspended its activities.",
                    "dissolved": f" It was dissolved in {dissolved.year if dissolved else ''}."}.get(status, "")
        state_zh = {"suspended": "目前已停止活动。",
                    "dissolved": f"已于{dissolved.year if dissolved else ''}年注销。"}.get(status, "")
        ongoing = incubator is not None and incubated_until is None
        incubation_en = (f" It {'is being' if ongoing else 'was'} incubated by {incubator['name_en']}."
                         if incubator else "")
        incubation_zh = (f"{'正在' if ongoing else '曾'}由{incubator['name']}孵化培育。" if incubator else "")
        rec = {
            "id": rid,
            "name": name,
            "name_en": name_en,
            "alternate_names": alternates,
            "legal_form": form,
            "management_track": track,
            "uscc": uscc,
            "registration_authority": authority,
            "registration_date": registration_date,
            "division": division,
            "community": community,
            "address": f"{place.name}{community}{'党群服务中心' if r.random() < 0.5 else '服务站'}"
                       f"{r.choice(('一层', '二层', '三层', '活动室'))}",
            "founded": founded,
            "status": status,
            "dissolved": dissolved,
            "incubated_by": incubator["id"] if incubator else None,
            "incubated_from": incubated_from,
            "incubated_until": incubated_until,
            "fields_of_activity": org_fields,
            "service_populations": pops,
            "service_functions": funcs,
            "support_received": support,
            "website": website,
            "email": email,
            "phone": phone,
            "sources": [self.source("organizations", rid, name, verified)],
            "last_verified": verified,
            "description_en": (f"This is a FICTIONAL demonstration record; the organization does not exist. "
                               f"It {track_en} in {community_en}, {place.name_en}, {place.county_en}, and works in "
                               f"{field_en}. It mainly serves {pop_en}.{incubation_en}{state_en}"),
            "description_zh": (f"本条为虚构的示例数据，该组织并不存在。它是{place.county_name}{place.name}{community}"
                               f"{track_zh}，活动领域为{field_zh}，主要服务{pop_zh}。{incubation_zh}{state_zh}"),
        }
        return rec


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def generate(project_root: Path, orgs: int, incubators: int,
             divisions: Sequence[Township | tuple[str, str]] | None = None, *,
             seed: int = DEMO_SEED, today: dt.date = DEFAULT_TODAY, clean: bool = False) -> GenerateResult:
    """Write ``orgs`` organizations and ``incubators`` incubators as YAML record files.

    ``divisions`` are the townships to place records in: :class:`Township` objects
    (from :func:`townships_from_lists` or :func:`townships_from_table`) or
    ``(code, name)`` pairs whose counties are in the project's divisions table;
    by default the townships of that table. With ``clean``, existing record files
    are removed first. The same arguments always give byte-identical files.
    """
    root = Path(project_root)
    townships = _resolve(root, divisions)
    gen = _Generator(root, townships, seed, today)
    result = GenerateResult()
    folders = {name: root / "datasets" / name for name in ("organizations", "incubators")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
        if clean:
            for old in folder.glob("*.yaml"):
                old.unlink()
    from shequ.tools.jsonschemas import modeline  # the editor's schema line starts every record file

    for j in range(incubators):
        rec = gen.incubator(j)
        path = folders["incubators"] / f"{rec['id']}.yaml"
        path.write_text(modeline("incubators") + "\n" + record_yaml(rec), encoding="utf-8", newline="\n")
        result.incubators.append(rec["id"])
        result.files.append(path)
    for i in range(orgs):
        rec = gen.organization(i)
        path = folders["organizations"] / f"{rec['id']}.yaml"
        path.write_text(modeline("organizations") + "\n" + record_yaml(rec), encoding="utf-8", newline="\n")
        result.organizations.append(rec["id"])
        result.files.append(path)
    return result


def write_demo(project_root: Path, lists: Sequence[Path | str]) -> GenerateResult:
    """Rebuild the shipped demonstration data and its divisions table from the official lists."""
    from shequ.sources.divisions import import_divisions
    from shequ.project import Project

    townships = townships_from_lists(lists, codes=DEMO_TOWNSHIPS)
    result = generate(project_root, DEMO_ORGANIZATIONS, DEMO_INCUBATORS, townships, seed=DEMO_SEED,
                      today=DEFAULT_TODAY, clean=True)
    project = Project.at(project_root)
    table = project.divisions_table
    if table.exists():
        table.unlink()  # the demo table lists exactly what the demo data uses
    import_divisions(project, list(lists), [])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shequ.bench.synthetic", description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", default=".", type=Path)
    parser.add_argument("--lists", action="append", type=Path, default=[],
                        help="official division lists (files or a folder); default: the project's table")
    parser.add_argument("--prefix", action="append", default=[], help="only townships under this code")
    parser.add_argument("--orgs", type=int, default=DEMO_ORGANIZATIONS)
    parser.add_argument("--incubators", type=int, default=DEMO_INCUBATORS)
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=DEFAULT_TODAY)
    parser.add_argument("--clean", action="store_true", help="remove existing record files first")
    parser.add_argument("--demo", action="store_true", help="rebuild the shipped demonstration data")
    args = parser.parse_args(argv)
    try:
        if args.demo:
            if not args.lists:
                parser.error("--demo needs --lists")
            result = write_demo(args.project, args.lists)
        else:
            townships = townships_from_lists(args.lists, prefixes=args.prefix) if args.lists else None
            result = generate(args.project, args.orgs, args.incubators, townships, seed=args.seed,
                              today=args.today, clean=args.clean)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(result.organizations)} organizations and {len(result.incubators)} incubators")
    return 0


if __name__ == "__main__":
    sys.exit(main())
