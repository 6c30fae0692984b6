"""The downloads page, generated from the published ``datapackage.json``.

It lists every file with its format, size, sha256 and row count; the version,
licence and how to cite (from ``CITATION.cff``); a data dictionary from the
Table Schemas; schema.org ``Dataset`` JSON-LD with a ``DataDownload`` per file;
and it comes with ``catalog.ttl``, a DCAT catalogue in Turtle that CKAN's DCAT
harvester (ckanext-dcat) reads.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from markupsafe import Markup

from shequ.publish import hsds, parquet
from shequ.publish.bundles import EVERYTHING_ZIP, EXCEL_CSV_ZIP
from shequ.publish.package import WORKBOOK
from shequ.sources.yamlfiles import YamlProblem, parse_yaml, read_yaml_text
from shequ.render import messages
from shequ.render.html import http_url, jsonld
from shequ.render.messages import N_, NC_
from shequ.render.model import iso
from shequ.render.page import GeneratedFile, GeneratedPage, Renderer

CATALOGUE = "catalog.ttl"
CITATION = "CITATION.cff"

#: Files of a tagged release the downloads page links to (the release carries every file).
RELEASE_LINKS = ("datapackage.json", "organizations.csv", "shequ.xlsx", "shequ.sqlite")

#: The downloads most people want, first on the data page and in this order: everything in one
#: zip, the workbook, the CSVs that Excel opens on a double click. The rest is folded below them.
MAIN_DOWNLOADS = (EVERYTHING_ZIP, WORKBOOK, EXCEL_CSV_ZIP)

#: Formats of files that are not tables described in datapackage.json.
OTHER_FORMATS = {
    "datapackage.json": ("json", "application/json", "Frictionless Data Package descriptor"),
    "SHA256SUMS": ("txt", "text/plain", "Checksums for sha256sum -c"),
    "shequ-data.zip": ("zip", "application/zip", "Every file of the package in one zip, apart from SHA256SUMS"),
}

#: The English descriptions that files carry in datapackage.json (which the publish stage
#: writes in English) and those above: messages, so the data page has them in every
#: language; a table's description is its schema's title, in the schema's languages.
FILE_DESCRIPTIONS = (
    N_("Frictionless Data Package descriptor"),
    N_("Checksums for sha256sum -c"),
    N_("Every file of the package in one zip, apart from SHA256SUMS"),
    N_("The CSV tables with a UTF-8 byte order mark, for a double click in Excel."),
    N_("Every table as a sheet with Chinese titles, labels and dates; organizations_flat; a sheet 'fields'."),
    N_("Every table with typed columns, primary keys and foreign keys."),
    N_("Titles, descriptions, licence and sources of the database, for datasette -m."),
    N_("No rows yet: an empty JSON array."),
    # The exports' descriptions (shequ.publish.threesixtygiving: tests/test_exports.py keeps them equal).
    N_("360Giving Data Standard 1.4: support with an amount as grants, the organization as "
       "recipient and the provider as funder."),
    hsds.DESCRIPTION, hsds.INDEX_DESCRIPTION, parquet.PARTITIONED_DESCRIPTION, parquet.SINGLE_DESCRIPTION,
)

#: Field types of the Table Schemas: the data dictionary names a type beside it where its
#: language's word for it is not the type's own name (in English it is).
TYPE_LABELS = {"string": NC_("field type", "string"), "integer": NC_("field type", "integer"),
               "number": NC_("field type", "number"), "boolean": NC_("field type", "boolean"),
               "date": NC_("field type", "date"), "datetime": NC_("field type", "datetime"),
               "year": NC_("field type", "year"), "array": NC_("field type", "array"),
               "object": NC_("field type", "object")}


def _description_zh(description: str) -> str:
    """The Chinese of a file description that is a message; "" for any other."""
    return messages.of("zh").t(description) if description in FILE_DESCRIPTIONS else ""


@dataclass
class PackageFile:
    name: str
    format: str
    mediatype: str
    bytes: int
    sha256: str
    rows: int | None = None
    description: str = ""
    description_zh: str = ""
    #: The resource of several files this file is one of ("" for a file that is a resource).
    part_of: str = ""


@dataclass
class FileGroup:
    """A resource of several files in a folder of the package: a table's Parquet
    partitions, the HSDS pages. The data page lists them under one row."""

    name: str
    folder: str  # "parquet/organizations/"
    format: str
    description: str
    description_zh: str
    title: str  # the title of the table it repeats, if it does
    title_zh: str
    rows: int | None
    files: list[PackageFile]
    #: The name of the table (its CSV resource) whose rows these files repeat ("" for none).
    table: str = ""

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)


@dataclass
class TableFiles:
    """One table in every format it is published in: one row of the data page, so that
    a table's CSV, JSON and Parquet files are read together instead of 3 tables apart."""

    resource: dict  # the CSV resource, with its schema
    files: list[PackageFile]  # the files of its own: the CSV, the JSON
    parquet: FileGroup | None

    @property
    def rows(self) -> int | None:
        return self.resource.get("rows")


