"""What counts as a web address wherever a configuration value becomes a link.

The theme writes configuration values into ``href`` attributes without escaping them,
so a URL here must be a real http(s) address with a host, and hold nothing that ends an
attribute or a tag (quotes, ``<``, ``>``, whitespace, a backslash, control characters).

Example::

    url_problem("https://github.com/o/r")          # None
    url_problem('https://x.org/"><script>')         # "holds '\"', which ..."
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_BREAKS_OUT = re.compile(r"[\s\"'<>`\\\x00-\x1f\x7f-\x9f\u2028\u2029]")


def url_problem(value, *, relative: bool = False) -> str | None:
    """Why ``value`` is not a safe http(s) URL, or None when it is. ``relative`` also
    allows a path without a scheme (``edit/main/docs/``), as MkDocs' edit_uri does."""
    if not isinstance(value, str):
        return f"is a {_kind(value)}; a URL (text) was expected"
    found = _BREAKS_OUT.search(value)
    if found:
        return f"holds {found.group()!r}, which no URL may hold (it could end the HTML attribute)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return f"'{value}' is not a URL ({exc})"
    if relative and not parts.scheme and not parts.netloc:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return f"'{value}' is not an http(s) URL"
    if not parts.hostname:
        return f"'{value}' has no host name"
    return None


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false value"
    return {int: "number", float: "number", list: "list", dict: "mapping"}.get(type(value), type(value).__name__)
