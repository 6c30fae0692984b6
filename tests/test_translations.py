"""Every interface string, vocabulary term, policy text and data dictionary entry exists in
Simplified Chinese and in English, and each generated page speaks its own language.

The templates under ``templates/pages/`` hold no text of their own: interface text goes
through ``t("中文", "English")`` and labels from the data through ``bi(zh, en)``, so a
missing side shows up here as an empty or absent argument. The rendered pages are then
read as a visitor sees them (text outside elements marked with the other language) for
interface words of the other language.
"""

from __future__ import annotations

import ast
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from conftest import REPO

PACKAGE = REPO / "scripts" / "shequ"
TEMPLATES = sorted((PACKAGE / "templates" / "pages").glob("*.html"))
RENDER_MODULES = sorted((PACKAGE / "render").glob("*.py"))
SCHEMAS = sorted((REPO / "datasets" / "schemas").glob("*.schema.json"))

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: Text that may stand in a template outside t(): the same in every language.
LANGUAGE_FREE = {"SHA"}


# Templates -----------------------------------------------------------------------------------------

def _calls(template: Path):
    """Every call of t(…) and bi(…) / m.bi(…) in a template, as (name, args, line)."""
    env = jinja2.Environment()
    tree = env.parse(template.read_text(encoding="utf-8"))
    for call in tree.find_all(nodes.Call):
        func = call.node
        name = func.name if isinstance(func, nodes.Name) else func.attr if isinstance(func, nodes.Getattr) else None
        if name in ("t", "bi") and call.dyn_args is None:  # t(*pair): a pair from the render stage
            yield name, call.args, call.lineno


def _strings(node) -> list[str]:
    """The literal text an argument can give: a string, either branch of ``a if c else b``,
    the parts of ``a ~ b``; not the strings inside calls (``d.get("title", "")``)."""
    if isinstance(node, nodes.Const):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, nodes.CondExpr):
        return _strings(node.expr1) + (_strings(node.expr2) if node.expr2 is not None else [])
    if isinstance(node, nodes.Concat):
        return [s for n in node.nodes for s in _strings(n)]
    if isinstance(node, nodes.Add):
        return _strings(node.left) + _strings(node.right)
    return []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_translated_string_has_both_languages(template):
    for name, args, line in _calls(template):
        where = f"{template.name}:{line}: {name}()"
        assert len(args) == 2, f"{where} takes the Chinese and the English"
        zh, en = (_strings(a) for a in args)
        if not zh and not en:
            continue  # both sides from the data: checked with the data
        assert zh and en, f"{where}: a literal on one side only"
        assert all(s.strip() for s in zh + en), f"{where}: an empty side"
        for text in zh:
            assert CJK.search(text) or not re.search(r"[A-Za-z]{2,}", PLACEHOLDER.sub("", text)), \
                f"{where}: {text!r} is the Chinese side but has no Chinese"
        for text in en:
            assert not CJK.search(text), f"{where}: {text!r} is the English side but has Chinese"
        zh_names = {n for s in zh for n in PLACEHOLDER.findall(s)}
        for text in en:
            assert set(PLACEHOLDER.findall(text)) <= zh_names, f"{where}: {text!r} fills in what the Chinese does not"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_hold_no_text_outside_translations(template):
    source = template.read_text(encoding="utf-8")
    jinja_free = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", "", source, flags=re.S)
    for attribute, value in re.findall(r'\b(aria-label|data-label|title|alt|placeholder)="([^"]*)"', jinja_free):
        assert not value.strip(), f"{template.name}: {attribute}=\"{value}\" is not translated"
    text = re.sub(r"<[^>]*>", " ", jinja_free)
    words = set(re.findall(r"[A-Za-z]{2,}", text)) - LANGUAGE_FREE
    assert not words, f"{template.name}: text outside t(): {sorted(words)}"
    assert not CJK.search(text), f"{template.name}: Chinese outside t(): {CJK.findall(text)}"


def _render_pairs():
    """The (zh, en) literal pairs of the render stage's Python: ``renderer.t("…", "…")`` calls."""
    for module in RENDER_MODULES:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "t"
                    and not any(isinstance(a, ast.Starred) for a in call.args)):
                yield module.name, call.lineno, call.args


def test_titles_made_in_python_have_both_languages():
    found = 0
    for module, line, args in _render_pairs():
        assert len(args) == 2, f"{module}:{line}: t() takes the Chinese and the English"
        literals = [a for a in args if isinstance(a, (ast.Constant, ast.JoinedStr))]
        if not literals:
            continue
        found += 1
        assert len(literals) == 2, f"{module}:{line}: a literal on one side only"
        zh, en = (ast.unparse(a) for a in args)
        assert CJK.search(zh) and not CJK.search(en), f"{module}:{line}: {zh} / {en}"
    assert found >= 5


def test_label_tables_of_the_render_stage_have_both_languages():
    from importlib import import_module

    # (The package's own names "downloads" and "statistics" are page functions, not these modules.)
    downloads, model, policy, statistics = (import_module(f"shequ.render.{name}")
                                            for name in ("downloads", "model", "policy", "statistics"))

    pairs = [*model.LEVEL_LABELS.values(), *policy.AUDIENCES.values(), *policy.DATE_KINDS.values(),
             *((zh, en) for _, zh, en in policy.LISTINGS.values()),
             *((zh, en) for _, zh, en in policy.PROVISION_TOC), *((zh, en) for _, zh, en in downloads.DOWNLOADS_TOC),
             downloads.DOWNLOADS_TITLE]
    for zh, en in pairs:
        assert CJK.search(zh) and en and not CJK.search(en), (zh, en)
    for english, chinese in downloads.DESCRIPTIONS_ZH.items():
        assert CJK.search(chinese) and not CJK.search(english)
    for chart in statistics.charts(_mini_directory_cache()):
        assert CJK.search(chart.title_zh) and chart.title_en and not CJK.search(chart.title_en)
        assert bool(chart.note_zh) == bool(chart.note_en)


def test_every_file_the_publish_stage_describes_has_a_chinese_description():
    """datapackage.json describes its files in English; the data page needs each in Chinese."""
    from shequ.render.downloads import DESCRIPTIONS_ZH, OTHER_FORMATS

    source = (PACKAGE / "publish.py").read_text(encoding="utf-8")
    described = re.findall(r'"description": "([^"]+)"', source)
    assert described
    for text in [*described, *(d for _, _, d in OTHER_FORMATS.values())]:
        assert text in DESCRIPTIONS_ZH, f"no Chinese for the file description {text!r}"


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