@dataclass
class Package:
    """What the downloads page needs to know about the published data package."""

    descriptor: dict
    files: list[PackageFile]
    citation: dict = field(default_factory=dict)
    releases: list = field(default_factory=list)  # shequ.sources.releases.PastRelease, newest first
    repository: str | None = None  # where tagged releases keep their files

    @property
    def tables(self) -> list[dict]:
        """The CSV resources, one per table, with their published schemas."""
        return [r for r in self.descriptor.get("resources", []) if r.get("format") == "csv"]

    @property
    def single_files(self) -> list[PackageFile]:
        """The files that are resources of their own (or describe the others)."""
        return [f for f in self.files if not f.part_of]

    @property
    def has_parquet(self) -> bool:
        return any(r.get("format") == "parquet" for r in self.descriptor.get("resources", []))

    @property
    def groups(self) -> list[FileGroup]:
        """The resources of several files, in the descriptor's order."""
        resources = self.descriptor.get("resources", [])
        tables = {r["name"]: r for r in resources if r.get("format") == "csv"}
        out = []
        for resource in resources:
            files = [f for f in self.files if f.part_of == resource.get("name")]
            if not files:
                continue
            twin = tables.get(resource["name"].removesuffix("-" + resource.get("format", "")), {})
            schema = twin.get("schema", {})
            description = resource.get("description", "")
            out.append(FileGroup(resource["name"], _common_folder([f.name for f in files]), resource.get("format", ""),
                                 description, _description_zh(description), schema.get("title", ""),
                                 schema.get("title_zh", ""), twin.get("rows"), files, twin.get("name", "")))
        return out

    @property
    def main_files(self) -> list[PackageFile]:
        """The files of ``MAIN_DOWNLOADS`` that the package has, in that order."""
        by_name = {f.name: f for f in self.single_files}
        return [by_name[name] for name in MAIN_DOWNLOADS if name in by_name]

    @property
    def table_files(self) -> list[TableFiles]:
        """Each table with its files in every format, in the descriptor's order."""
        by_name = {f.name: f for f in self.single_files}
        parquet_of = {g.table: g for g in self.groups if g.table}
        out = []
        for resource in self.tables:
            names = (resource["path"], resource["path"].removesuffix(".csv") + ".json")
            out.append(TableFiles(resource, [by_name[n] for n in names if n in by_name],
                                  parquet_of.get(resource["name"])))
        return out

    @property
    def other_files(self) -> list[PackageFile]:
        """The files of their own that are neither a main download nor a table's."""
        listed = set(MAIN_DOWNLOADS) | {f.name for t in self.table_files for f in t.files}
        return [f for f in self.single_files if f.name not in listed]

    @property
    def other_groups(self) -> list[FileGroup]:
        """The resources of several files that repeat no table (the HSDS pages)."""
        return [g for g in self.groups if not g.table]


def _common_folder(paths: list[str]) -> str:
    """The longest folder all ``paths`` are in, with a trailing slash ("" for none)."""
    parts = [p.split("/")[:-1] for p in paths]
    common = []
    for level in zip(*parts):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common) + "/" if common else ""


