"""The load stage: every source of a project read into memory, with load problems.

``load(project)`` gives a :class:`Sources`: records, vocabularies, the divisions
table, package metadata, and the rows of every published table. Nothing here
judges the values; that is the checks' job.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from shequ import rules
from shequ.sources.policy import Policy, load_policy, policy_tables
from shequ.project import Project
from shequ.report import Problem
from shequ.sources.docs import DocsFolder, load_docs
from shequ.sources.releases import ReleaseChanges, load_release_changes
from shequ.sources.siteconfig import SiteConfig, load_site_config
from shequ.sources.yamlfiles import Record, load_all_records, load_mapping
from shequ.sources.place_names import load_place_names
from shequ.sources.synonyms import Synonyms, load_synonyms
from shequ.sources.tables import Origin, Schemas, Table, read_csv_table, record_tables, with_term

VOCABULARY_KEYS = ("title_en", "title_zh", "terms")


@dataclass
class Vocabulary:
    name: str
    file: str
    title_en: str
    title_zh: str
    terms: dict[str, dict]  # code -> term mapping, in file order
    raw: dict  # the file as written, for the key checks


@dataclass
class Division:
    code: str
    name: str
    level: str
    parent: str | None
    name_en: str | None = None  # made by 'shequ divisions import'; None in a table without the column
    # For townships, from NBS's village-level list: residents' and villagers' committees,
    # classed urban or rural. Text as in the table; empty when unknown.
    urban_communities: str | None = None
    rural_communities: str | None = None

    @property
    def communities(self) -> tuple[int, int] | None:
        """(urban, rural) communities, when the table knows both."""
        try:
            return int(self.urban_communities), int(self.rural_communities)
        except (TypeError, ValueError):
            return None


@dataclass
class Sources:
    project: Project
    schemas: Schemas
    records: dict[str, list[Record]]
    vocabularies: dict[str, Vocabulary]
    divisions: dict[str, Division]
    package: dict
    tables: dict[str, Table]
    policy: Policy
    problems: list[Problem] = field(default_factory=list)
    #: What the site reads besides the data: mkdocs.yml, CITATION.cff and the pages of docs_dir
    #: (None where the project has none: a project may publish data without a site).
    site_config: SiteConfig | None = None
    citation: dict | None = None
    docs: DocsFolder | None = None
    #: Near terms search joins (datasets/reference/synonyms.yaml).
    synonyms: Synonyms = field(default_factory=Synonyms)
    #: What each data release changed (datasets/releases/), newest first.
    releases: list[ReleaseChanges] = field(default_factory=list)
    #: Chinese name → name romanized from a minority language (datasets/reference/place_names.yaml).
    place_names: dict[str, str] = field(default_factory=dict)

    def published_values(self) -> Iterator[tuple[str, tuple, int | None, object]]:
        """(file, path, line, value) of every plain value in the published sources other than the
        records (which the checks walk record by record): package.yaml, CITATION.cff, the
        vocabularies, the policy documents and glossary, and the divisions table (with its line).

        Example: ``("datasets/vocabularies/statuses.yaml", ("terms", 0, "label_zh"), None, "活跃")``."""
        files = [(self.project.relative(self.project.package_file), self.package)]
        if self.citation is not None:
            files.append((self.project.relative(self.project.citation_file), self.citation))
        files += [(v.file, v.raw) for v in self.vocabularies.values()]
        files += list(self.policy.files.items())
        for file, data in files:
            for path, value in _plain_values(data):
                yield file, path, None, value
        divisions = self.tables.get("divisions")
        if divisions is not None:
            for row, origin in zip(divisions.rows, divisions.origins):
                for column, value in zip(divisions.columns, row):
                    if value is not None:
                        yield origin.file, (column,), origin.line, value

    def by_id(self, dataset: str) -> dict[str, Record]:
        return {r.id: r for r in self.records[dataset]}

    def division_path(self, code: str) -> list[Division]:
        """The division and its ancestors, top first; unknown codes are left out."""
        chain = []
        while code:
            d = self.divisions.get(code)
            if d is None:
                break
            chain.append(d)
            code = d.parent
        return chain[::-1]


def _plain_values(value, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _plain_values(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _plain_values(item, path + (i,))
    else:
        yield path, value


def load_vocabularies(project: Project, table: Table) -> tuple[dict[str, Vocabulary], list[Problem]]:
    vocabularies, problems = {}, []
    folder = project.vocabularies
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        name = path.stem
        rel = project.relative(path)
        data, found = load_mapping(project, path)
        problems.extend(found)
        if data is None:
            continue
        terms = data.get("terms")
        if not isinstance(terms, list):
            problems.append(Problem(rules.VOCABULARY_TERMS, "must be a list of terms", rel, ("terms",)))
            terms = []
        vocab = Vocabulary(name, rel, str(data.get("title_en", name)), str(data.get("title_zh", name)), {}, data)
        for i, term in enumerate(terms):
            if not isinstance(term, dict):
                problems.append(Problem(rules.VOCABULARY_TERMS, "each term must be a mapping with code, "
                                        "label_en, label_zh and provision", rel, ("terms", i)))
                continue
            row = with_term({**term, "vocabulary": name}, table.columns)
            table.add([row.get(c) for c in table.columns], Origin(rel, ("terms", i), "mapping"))
            if isinstance(term.get("code"), str):
                vocab.terms.setdefault(term["code"], term)
        vocabularies[name] = vocab
    return vocabularies, problems


def load(project: Project, records: tuple | None = None) -> Sources:
    """Every source of the project. ``records`` is what :func:`load_all_records` would give,
    when the caller already has it (the incremental rebuilds of ``serve`` parse only changed files)."""
    # Parsed YAML holds no reference cycles, so the cyclic garbage collector has
    # nothing to find while loading; left on, it rescans the growing heap again
    # and again (a third of the load time at 100,000 records). Afterwards the
    # loaded objects are frozen, so later collections skip them too.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(project, records)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _load(project: Project, loaded: tuple | None = None) -> Sources:
    schemas = Schemas(project)
    records, problems = (loaded[0], list(loaded[1])) if loaded is not None else load_all_records(project)
    tables = record_tables(schemas, records)
    vocabularies, found = load_vocabularies(project, tables["vocabulary_terms"])
    problems += found
    if project.divisions_table.is_symlink():
        # Never read through a link: it may point at any file on the machine.
        tables["divisions"] = Table("divisions", schemas.columns("divisions"))
        problems.append(Problem(rules.FILES_SYMLINK, "symbolic links are not allowed in datasets/",
                                project.relative(project.divisions_table), hint="replace the link with the file itself"))
    else:
        tables["divisions"], found = read_csv_table(project, schemas, "divisions", project.divisions_table)
        problems += found
    if not project.divisions_table.is_file() and not project.divisions_table.is_symlink():
        problems.append(Problem(rules.DIVISIONS_MISSING_TABLE, "the divisions table is missing",
                                project.relative(project.divisions_table),
                                hint="create it with 'shequ divisions import'"))
    divisions = {
        row[0]: Division(*row) for row in tables["divisions"].rows if row[0]
    }
    package, found = load_mapping(project, project.package_file)
    problems += found
    policy, found = load_policy(project, {name: set(v.terms) for name, v in vocabularies.items()})
    problems += found
    tables.update(policy_tables(schemas, policy, found))
    site_config, found = load_site_config(project)
    problems += found
    citation, found = load_citation(project)
    problems += found
    docs, found = load_docs(project, docs_folder(site_config)) if site_config is not None else (None, [])
    problems += found
    synonyms, found = load_synonyms(project)
    problems += found
    place_names, found = load_place_names(project)  # applied by 'shequ divisions import', checked here
    problems += found
    releases, found = load_release_changes(project)
    problems += found
    return Sources(project, schemas, records, vocabularies, divisions, package or {}, tables, policy, problems,
                   site_config, citation, docs, synonyms, releases, place_names)


def load_citation(project: Project) -> tuple[dict | None, list[Problem]]:
    """CITATION.cff, read as safely as every other source; None when the project has none."""
    path = project.citation_file
    if not path.exists() and not path.is_symlink():
        return None, []
    return load_mapping(project, path)


def docs_folder(config: SiteConfig) -> Path:
    """docs_dir as MkDocs finds it: relative to mkdocs.yml, ``docs`` unless set (or not plain text)."""
    value = config.get("docs_dir")
    return config.folder / (value if isinstance(value, str) and value else "docs")
