"""Tokens: the words both indexes hold and the search script looks up.

Chinese text goes in as *bigram tokens*: each pair of neighbouring Han characters written
as one ASCII word (``zq`` and the two characters' code points in base 36, three digits
each), plus the last character of each run on its own; English text as lower-case words
without a plural "s". ``shequ-search.js`` turns a query into the same words (the tests
check that the two agree).
"""

from __future__ import annotations

import re

#: Every bigram token starts with this; no English or pinyin word does.
MARKER = "zq"
#: Han characters the tokens cover: CJK Unified Ideographs and Extension A. Their code
#: points are below 36**3, so three base-36 digits hold each one.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def char_code(char: str) -> str:
    """A Han character as three base-36 digits."""
    n = ord(char)
    return DIGITS[n // 1296] + DIGITS[n // 36 % 36] + DIGITS[n % 36]


def cjk_tokens(text: str) -> list[str]:
    """The bigram tokens of the Han characters in ``text``, each once, in order.

    >>> cjk_tokens("银龄")
    ['zqtfavic', 'zqvic']
    >>> cjk_tokens("a 互助 b")
    ['zqfiqgbt', 'zqgbt']
    """
    seen: dict[str, None] = {}
    for run in HAN.findall(text or ""):
        codes = [char_code(c) for c in run]
        for a, b in zip(codes, codes[1:]):
            seen.setdefault(MARKER + a + b)
        seen.setdefault(MARKER + codes[-1])
    return list(seen)


def query_tokens(query: str) -> str:
    """A query as the search script sends it to Pagefind: Chinese runs as bigram tokens.

    The same rule as ``cjkTokens`` in ``shequ-search.js`` (the tests check they agree):
    a run of one character is its own token, which matches the pairs it starts;
    a longer run is every other pair, and the last: pairs that cover each character,
    so that a long name loads half as many index chunks (互助会 → 互助 助会,
    银龄互助 → 银龄 互助).

    >>> query_tokens("银龄 care")
    'zqtfavic care'
    """
    def run(match: re.Match) -> str:
        codes = [char_code(c) for c in match.group(0)]
        if len(codes) == 1:
            return " " + MARKER + codes[0] + " "
        starts = list(range(0, len(codes) - 1, 2))
        if starts[-1] != len(codes) - 2:
            starts.append(len(codes) - 2)
        return " " + " ".join(MARKER + codes[i] + codes[i + 1] for i in starts) + " "

    return " ".join(HAN.sub(run, query).split())



_WORD = re.compile(r"[a-z0-9]+")


def english_words(text: str) -> list[str]:
    """Lower-case words of ``text``, a plural "s" dropped (the script does the same).

    >>> english_words("Elderly Care Centres, 2nd")
    ['elderly', 'care', 'centre', '2nd']
    """
    out = []
    for word in _WORD.findall((text or "").lower()):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


def directory_words(text: str) -> set[str]:
    """Every word the directory index holds for ``text``: bigrams, single characters, English words."""
    words = set(cjk_tokens(text))
    for run in HAN.findall(text or ""):
        words.update(MARKER + char_code(c) for c in run)
    words.update(english_words(text))
    return words


#: Every pinyin word starts with this: a pair of neighbouring syllables, toneless (银龄 → zpyinling).
PINYIN_MARKER = "zp"
_SYLLABLE = re.compile(r"^([a-zü]+)[1-5]?$")


def pinyin_words(text: str) -> set[str]:
    """The pinyin words of the Han characters in ``text``: each pair of neighbouring
    syllables as one word, toneless, ü as u, marked with :data:`PINYIN_MARKER`
    (银龄互助 → zpyinling zplinghu zphuzhu). ``shequ-search.js`` makes the same words
    of a query typed in pinyin, with or without tones and spaces.

    >>> sorted(pinyin_words("银龄互助"))
    ['zphuzhu', 'zplinghu', 'zpyinling']
    """
    from shequ.render.language import pinyin

    words: set[str] = set()
    for run in HAN.findall(text or ""):
        found = [_SYLLABLE.match(s) for s in pinyin(run).split()]
        syllables = [m.group(1).replace("ü", "u").replace("v", "u") if m else "" for m in found]
        for a, b in zip(syllables, syllables[1:]):
            if a and b:
                words.add(PINYIN_MARKER + a + b)
    return words


def fnv1a(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h