def read_package(folder: Path, citation_file: Path | None = None) -> Package:
    """Read a written data package folder: its descriptor and the facts of every file in it."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    # A resource of several files (the Parquet partitions, under parquet/) is not a file of this folder.
    by_path = {r["path"]: r for r in descriptor.get("resources", []) if isinstance(r.get("path"), str)}
    citation = {}
    if citation_file is not None and citation_file.is_file():
        # The checks refuse a CITATION.cff that cannot be read; this reads it with the same guards.
        try:
            citation = parse_yaml(read_yaml_text(citation_file)) or {}
        except YamlProblem:
            citation = {}
    files = []
    for path in sorted(folder.iterdir(), key=lambda p: _file_order(p.name, by_path)):
        if not path.is_file():
            continue
        data = path.read_bytes()
        resource = by_path.get(path.name, {})
        fmt, mediatype, description = OTHER_FORMATS.get(path.name, (resource.get("format", path.suffix.lstrip(".")),
                                                                   resource.get("mediatype", ""), ""))
        description_zh = _description_zh(description)
        if resource:
            schema = resource.get("schema", {})
            description = resource.get("description") or schema.get("title", "")
            description_zh = (_description_zh(resource.get("description", "")) if resource.get("description")
                              else schema.get("title_zh", "")) or ""
        # A JSON table is declared as a file (see shequ.publish.package): its rows are its CSV twin's.
        rows = resource.get("rows", by_path.get(path.with_suffix(".csv").name, {}).get("rows")
                            if resource.get("format") == "json" else None)
        files.append(PackageFile(path.name, fmt, mediatype, len(data), hashlib.sha256(data).hexdigest(),
                                 rows, description, description_zh))
    files += _files_in_folders(folder, descriptor)
    return Package(descriptor, files, citation if isinstance(citation, dict) else {})


def _files_in_folders(folder: Path, descriptor: dict) -> list[PackageFile]:
    """The files of resources in subfolders (the HSDS index and pages, the Parquet
    partitions), in the descriptor's order. A path that is not a file inside ``folder``
    is not listed: the page names only what is there."""
    root = folder.resolve()
    out = []
    for resource in descriptor.get("resources", []):
        paths = resource.get("path")
        several = isinstance(paths, list)
        for name in (paths if several else [paths]):
            if not isinstance(name, str) or "/" not in name:
                continue
            path = (folder / name).resolve()
            if root not in path.parents or not path.is_file():
                continue
            with path.open("rb") as fh:
                sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
            description = "" if several else resource.get("description", "")
            out.append(PackageFile(name, resource.get("format", ""), resource.get("mediatype", ""),
                                   path.stat().st_size, sha256, None, description, _description_zh(description),
                                   resource.get("name", "") if several else ""))
    return out


def _file_order(name: str, by_path: dict) -> tuple:
    paths = list(by_path)
    if name in paths:
        return (1, paths.index(name), name)
    return (0 if name == "datapackage.json" else 2, 0, name)


def cite_text(package: Package) -> str:
    """A plain citation, e.g. 'Shequ contributors (2026). Title (Version 0.1.0) [Data set].'"""
    c, d = package.citation, package.descriptor
    authors = ", ".join(a.get("name") or " ".join(filter(None, (a.get("given-names"), a.get("family-names"))))
                        for a in c.get("authors", []) if isinstance(a, dict)) or "Shequ contributors"
    year = str(c.get("date-released") or d.get("created") or "")[:4]
    title = c.get("title") or d.get("title") or d.get("name", "")
    version = c.get("version") or d.get("version")
    text = f"{authors} ({year}). {title}" if year else f"{authors}. {title}"
    if version:
        text += f" (Version {version})"
    return text + " [Data set]."


DOWNLOADS_TITLE = N_("Data")
DOWNLOADS_TOC = (("files", N_("Files")), ("releases", N_("Releases")), ("cite", N_("Licence and citation")),
                 ("dictionary", N_("Data dictionary")))


@dataclass
class Export:
    """A file in an exchange standard's shape, for the data dictionary: where it is, what it
    holds and the schema it follows."""

    path: str
    description: str
    description_zh: str
    schema_url: str | None


def exports(package: Package) -> list[Export]:
    """The resources that follow a standard's schema (``conformsTo``: HSDS, 360Giving)."""
    out = []
    for resource in package.descriptor.get("resources", []):
        if not resource.get("conformsTo"):
            continue
        paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
        where = _common_folder(paths) if len(paths) > 1 else paths[0]
        description = resource.get("description", "")
        out.append(Export(where, description, _description_zh(description), http_url(resource["conformsTo"])))
    return out


