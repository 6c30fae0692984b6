"""The one way values become HTML: Jinja templates with autoescaping on.

Every template under ``templates/pages/`` is rendered by :func:`environment`,
which escapes every value unless a helper here has already made it safe.
Helpers that return :class:`~markupsafe.Markup` build it only from escaped parts.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from shequ.render import messages

TEMPLATES = "templates/pages"


#: Indentation and blank lines in template source: a fifth of each page's bytes, and nothing
#: a browser shows (a line break already separates the words on either side).
_INDENT = re.compile(r"\n[ \t]+")
_BLANK_LINES = re.compile(r"\n{2,}")
#: With ``trim_blocks``, not after a tag or comment, whose line break the environment removes:
#: the indentation may then be the only space between two words.
_INDENT_TRIMMED = re.compile(r"(?<!%\})(?<!#\})\n[ \t]+")
_BLANK_LINES_TRIMMED = re.compile(r"(?<!%\})(?<!#\})\n{2,}")


def compact(source: str, trim_blocks: bool = False) -> str:
    """Template source without indentation or blank lines: the pages it renders read the same
    (with every run of white space taken as one space, they are the same text)."""
    if trim_blocks:
        return _BLANK_LINES_TRIMMED.sub("\n", _INDENT_TRIMMED.sub("\n", source))
    return _BLANK_LINES.sub("\n", _INDENT.sub("\n", source))


class CompactLoader(jinja2.BaseLoader):
    """Loads templates through another loader, without their indentation and blank lines.

    The site's pages, the theme's and ours, are a fifth smaller; a browser shows them
    the same, since no template holds ``<pre>`` or ``<textarea>`` text.
    """

    def __init__(self, inner: jinja2.BaseLoader, trim_blocks: bool = False, compact: bool = True):
        """``trim_blocks``: as the environment's setting of that name. ``compact=False``
        passes the templates through as they are (``Settings.compact_templates``: tests compare both)."""
        self.inner = inner
        self.trim_blocks = trim_blocks
        self.compact = compact

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if not self.compact:
            return source, filename, uptodate
        return compact(source, self.trim_blocks), filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()


class _BestEffortBytecodeCache(jinja2.FileSystemBytecodeCache):
    """A cache that cannot store (a full disk, a folder removed meanwhile) compiles next time instead."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@functools.cache
def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between builds: compiling them was a quarter of a demo build's CPU.

    Jinja's default folder is private to the user (created mode 0700, its owner checked),
    and an entry is used only while its template's source is unchanged, so the output is
    the same with or without it. Where no such folder can be made, templates are compiled
    every time, as before."""
    try:
        return _BestEffortBytecodeCache()
    except (RuntimeError, OSError):
        return None


def environment(compact: bool = True) -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=bytecode_cache(),
        loader=CompactLoader(jinja2.PackageLoader("shequ", TEMPLATES), trim_blocks=True, compact=compact),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        http_url=http_url,
        date=format_date,
        number=format_number,
        filesize=format_size,
        paragraphs=paragraphs,
        text_lang=text_lang,
        chinese_marked=chinese_marked,
        text_units=text_units,
    )
    env.globals.update(jsonld=jsonld, fill=fill)
    return env


_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def text_units(value, size: float = 14) -> float:
    """About how wide ``value`` is when set at ``size``, in the same units: a Han or full-width
    character one em, any other about 0.55 em (mixed-case text in DejaVu Sans or Noto Sans).
    A chart squeezes a label wider than its drawing rather than cut it off at the edge.

    >>> text_units("生活服务"), round(text_units("Culture"), 1)
    (56.0, 53.9)
    """
    text = str(value or "")
    wide = len(_WIDE.findall(text))
    return size * wide + size * 0.55 * (len(text) - wide)


def http_url(value) -> str | None:
    """The value if it is an absolute http(s) URL with a host, else None: nothing else becomes a link."""
    if not isinstance(value, str) or any(c in value for c in " \t\r\n\"'<>`"):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def jsonld(data) -> Markup:
    """A ``<script type="application/ld+json">`` element that no value can break out of.
    Compact: it is on every record page, for machines, and its indentation was a sixth of it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup('<script type="application/ld+json">') + Markup(text) + Markup("</script>")


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


