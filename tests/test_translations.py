"""Every interface message, vocabulary term, policy text and data dictionary entry exists in
every language of the site, and each generated page speaks its own language.

Interface text lives in one gettext catalogue per language (``shequ/locales/``, see
:mod:`shequ.render.messages`): code and templates ask for it by its English text with
``t``/``tn``/``tc``/``tcn`` (``N_``/``NC_`` in tables), and Babel's extractors, configured
in ``babel.cfg``, find every such call. Text from the data comes with its languages from
``datasets/``. The rendered pages are then read as a visitor sees them (text outside
elements marked with the other language) for interface words of the other language.
"""

from __future__ import annotations

import ast
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from jinja2 import nodes

from conftest import REPO
from shequ.render import language, messages

PACKAGE = REPO / "scripts" / "shequ"
TEMPLATES = sorted([*(PACKAGE / "templates" / "pages").glob("*.html"), PACKAGE / "templates" / "overrides" / "404.html"])
#: The Python that makes interface text: the render stage, search, the generator adapter.
PYTHON = sorted([*(PACKAGE / "render").glob("*.py"), *(PACKAGE / "search").glob("*.py"),
                 *(PACKAGE / "generator").glob("*.py")])
SCRIPT = PACKAGE / "assets" / "shequ-search.js"
SCHEMAS = sorted((REPO / "datasets" / "schemas").glob("*.schema.json"))

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: Text that may stand in a template outside a message: the same in every language.
LANGUAGE_FREE = {"SHA"}
#: Chinese in the Python that is no message: the placeholder names of the division codes
#: (data, matched against the divisions' own names) and each language's name for itself,
#: which the language switcher shows the same on every page.
CHINESE_DATA = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", *language.NAMES.values()}


# The catalogues ------------------------------------------------------------------------------------

def _extracted() -> dict:
    """Every message the code asks for, as Babel's extractors find it: (context, id) -> where."""
    with (REPO / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, line, message, _, context in extract_from_dir(REPO, method_map, options_map,
                                                                keywords=messages.KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:  # t(name): a message from a table that marks it (N_), found there
            found.setdefault((context, msgid), (f"{filename}:{line}", message))
    return found


EXTRACTED = _extracted()


def _catalogue_messages(lang: str) -> dict:
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id): m
            for m in messages.catalogue(lang) if m.id}


def test_the_extractors_find_the_messages_of_every_kind_of_file():
    places = {where.split(":")[0].rsplit("/", 2)[-2] for where, _ in EXTRACTED.values()}
    assert {"pages", "overrides", "render", "assets"} <= places, places
    assert len(EXTRACTED) > 100
    assert any(isinstance(message, tuple) for _, message in EXTRACTED.values())  # counts
    assert any(context for context, _ in EXTRACTED)  # contexts


@pytest.mark.parametrize("lang", language.LANGUAGES)
def test_every_message_has_a_translation_in_every_catalogue(lang):
    catalogue = _catalogue_messages(lang)
    for key, (where, message) in EXTRACTED.items():
        assert key in catalogue, f"{where}: {key[1]!r} is not in the {lang} catalogue ({messages.catalogue_path(lang)})"
        entry = catalogue[key]
        assert not entry.fuzzy, f"{lang}: {key[1]!r} is marked fuzzy"
        assert isinstance(entry.id, tuple) == isinstance(message, tuple), f"{where}: {key[1]!r}: a count or not"
        if isinstance(message, tuple):
            assert entry.id[1] == message[1], f"{where}: the plural of {key[1]!r} is {entry.id[1]!r} in {lang}"
        texts = list(entry.string) if isinstance(entry.string, tuple) else [entry.string]
        assert len(texts) == messages.catalogue(lang).num_plurals or not isinstance(message, tuple)
        names = set(PLACEHOLDER.findall(" ".join(entry.id if isinstance(entry.id, tuple) else [entry.id])))
        for text in texts:
            assert text and text.strip(), f"{lang}: {key[1]!r} has no translation"
            assert set(PLACEHOLDER.findall(text)) <= names, f"{lang}: {text!r} fills in what {key[1]!r} does not"