def _title(renderer: Renderer) -> str:
    return renderer.t(DOWNLOADS_TITLE)


def _toc(renderer: Renderer) -> list[tuple[str, str]]:
    return [(anchor, renderer.t(heading)) for anchor, heading in DOWNLOADS_TOC]


def downloads(renderer: Renderer, package: Package) -> GeneratedPage:
    path = renderer.settings.data_path
    d = package.descriptor
    licenses = [(lic.get("title") or lic.get("name", ""), http_url(lic.get("path"))) for lic in d.get("licenses", [])]
    repository = http_url(package.repository)
    release_files = [f.name for f in package.files if f.name in RELEASE_LINKS]
    body = renderer.render(
        "data.html", path,
        package=package,
        descriptor=d,
        licenses=licenses,
        cite=cite_text(package),
        catalogue=CATALOGUE,
        type_labels=TYPE_LABELS,
        package_title_zh=_package_zh(renderer, "title"),
        package_description_zh=_package_zh(renderer, "description"),
        vocabularies=renderer.directory.vocabularies,
        ld=dataset_jsonld(renderer, package),
        exports=exports(package),
        repository=repository,
        release_files=release_files,
        latest={name: f"{repository.rstrip('/')}/releases/latest/download/{name}" for name in release_files}
        if repository else {},
    )
    return GeneratedPage(path, _title(renderer), body, toc=_toc(renderer), in_nav=True)


def _package_zh(renderer: Renderer, key: str) -> str:
    """The package's ``title_zh`` or ``description_zh``, where its metadata gives one."""
    meta = getattr(renderer.directory, "package", None)
    value = meta.get(f"{key}_zh") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else ""


def deferred_downloads(renderer: Renderer, package: Callable[[], Package]) -> GeneratedPage:
    """The download page, rendered when its body is asked for: ``package()`` may wait for
    the data package that is still being written."""
    return GeneratedPage(renderer.settings.data_path, _title(renderer), "", toc=_toc(renderer), in_nav=True,
                         deferred=lambda: downloads(renderer, package()).body)


def _download_url(renderer: Renderer, name: str, page_path: str) -> str:
    """A file's address: absolute with a ``site_url``, else relative to the page (in the
    renderer's language) whose JSON-LD names it; the languages share one data folder."""
    path = renderer.settings.data_path + name
    return renderer.absolute(path) or renderer.file_link(page_path)(path)


def dataset_jsonld(renderer: Renderer, package: Package, page_path: str | None = None) -> dict:
    """schema.org ``Dataset`` for the page at ``page_path`` (without its language folder;
    default: the data page), with a ``DataDownload`` per file.

    The data page names every file, those in folders too (the Parquet partitions and the
    HSDS pages: hundreds nationally); a home page names the files that are resources of
    their own, which is every format but those, so that it stays light."""
    every_file = page_path is None
    page_path = renderer.settings.data_path if page_path is None else page_path
    d = package.descriptor
    ld = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": d.get("title") or d.get("name", ""),
        "description": d.get("description", ""),
        "identifier": d.get("name", ""),
        "version": d.get("version", ""),
        "keywords": d.get("keywords", []),
        "isAccessibleForFree": True,
        "creator": [{"@type": "Organization", "name": c.get("title", "")} for c in d.get("contributors", [])
                    if isinstance(c, dict)],
        "distribution": [
            {"@type": "DataDownload", "name": f.name, "encodingFormat": f.mediatype or f.format,
             "contentUrl": _download_url(renderer, f.name, page_path), "contentSize": str(f.bytes), "sha256": f.sha256}
            for f in (package.files if every_file else package.single_files)
        ],
    }
    licenses = [http_url(lic.get("path")) for lic in d.get("licenses", [])]
    if any(licenses):
        ld["license"] = next(u for u in licenses if u)
    if d.get("created"):
        ld["datePublished"] = str(d["created"])[:10]
    page = renderer.absolute(renderer.prefix + renderer.settings.data_path)
    if page:
        ld["url"] = page
    return ld