#: Chinese characters (CJK Unified Ideographs, Extension A, Compatibility Ideographs).
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: Two English words in a row: a title or a sentence, not a code, an email or a URL.
_ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}[,;:]? +[A-Za-z]{2,}")


def text_lang(value) -> str | None:
    """The language of a text from a record, where it is plain: ``"zh"`` for text with
    Chinese in it, ``"en"`` for English words; None for codes, numbers, addresses of mail.

    >>> text_lang("北京市朝阳区"), text_lang("Shequ demonstration record"), text_lang("010-6555 0123")
    ('zh', 'en', None)
    """
    if not isinstance(value, str):
        return None
    if CJK.search(value):
        return "zh"
    return "en" if _ENGLISH_WORDS.search(value) else None


#: A run of Chinese in other text: ideographs, with the Chinese punctuation between them.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff](?:[\u3000-\u303f\uff01-\uff60\u3400-\u4dbf"
                      r"\u4e00-\u9fff\uf900-\ufaff]*[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])?")


def chinese_marked(text, lang: str) -> Markup:
    """Text with each run of Chinese in it marked as Chinese, on a page in another language
    (an English summary that quotes the policy's terms: "filing (备案)"); escaped either way.

    >>> str(chinese_marked("filing (备案) & <b>", "en"))
    'filing (<span lang="zh">备案</span>) &amp; &lt;b&gt;'
    """
    text = "" if text is None else str(text)
    if lang == "zh" or not CJK.search(text):
        return escape(text)
    out, last = [], 0
    for match in _CJK_RUN.finditer(text):
        out += [escape(text[last:match.start()]), Markup('<span lang="zh">'), escape(match.group()), Markup("</span>")]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def fill(text: str, **values) -> Markup:
    """A sentence of a template, with markup in it, and each value escaped into its ``{name}``.

    The sentence is the template's own text (``t("…")``), never a
    value from the data: only the values are escaped.

    >>> str(fill("<a href='{to}'>{n} items</a>", to="x/", n="<b>"))
    "<a href='x/'>&lt;b&gt; items</a>"
    """
    return Markup(text).format(**values)


def theme_globals() -> dict:
    """What the theme overrides (``templates/overrides/``) write their text with: the messages
    for the theme's ``language`` (``shequ_messages(tag).t("Search")``), those of every
    language (the 404 page speaks each) and :func:`fill`."""
    return {"shequ_messages": messages.for_tag, "shequ_every_language": messages.every_language(), "shequ_fill": fill}


def paragraphs(text) -> list[str]:
    """Text split at blank lines; each paragraph is still plain text for the template to escape."""
    return [p.strip() for p in re.split(r"\n\s*\n", str(text or "")) if p.strip()]


def format_date(value) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


def format_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, (int, float)) else str(value)


def format_size(size: int, lang: str = "en") -> str:
    """A file's size for people in ``lang``: ``1,234 bytes``, ``1.2 KB``…"""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            if unit == "bytes":
                return messages.of(lang).t("{size} bytes").format(size=f"{size:,}")
            return f"{size:,.1f} {unit}"
        size /= 1024
    return str(size)


def relative(from_page: str, to: str) -> str:
    """A relative link from the page at ``from_page`` (a site path like ``a/b/``) to ``to``.

    Relative links keep the site working under any base path.

    >>> relative("organizations/x/", "incubators/y/")
    '../../incubators/y/'
    >>> relative("", "data/shequ.xlsx")
    'data/shequ.xlsx'
    """
    # Every page is a folder ("a/b/"), so the way up is one "../" per level; this runs
    # hundreds of thousands of times on a large directory, so no posixpath.relpath.
    if to.startswith(from_page):
        return to[len(from_page):] or "./"
    return "../" * from_page.count("/") + to if (from_page or to) else "./"