def test_each_catalogue_speaks_its_language():
    """The Chinese catalogue has Chinese (or no words at all), the English none."""
    for key, entry in _catalogue_messages("zh").items():
        for text in entry.string if isinstance(entry.string, tuple) else [entry.string]:
            words = re.sub(r"<[^>]*>|<code>.*?</code>|\{\w+\}", "", text)
            assert CJK.search(text) or not re.search(r"[A-Za-z]{2,}", words) or key[0] == "field type", text
    for entry in _catalogue_messages("en").values():
        assert not any(CJK.search(s) for s in (entry.string if isinstance(entry.string, tuple) else [entry.string]))


@pytest.mark.parametrize("lang", language.LANGUAGES)
def test_no_catalogue_holds_a_message_nothing_asks_for(lang):
    unused = set(_catalogue_messages(lang)) - set(EXTRACTED)
    assert not unused, f"{messages.catalogue_path(lang)}: messages nothing asks for: {sorted(unused, key=str)}"


def test_a_missing_catalogue_entry_is_caught():
    """The check above is not vacuous: a message only the code knows is found missing."""
    assert ("provision", "Summary") in EXTRACTED and (None, "Summary") in EXTRACTED
    assert messages.of("zh").tc("provision", "Summary") != messages.of("zh").t("Summary")
    assert messages.of("zh").t("no such message") == "no such message"  # gettext's fallback: the English


def test_a_language_without_a_catalogue_is_a_clear_error():
    from shequ.errors import ShequError

    with pytest.raises(ShequError, match=r"ja/LC_MESSAGES/shequ.po: no message catalogue for the language 'ja'"):
        messages.catalogue("ja")


def test_messages_take_the_form_of_their_count():
    zh, en = messages.of("zh"), messages.of("en")
    assert en.tn("{n} organization", "{n} organizations", 1) == "{n} organization"
    assert en.tn("{n} organization", "{n} organizations", 2) == "{n} organizations"
    assert zh.tn("{n} organization", "{n} organizations", 1) == zh.tn("{n} organization", "{n} organizations", 2) \
        == "{n} 个组织"


def test_the_search_script_gets_its_messages_from_the_catalogues():
    from shequ.search.assets import SCRIPT_MESSAGES, asset_content

    source = SCRIPT.read_text(encoding="utf-8")
    assert source.count(SCRIPT_MESSAGES) == 1
    served = asset_content("assets/shequ-search.js").decode("utf-8")
    assert SCRIPT_MESSAGES not in served
    from babel.messages.extract import extract

    asked = [m[1] for m in extract("javascript", SCRIPT.open("rb"), keywords=messages.KEYWORDS)]
    assert len(asked) > 20
    for lang in language.LANGUAGES:
        for message in asked:
            if isinstance(message, str):
                text = json.dumps(message, ensure_ascii=False) + ": " + json.dumps(messages.of(lang).t(message),
                                                                                   ensure_ascii=False)
                assert text in served, text
    assert '"{n} result": ["{n} 个结果"]' in served and '"{n} result": ["{n} result", "{n} results"]' in served


# No interface text outside the catalogues ----------------------------------------------------------

def _calls(template: Path):
    """Every call of a message function in a template, as (name, args, line)."""
    env = jinja2.Environment()
    tree = env.parse(template.read_text(encoding="utf-8"))
    for call in tree.find_all(nodes.Call):
        func = call.node
        name = func.name if isinstance(func, nodes.Name) else func.attr if isinstance(func, nodes.Getattr) else None
        if name in ("t", "tn", "tc", "tcn"):
            yield name, call.args, call.lineno


ARITY = {"t": 1, "tn": 3, "tc": 2, "tcn": 4}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_ask_for_messages_by_their_english_text(template):
    for name, args, line in _calls(template):
        where = f"{template.name}:{line}: {name}()"
        assert len(args) == ARITY[name], f"{where} takes {ARITY[name]} arguments (see shequ/render/messages.py)"
        for arg in args:
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                assert not CJK.search(arg.value), f"{where}: {arg.value!r}: a message is its English text"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_hold_no_text_outside_messages(template):
    source = template.read_text(encoding="utf-8")
    jinja_free = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", "", source, flags=re.S)
    for attribute, value in re.findall(r'\b(aria-label|data-label|title|alt|placeholder)="([^"]*)"', jinja_free):
        assert not value.strip(), f"{template.name}: {attribute}=\"{value}\" is not a message"
    text = re.sub(r"<[^>]*>", " ", jinja_free)
    words = set(re.findall(r"[A-Za-z]{2,}", text)) - LANGUAGE_FREE
    assert not words, f"{template.name}: text outside a message: {sorted(words)}"
    assert not CJK.search(text), f"{template.name}: Chinese outside a message: {CJK.findall(text)}"