def home_jsonld(renderer: Renderer, package: Package) -> Markup:
    """The ``Dataset`` JSON-LD of a language's home page, as its ``<script>`` element."""
    return jsonld(dataset_jsonld(renderer, package, ""))


# DCAT ---------------------------------------------------------------------------------------------

_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _literal(value) -> str:
    text = str(value)
    for a, b in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(a, b)
    return f'"{text}"'


def _iri(value: str) -> str:
    return "<" + _IRI_UNSAFE.sub(lambda m: "%{:02X}".format(ord(m.group())), value) + ">"


#: EU Publications Office file types, for dct:format (harvesters such as data.europa.eu want IRIs).
#: PARQUET is a concept of the EU Vocabularies' file-type authority table
#: (http://publications.europa.eu/resource/authority/file-type/PARQUET), and IANA registered its
#: media type, application/vnd.apache.parquet, in 2024 (shequ.publish.parquet.MEDIATYPE).
FILE_TYPES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX", "zip": "ZIP", "txt": "TXT", "parquet": "PARQUET"}
FILE_TYPE_IRI = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE_IRI = "https://www.iana.org/assignments/media-types/"
LANGUAGES = ("http://publications.europa.eu/resource/authority/language/ZHO",
             "http://publications.europa.eu/resource/authority/language/ENG")


def _tagged(english: str, chinese: str) -> str:
    """An English and, if there is one, a Chinese literal, each tagged with its language."""
    return _literal(english) + "@en" + (f", {_literal(chinese)}@zh" if chinese else "")


#: EU data themes of the dataset (dcat:theme), with their labels in the EU vocabulary.
THEMES = {"http://publications.europa.eu/resource/authority/data-theme/SOCI": "Population and society"}
COUNTRY = "http://publications.europa.eu/resource/authority/country/CHN"

#: Titles of the distributions that hold one file per table, by format.
TABLE_DISTRIBUTIONS = {"csv": N_("Every table as CSV"), "json": N_("Every table as JSON")}
#: Title and description of the distribution of each folder's files, by the folder.
FOLDER_DISTRIBUTIONS = {
    parquet.FOLDER: (N_("Every table as Parquet, partitioned by province"), ""),
    hsds.FOLDER: (N_("Open Referral HSDS 3.0, in pages by province"), hsds.DESCRIPTION),
}


@dataclass
class Distribution:
    """One dcat:Distribution: every table in one format, or a file of its own."""

    title: str
    title_zh: str
    description: str
    description_zh: str
    format: str
    mediatype: str
    files: list[PackageFile]
    #: The file that leads to the others (the HSDS index), if there is one.
    access: PackageFile | None = None


def distributions(package: Package) -> list[Distribution]:
    """One distribution per format of the tables (DCAT-AP harvesters show each distribution as
    a resource, and 24 table files are one dataset in two formats), one per folder of files
    (the Parquet partitions, the HSDS index and pages), and one per other file."""
    tables: dict[str, Distribution] = {}
    folders: dict[str, Distribution] = {}
    out: list[Distribution] = []
    for f in package.files:
        title = TABLE_DISTRIBUTIONS.get(f.format) if f.rows is not None else None
        if "/" in f.name:
            folder = f.name.split("/", 1)[0]
            if folder not in folders:
                title, description = FOLDER_DISTRIBUTIONS.get(folder, (folder + "/", ""))
                zh = messages.of("zh")
                folders[folder] = Distribution(title, zh.t(title) if folder in FOLDER_DISTRIBUTIONS else "",
                                               description, zh.t(description) if description else "",
                                               f.format, f.mediatype, [])
                out.append(folders[folder])
            folders[folder].files.append(f)
            if not f.part_of and folders[folder].access is None:
                folders[folder].access = f
        elif title is None:
            out.append(Distribution(f.name, "", f.description, f.description_zh, f.format, f.mediatype, [f]))
        elif f.format in tables:
            tables[f.format].files.append(f)
        else:
            tables[f.format] = Distribution(title, messages.of("zh").t(title), "", "", f.format, f.mediatype, [f])
            out.append(tables[f.format])
    return out


