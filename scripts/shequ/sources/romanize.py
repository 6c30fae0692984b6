"""English names of administrative divisions, made from their official Chinese names.

The rules followed (see docs/divisions.md, "English names"):

- the *proper name* is written in Hanyu Pinyin without tone marks as one word with a
  capital first letter, and an apostrophe before a syllable starting with a, o or e that
  follows another (西安 → Xi'an), as the Chinese place-name spelling rules of 1984 and
  GB/T 16159-2012 (4.2.4) prescribe; pinyin of the whole name, so that the generic term
  decides the reading of a polyphonic character (朝阳区 → Chaoyang);
- the *generic term* (省, 市, 区, 县, 镇, 街道…) is translated into English as the national
  standard for English in public services (GB/T 30240) and the State Council's usage do:
  Province, City, District, County, Town, Subdistrict…; where the proper name has one
  syllable the generic term's pinyin joins it before the translation (涉县 → Shexian
  County), as the 1978 State Council rules on pinyin for place names ask;
- ethnic names in autonomous areas take their romanized names (GB/T 3304: 朝鲜族 →
  Korean, 苗族 → Miao), each written separately (黔东南苗族侗族自治州 → Qiandongnan
  Miao and Dong Autonomous Prefecture);
- a few provincial-level names have an established English form that differs from the
  pinyin of their Chinese characters (陕西 Shaanxi, 内蒙古 Inner Mongolia, 香港 Hong Kong,
  澳门 Macao); they are listed in :data:`FIXED`;
- a name that comes from a minority language is transliterated from that language, as the
  1976 rules for romanizing minority-language place names prescribe (乌鲁木齐市 → Ürümqi
  City); no library knows these forms, so the project lists them
  (:mod:`shequ.sources.place_names`) and the caller passes them in ``proper_names``.

>>> english_name("浦东新区")
'Pudong New Area'
>>> english_name("延边朝鲜族自治州")
'Yanbian Korean Autonomous Prefecture'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Mapping

#: Names whose English form is not the pinyin of their characters, or that no rule splits.
FIXED = {
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "西藏自治区": "Xizang Autonomous Region",
    "新疆维吾尔自治区": "Xinjiang Uygur Autonomous Region",
    "陕西省": "Shaanxi Province",
    "香港特别行政区": "Hong Kong Special Administrative Region",
    "澳门特别行政区": "Macao Special Administrative Region",
    "北京市": "Beijing Municipality",
    "天津市": "Tianjin Municipality",
    "上海市": "Shanghai Municipality",
    "重庆市": "Chongqing Municipality",
    # Groupings of the statistical lists, not places: described, not romanized.
    "市辖区": "Municipal Districts",
    "县": "Counties",
    "省直辖县级行政区划": "County-level Divisions under the Province",
    "自治区直辖县级行政区划": "County-level Divisions under the Autonomous Region",
}

#: Proper names that pypinyin reads otherwise than the place is called.
READINGS = {"单": "shan", "长子": "zhangzi", "郫都": "pidu"}

#: Characters that place names read one way (长 as chang: 长沙, 长治; 勒 as le: 库尔勒; 什 as
#: shi: 阿图什), unless in READINGS; pypinyin reads them otherwise out of context.
PLACE_READINGS = {"长": "chang", "勒": "le", "什": "shi"}
WRONG_READINGS = {"长": ("zhang",), "勒": ("lei",), "什": ("shen",)}

#: Generic terms, longest first where one ends another: Chinese → English.
GENERIC = {
    "特别行政区": "Special Administrative Region",
    "经济技术开发区": "Economic and Technological Development Zone",
    "高新技术产业开发区": "High-tech Industrial Development Zone",
    "经济开发区": "Economic Development Zone",
    "开发区": "Development Zone",
    "工业园区": "Industrial Park",
    "管理区": "Administrative Area",
    "自治区": "Autonomous Region",
    "自治州": "Autonomous Prefecture",
    "自治县": "Autonomous County",
    "自治旗": "Autonomous Banner",
    "民族乡": "Ethnic Township",
    "街道办事处": "Subdistrict",
    "街道": "Subdistrict",
    "新区": "New Area",
    "林区": "Forest District",
    "矿区": "Mining District",
    "特区": "Special District",
    "地区": "Prefecture",
    "苏木": "Sumu",
    "省": "Province",
    "市": "City",
    "区": "District",
    "县": "County",
    "旗": "Banner",
    "盟": "League",
    "镇": "Town",
    "乡": "Township",
}
_GENERIC_ORDER = sorted(GENERIC, key=len, reverse=True)

#: Romanized names of China's ethnic groups (GB/T 3304), without 族.
ETHNIC = {
    "蒙古": "Mongolian", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uygur", "苗": "Miao", "彝": "Yi",
    "壮": "Zhuang", "布依": "Bouyei", "朝鲜": "Korean", "满": "Manchu", "侗": "Dong", "瑶": "Yao",
    "白": "Bai", "土家": "Tujia", "哈尼": "Hani", "哈萨克": "Kazak", "傣": "Dai", "黎": "Li",
    "傈僳": "Lisu", "佤": "Va", "畲": "She", "高山": "Gaoshan", "拉祜": "Lahu", "水": "Shui",
    "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "柯尔克孜": "Kirgiz", "土": "Tu",
    "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar",
    "毛南": "Maonan", "仡佬": "Gelao", "锡伯": "Xibe", "阿昌": "Achang", "普米": "Pumi",
    "塔吉克": "Tajik", "怒": "Nu", "乌孜别克": "Uzbek", "俄罗斯": "Russian", "鄂温克": "Ewenki",
    "德昂": "De'ang", "保安": "Bonan", "裕固": "Yugur", "京": "Gin", "塔塔尔": "Tatar",
    "独龙": "Derung", "鄂伦春": "Oroqen", "赫哲": "Hezhen", "门巴": "Monba", "珞巴": "Lhoba",
    "基诺": "Jino",
}
_ETHNIC_ORDER = sorted(ETHNIC, key=len, reverse=True)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def syllables(text: str) -> list[str]:
    """The pinyin syllables of ``text``, without tones (ü kept), in context.

    >>> syllables("朝阳区")
    ['chao', 'yang', 'qu']
    """
    from pypinyin import lazy_pinyin

    return [s for s in lazy_pinyin(text, v_to_u=True, errors="ignore") if s]


def join_syllables(parts: list[str]) -> str:
    """Syllables as one word, with the apostrophe the pinyin rules put before a, o or e.

    >>> join_syllables(["xi", "an"])
    "Xi'an"
    """
    word = ""
    for s in parts:
        if word and s[:1] in "aoe":
            word += "'"
        word += s
    return word[:1].upper() + word[1:]


def plain_pinyin(text: str) -> str:
    """Pinyin of ``text`` as one lower-case ASCII word, ü as u, no apostrophes (for search).

    >>> plain_pinyin("吕梁市")
    'luliangshi'
    """
    return _ascii("".join(syllables(text)))


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if c.isascii() and c.isalnum()).lower()


def _split_generic(name: str) -> tuple[str, str]:
    for generic in _GENERIC_ORDER:
        if name.endswith(generic) and len(name) > len(generic):
            return name[: -len(generic)], generic
    return name, ""


def _split_ethnic(proper: str, autonomous: bool) -> tuple[str, list[str]]:
    """A proper name and the ethnic groups at its end: 黔东南苗族侗族 → (黔东南, [苗, 侗]).

    Before 自治… the 族 may be left out (伊犁哈萨克自治州), and the group may be the whole
    name (鄂伦春自治旗)."""
    groups: list[str] = []
    while True:
        head = proper[:-1] if proper.endswith("族") else proper if autonomous and not groups else None
        if not head:
            break
        found = next((e for e in _ETHNIC_ORDER if head.endswith(e)), None)
        if found is None or (head is proper and len(found) == 1):  # 族 left out: only whole names
            break
        groups.insert(0, found)
        proper = head[: -len(found)]
    return proper, groups


def _fix_readings(text: str, reading: list[str]) -> list[str]:
    """Place-name readings of characters pypinyin reads otherwise out of context (长治 Changzhi)."""
    if len(reading) != len(text):
        return reading
    return [PLACE_READINGS.get(c, s) if s in WRONG_READINGS.get(c, ()) else s for c, s in zip(text, reading)]


def english_name(name: str, proper_names: Mapping[str, str] | None = None) -> str:
    """The English name of a division called ``name`` in Chinese (empty for an empty name).

    ``proper_names`` maps full official Chinese names to the romanized proper name that
    replaces the pinyin (乌鲁木齐市 → Ürümqi); the generic term is translated as usual.

    >>> english_name("乌鲁木齐市", {"乌鲁木齐市": "Ürümqi"})
    'Ürümqi City'
    """
    name = (name or "").strip()
    if not name or not _HAN.search(name):
        return name
    if name in FIXED:
        return FIXED[name]
    proper, generic = _split_generic(name)
    proper, groups = _split_ethnic(proper, generic.startswith("自治"))
    if groups and generic in ("镇", "乡"):
        generic = "民族乡" if generic == "乡" else generic
    transliterated = (proper_names or {}).get(name)
    if transliterated:
        word = transliterated
    else:
        # Read in context, then cut: the generic term may decide a polyphonic character.
        reading = _fix_readings(proper + generic, syllables(proper + generic))
        count = len(syllables(proper)) if proper else 0
        proper_syllables = [READINGS[proper]] if proper in READINGS else reading[:count]
        if generic and count == 1 and not groups:
            proper_syllables += reading[count:]
        word = join_syllables(proper_syllables)
    if not generic:
        return word
    english = GENERIC[generic]
    if groups:
        ethnic = " and ".join(ETHNIC[g] for g in groups)
        english = f"{ethnic} Ethnic Town" if generic == "镇" else f"{ethnic} {english}"
    return f"{word} {english}" if word else english