def test_the_overrides_hold_no_chinese_outside_messages():
    for template in sorted((PACKAGE / "templates" / "overrides").rglob("*.html")):
        source = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)
        assert not CJK.search(source), f"{template.name}: Chinese outside a message"


@pytest.mark.parametrize("module", PYTHON, ids=lambda p: p.name)
def test_python_holds_no_chinese_interface_text(module):
    """Chinese in the code is in a docstring (an example) or is data; never interface text."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            assert not CJK.search(node.value) or node.value in CHINESE_DATA, \
                f"{module.name}:{node.lineno}: {node.value!r} belongs in the message catalogues"


def test_the_search_script_holds_no_chinese_interface_text():
    source = re.sub(r"//[^\n]*|/\*.*?\*/", "", SCRIPT.read_text(encoding="utf-8"), flags=re.S)
    strings = re.findall(r'"(?:[^"\\\n]|\\.)*"', source)
    assert strings
    assert not [s for s in strings if CJK.search(s)]


def test_every_file_the_publish_stage_describes_has_a_message():
    """datapackage.json describes its files in English; the data page needs each in every language."""
    from shequ.render.downloads import FILE_DESCRIPTIONS, OTHER_FORMATS

    source = "".join(p.read_text(encoding="utf-8") for p in sorted((PACKAGE / "publish").glob("*.py")))
    described = re.findall(r'"description": "([^"]+)"', source)
    assert described
    for text in [*described, *(d for _, _, d in OTHER_FORMATS.values())]:
        assert text in FILE_DESCRIPTIONS, f"no message for the file description {text!r}"


# Data: vocabularies, policy, schemas ---------------------------------------------------------------

_DIRECTORY = {}


def _mini_directory_cache():
    """A Directory of the repository's vocabularies and policy (with no records)."""
    if "d" not in _DIRECTORY:
        import shutil
        import tempfile

        from conftest import MiniProject
        from shequ.build.pipeline import validate
        from shequ.project import Project
        from shequ.render import Directory

        root = Path(tempfile.mkdtemp(prefix="shequ-translations-"))
        try:
            mini = MiniProject(root / "project")
            sources, report = validate(Project.at(mini.root))
            assert report.valid, report.format_text()
            _DIRECTORY["d"] = Directory(sources)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return _DIRECTORY["d"]


def test_every_vocabulary_term_has_both_labels():
    directory = _mini_directory_cache()
    assert directory.vocabularies
    for name, vocab in directory.vocabularies.items():
        assert CJK.search(vocab.title_zh) and vocab.title_en and vocab.title_en != name, name
        for code, term in vocab.terms.items():
            zh, en = str(term.get("label_zh") or ""), str(term.get("label_en") or "")
            assert CJK.search(zh), f"{name}/{code}: no Chinese label"
            assert en.strip() and not CJK.search(en), f"{name}/{code}: no English label"