def _coverage(renderer: Renderer, package: Package) -> tuple[str | None, str | None]:
    """The first and last day the records speak of: the earliest founding and the release."""
    entries = [*renderer.directory.organizations, *renderer.directory.incubators]
    founded = [v for v in (e.values.get("founded") for e in entries) if v is not None]
    created = str(package.descriptor.get("created") or "")[:10] or None
    return (iso(min(founded)) if founded else None), created


def catalogue(renderer: Renderer, package: Package) -> GeneratedFile:
    """``data/catalog.ttl``: one dcat:Catalog holding one dcat:Dataset, in DCAT-AP 3.0.

    IRIs are relative to the catalogue's own address; when the site's URL is configured,
    ``@base`` names that address, so that they resolve the same wherever the file is read.
    The IRIs of controlled vocabularies (file types, languages, themes…) are given their
    class here, as DCAT-AP's range shapes ask, so that the file validates on its own.
    """
    d = package.descriptor
    base = renderer.absolute(renderer.settings.data_path + CATALOGUE)
    publisher = ", ".join(c.get("title", "") for c in d.get("contributors", []) if isinstance(c, dict)) \
        or "Shequ contributors"
    lines = [
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix spdx: <http://spdx.org/rdf/terms#> .",
        "@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
    ]
    if base:
        lines.append(f"@base {_iri(base)} .")
    lines += [
        "",
        f"{_iri(CATALOGUE)} a dcat:Catalog ;",
        f"    dct:title {_literal(d.get('title') or d.get('name', ''))} ;",
        f"    dct:description {_literal('Open data published by the Shequ site: ' + (d.get('title') or ''))} ;",
        f"    dct:publisher {_iri('#publisher')} ;",
        f"    foaf:homepage {_iri('./')} ;",
        f"    dcat:dataset {_iri('#dataset')} .",
        "",
        f"{_iri('#publisher')} a foaf:Agent ;",
        f"    foaf:name {_literal(publisher)} .",
        "",
        f"{_iri('#dataset')} a dcat:Dataset ;",
        f"    dct:identifier {_literal(d.get('name', ''))} ;",
        f"    dct:title {_tagged(d.get('title') or d.get('name', ''), d.get('title_zh', ''))} ;",
        f"    dct:description {_tagged(d.get('description', ''), d.get('description_zh', ''))} ;",
        "    dct:language " + ", ".join(_iri(language) for language in LANGUAGES) + " ;",
        "    dcat:theme " + ", ".join(_iri(theme) for theme in THEMES) + " ;",
        f"    owl:versionInfo {_literal(d.get('version', ''))} ;",
        f"    dcat:landingPage {_iri('./')} ;",
        f"    dct:publisher {_iri('#publisher')} ;",
        f"    dcat:contactPoint {_iri('#contact')} ;",
    ]
    if d.get("created"):
        lines.append(f"    dct:issued {_literal(str(d['created'])[:10])}^^xsd:date ;")
        lines.append(f"    dct:modified {_literal(str(d['created'])[:10])}^^xsd:date ;")
    for keyword in d.get("keywords", []):
        lines.append(f"    dcat:keyword {_literal(keyword)} ;")
    license_url = next((u for u in (http_url(lic.get("path")) for lic in d.get("licenses", [])) if u), None)
    if license_url:
        lines.append(f"    dct:license {_iri(license_url)} ;")
    regions = renderer.directory.top_regions
    lines.append("    dct:spatial " + ", ".join([_iri(COUNTRY), *(_iri(f"#division-{r.code}") for r in regions)]) + " ;")
    start, end = _coverage(renderer, package)
    if start or end:
        lines.append(f"    dct:temporal {_iri('#coverage')} ;")
    parts = distributions(package)
    if not package.has_parquet:
        lines.append(f"    # No Parquet distribution: {parquet.INSTALL_HINT}.")
    lines.append("    dcat:distribution " + ", ".join(_iri(f"#distribution-{i}") for i, _ in enumerate(parts)) + " .")
    contact = [f"{_iri('#contact')} a vcard:Kind, vcard:Organization", f"    vcard:fn {_literal(publisher)}"]
    homepage = http_url(d.get("homepage"))
    if homepage:
        contact.append(f"    vcard:hasURL {_iri(homepage)}")
    lines += ["", " ;\n".join(contact) + " ."]
    for region in regions:
        lines += ["", f"{_iri(f'#division-{region.code}')} a dct:Location ;",
                  f"    dct:identifier {_literal(region.code)} ;",
                  f"    skos:prefLabel {_literal(region.name)}@zh ."]
    if start or end:
        period = [f"{_iri('#coverage')} a dct:PeriodOfTime"]
        if start:
            period.append(f"    dcat:startDate {_literal(start)}^^xsd:date")
        if end:
            period.append(f"    dcat:endDate {_literal(end)}^^xsd:date")
        lines += ["", " ;\n".join(period) + " ."]
    for i, part in enumerate(parts):
        title = _tagged(part.title, part.title_zh) if part.title_zh else _literal(part.title)  # a file's name
        lines += ["", f"{_iri(f'#distribution-{i}')} a dcat:Distribution ;", f"    dct:title {title} ;"]
        if part.description:
            lines.append(f"    dct:description {_tagged(part.description, part.description_zh)} ;")
        single = part.files[0] if len(part.files) == 1 else None
        access = single or part.access
        lines.append(f"    dcat:accessURL {_iri(access.name if access else './')} ;")
        lines.append("    dcat:downloadURL " + ", ".join(_iri(f.name) for f in part.files) + " ;")
        if part.format.lower() in FILE_TYPES:
            lines.append(f"    dct:format {_iri(FILE_TYPE_IRI + FILE_TYPES[part.format.lower()])} ;")
        if part.mediatype:
            lines.append(f"    dcat:mediaType {_iri(MEDIA_TYPE_IRI + part.mediatype)} ;")
        if license_url:
            lines.append(f"    dct:license {_iri(license_url)} ;")
        lines.append(f"    dcat:byteSize {_literal(sum(f.bytes for f in part.files))}^^xsd:nonNegativeInteger"
                     + (" ;" if single else " ."))
        if single:
            lines += ["    spdx:checksum [ a spdx:Checksum ;",
                      "        spdx:algorithm spdx:checksumAlgorithm_sha256 ;",
                      f"        spdx:checksumValue {_literal(single.sha256)}^^xsd:hexBinary ] ."]
    # The classes DCAT-AP's range shapes expect of the vocabularies' IRIs.
    typed = [(_iri('./'), "foaf:Document"), *((_iri(language), "dct:LinguisticSystem") for language in LANGUAGES),
             (_iri(COUNTRY), "dct:Location")]
    if license_url:
        typed.append((_iri(license_url), "dct:LicenseDocument"))
    for fmt in sorted({p.format.lower() for p in parts if p.format.lower() in FILE_TYPES}):
        typed.append((_iri(FILE_TYPE_IRI + FILE_TYPES[fmt]), "dct:MediaTypeOrExtent"))
    for mediatype in sorted({p.mediatype for p in parts if p.mediatype}):
        typed.append((_iri(MEDIA_TYPE_IRI + mediatype), "dct:MediaType"))
    lines.append("")
    lines += [f"{iri} a {cls} ." for iri, cls in typed]
    lines += [f"{_iri(theme)} a skos:Concept ; skos:prefLabel {_literal(label)}@en ." for theme, label in THEMES.items()]
    text = "\n".join(lines) + "\n"
    return GeneratedFile(renderer.settings.data_path + CATALOGUE, text.encode("utf-8"))
