"""Records written as YAML: the one writer behind ``shequ new``, ``shequ import`` and the generator.

Plain scalars are used wherever YAML would read them back as the same text;
everything else is double-quoted (division codes always are, so they stay text).
Empty values are left out. The output is stable: the same record gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Iterable

import yaml

_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_BAD_START = set("-?:,[]{}#&*!|>'\"%@`=+~ \t")
_FLOW_CHARS = set(",[]{}")
_UNSAFE = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029\ufeff]")


def _plain_ok(s: str, flow: bool = False) -> bool:
    if not s or s[0] in _BAD_START or s[-1] in " :" or ": " in s or " #" in s:
        return False
    if _UNSAFE.search(s):
        return False
    if flow and not _FLOW_CHARS.isdisjoint(s):
        return False
    if ord(s[0]) >= 0x2E80:  # CJK first: no implicit resolver starts with it
        return True
    return _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) == _STR_TAG


def _quote(s: str) -> str:
    text = json.dumps(s, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def _scalar(value, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, float):
        return repr(value)
    return value if _plain_ok(value, flow) else _quote(value)


def record_yaml(record: dict, quoted: Iterable[str] = ("division",)) -> str:
    """A record as block YAML in its own key order; None, empty text and empty lists are left out.

    Keys in ``quoted`` are always double-quoted (division codes must stay text).
    """
    quoted = set(quoted)
    lines = []
    for key, value in record.items():
        if value is None or value == "":
            continue
        if isinstance(value, list):
            if not value:
                continue
            if all(isinstance(v, str) and _plain_ok(v, True) for v in value):
                lines.append(f"{key}: [{', '.join(value)}]")
                continue
            lines.append(f"{key}:")
            for item in value:
                if isinstance(item, dict):
                    first = True
                    for k, v in item.items():
                        if v is None or v == "" or v == []:
                            continue
                        text = f"[{', '.join(_scalar(x, True) for x in v)}]" if isinstance(v, list) else _scalar(v)
                        lines.append(f"{'  - ' if first else '    '}{k}: {text}")
                        first = False
                else:
                    lines.append(f"  - {_scalar(item)}")
        elif key in quoted:
            lines.append(f"{key}: {_quote(str(value))}")
        else:
            lines.append(f"{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"