def test_every_policy_text_has_both_languages():
    policy = _mini_directory_cache().policy
    assert policy is not None and policy.documents and policy.glossary

    def both(where, zh, en):
        assert zh and CJK.search(zh), f"{where}: no Chinese"
        assert en and en.strip(), f"{where}: no English"

    for document in policy.documents.values():
        both(f"{document.id} title", document.title_zh, document.title_en)
        both(f"{document.id} summary", document.summary_zh, document.summary_en)
        if document.issuer_zh or document.issuer_en:
            both(f"{document.id} issuer", document.issuer_zh, document.issuer_en)
        for provision in document.provisions:
            both(f"{provision.full_id} title", provision.title_zh, provision.title_en)
            both(f"{provision.full_id} summary", provision.summary_zh, provision.summary_en)
            for key, audience in provision.audiences.items():
                both(f"{provision.full_id} {key}", audience.zh, audience.en)
    for term in policy.glossary:
        both(f"glossary {term.id}", term.zh, term.en)
        both(f"glossary {term.id} definition", term.definition_zh, term.definition_en)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_every_schema_field_has_chinese_and_english_titles_and_descriptions(schema):
    descriptor = json.loads(schema.read_text(encoding="utf-8"))
    for key in ("title", "description"):
        assert descriptor.get(key) and not CJK.search(descriptor[key].replace("社区 / 村", "")), f"{schema.name} {key}"
        assert CJK.search(descriptor.get(f"{key}_zh") or ""), f"{schema.name}: no {key}_zh"
    for field in descriptor["fields"]:
        where = f"{schema.name} {field['name']}"
        assert field.get("title") and not CJK.search(field["title"]), f"{where}: no English title"
        assert CJK.search(field.get("title_zh") or ""), f"{where}: no Chinese title"
        assert field.get("description"), f"{where}: no English description"
        assert CJK.search(field.get("description_zh") or ""), f"{where}: no Chinese description"


# Rendered pages ------------------------------------------------------------------------------------

#: English interface words that a Chinese page must not show (as whole words).
ENGLISH_INTERFACE = (
    "All regions", "Region", "Regions", "Name", "Track", "Status", "Fields", "Details", "Sources", "Support received",
    "Organizations", "Organizations incubated", "Incubator", "Incubators", "Suggest a correction", "Record as JSON",
    "Pages", "Subdivisions", "Code", "Topics", "Statistics", "Policy", "Glossary", "Summary", "Provisions",
    "What it means", "Data it governs", "Measure", "Related provisions", "Terms", "See", "Issuer", "Number", "Date",
    "Year", "Text", "Provision", "Version", "Released", "Licence", "Files", "File", "Format", "Size", "Rows",
    "Releases", "Changes", "Licence and citation", "Data dictionary", "Field", "Type", "Required", "Description",
    "Allowed values", "yes", "no", "pattern", "bytes", "organization", "organizations", "incubators",
    "Community-based social organization", "No data yet", "Data",
)
#: Chinese interface strings that an English page must not show.
CHINESE_INTERFACE = (
    "全部地区", "地区", "名称", "管理方式", "状态", "活动领域", "基本信息", "来源", "获得的扶持", "孵化的组织",
    "纠错", "分页", "下级区划", "代码", "主题", "统计", "政策", "术语表", "概要", "条文", "意味着什么", "相关数据",
    "措施", "相关条文", "发文机关", "文号", "日期", "年份", "原文", "版本", "发布日期", "许可", "文件", "格式",
    "大小", "行数", "变化", "许可与引用", "数据字典", "字段", "类型", "必填", "说明", "允许值", "个组织",
    "个孵化机构", "政策依据", "组织数", "尚无", "字节", "数据下载",
)


class VisibleText(HTMLParser):
    """The text a reader of a page in ``lang`` sees as interface: no scripts, no code, nothing
    marked as another language; labels of attributes a screen reader speaks included."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "col", "area", "base", "source", "track", "embed",
            "rect"}

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang
        self.hidden: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        other = attrs.get("lang") is not None and attrs["lang"].split("-")[0] != self.lang
        # (An <svg> chart is one picture, role="img", named by its <title> in the page's language.)
        self.hidden.append(tag in ("script", "style", "code", "svg") or other)
        if not any(self.hidden):
            self.parts += [attrs[k] for k in ("aria-label", "data-label") if attrs.get(k)]

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.hidden:
            self.hidden.pop()

    def handle_data(self, data):
        if not any(self.hidden):
            self.parts.append(data)

    @classmethod
    def of(cls, html: str, lang: str) -> str:
        parser = cls(lang)
        parser.feed(html)
        return "\n".join(parser.parts)


def _english_words_in(text: str) -> list[str]:
    return [w for w in ENGLISH_INTERFACE if re.search(rf"(?<![A-Za-z0-9_.-]){re.escape(w)}(?![A-Za-z0-9_.-])", text)]


def _chinese_strings_in(text: str) -> list[str]:
    return [s for s in CHINESE_INTERFACE if s in text]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Every page of the mini project with its data package, rendered in both languages."""
    import os

    from conftest import ORGANIZATION, MiniProject, make_uscc
    from shequ.build.pipeline import validate
    from shequ.project import Project
    from shequ.publish.package import write_package
    from shequ.render import Directory, Renderer, Settings, listing_pages, record_pages
    from shequ.render.downloads import read_package

    os.environ.setdefault("SHEQU_TODAY", "2026-11-26")
    root = tmp_path_factory.mktemp("translations")
    mini = MiniProject(root / "project")
    # An organization with no English name or description: English pages show its Chinese.
    mini.write("organizations", "org-reading-club", ORGANIZATION.format(uscc=make_uscc(subject="MJ0000002"))
               .replace("org-silver-age", "org-reading-club").replace("朝阳区银龄互助会", "阿里社区读书会")
               .replace("name_en: Chaoyang Silver Age Mutual Aid Association\n", "")
               .replace("alternate_names: [银龄互助会]\n", "")
               .replace("description_en: A fictional mutual aid group of older residents.\n", ""))
    sources, report = validate(Project.at(mini.root))
    assert report.valid, report.format_text()
    folder = root / "data"
    folder.mkdir()
    write_package(sources, folder)
    package = read_package(folder)
    directory = Directory(sources)
    out = {}
    for lang in ("zh", "en"):
        renderer = Renderer(directory, Settings(edit_base="https://example.org/edit/main/", per_page=2), lang=lang)
        for page in [*listing_pages(renderer, package), *record_pages(renderer)]:
            page = renderer.page(page)
            out[page.path] = page
    return out


#: One page of each type, by its Chinese address.
PAGE_TYPES = {
    "organization": "organizations/org-silver-age/",
    "organization without English": "organizations/org-reading-club/",
    "incubator": "incubators/inc-chaoyang-base/",
    "organizations": "organizations/",
    "organizations, page 2": "organizations/page/2/",
    "incubators": "incubators/",
    "regions": "regions/",
    "region": "regions/110105/",
    "topics": "topics/",
    "topic": "topics/fields-of-activity/elderly-care/",
    "statistics": "statistics/",
    "data": "data/",
    "policy": "policy/",
    "policy document": "policy/opinions-2016/",
    "provision": "policy/opinions-2016/3.1/",
    "glossary": "policy/glossary/",
}


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_a_chinese_page_shows_no_english_interface(pages, kind):
    page = pages[PAGE_TYPES[kind]]
    text = VisibleText.of(page.html(), "zh")
    assert _english_words_in(text) == [], text
    assert _english_words_in(page.title) == [] and all(not _english_words_in(h) for _, h in page.toc)


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_an_english_page_shows_no_chinese_interface(pages, kind):
    page = pages["en/" + PAGE_TYPES[kind]]
    text = VisibleText.of(page.html(), "en")
    assert _chinese_strings_in(text) == [], text
    # Chinese that is there (a name, a place, a term the policy uses) is marked as Chinese.
    assert not CJK.search(text), CJK.findall(text)
    assert all(not CJK.search(h) for _, h in page.toc), page.toc


def test_the_interface_lists_catch_a_page_in_both_languages(pages):
    """The two lists above find the interface of the other language where there is some."""
    zh, en = pages["organizations/org-silver-age/"], pages["en/organizations/org-silver-age/"]
    assert _english_words_in(VisibleText.of(en.html(), "en"))
    assert _chinese_strings_in(VisibleText.of(zh.html(), "zh"))


def test_chinese_text_on_english_pages_is_marked_as_chinese(pages):
    html = pages["en/organizations/org-reading-club/"].html()
    assert '<h1 class="shequ-title"><span lang="zh">阿里社区读书会</span></h1>' in html
    assert '<span lang="zh">北京市朝阳区建外街道示例路1号</span>' in html
    assert '<p class="shequ-description" lang="zh">虚构的老年居民互助组织。</p>' in html
    assert "No English description yet" in html
    zh = pages["organizations/org-reading-club/"].html()
    assert 'lang="en"' not in zh.replace('<span lang="en">Shequ demonstration record (fictional)</span>', "")
