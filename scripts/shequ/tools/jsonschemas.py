"""JSON Schemas of the YAML records, for editors, generated from the Table Schemas.

The Table Schemas in ``datasets/schemas/`` stay the single truth: this module
turns them, with :data:`shequ.sources.tables.LAYOUT` (which YAML key holds which child
table) and the vocabularies (the codes a field may hold), into one JSON Schema
per record type in ``datasets/schemas/json/``. Editors with the YAML language
server read it from the first line of every record::

    # yaml-language-server: $schema=../schemas/json/organization.schema.json

and then complete field names and codes, show each field's description, and
underline mistakes. The checks (``shequ validate``) remain what decides; the JSON
Schemas are a faithful, editor-sized subset of them.

``shequ schemas`` writes the files; ``shequ schemas --check`` (and a test) fails
when a Table Schema or vocabulary changed and the files were not regenerated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shequ.project import Project
from shequ.sources.yamlfiles import load_mapping
from shequ.sources.tables import LAYOUT, Child, Layout, Schemas

JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"

#: Record type (singular, as in the file name) of each record dataset.
RECORD_TYPES = {"organizations": "organization", "incubators": "incubator"}

#: Dates are YYYY-MM-DD; the YAML language server (YAML 1.2) reads them as text.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def schema_folder(project: Project) -> Path:
    return project.schemas / "json"


def schema_file(project: Project, dataset: str) -> Path:
    return schema_folder(project) / f"{RECORD_TYPES[dataset]}.schema.json"


def modeline(dataset: str) -> str:
    """The first line of every record file of ``dataset``: where editors find its JSON Schema."""
    return f"# yaml-language-server: $schema=../schemas/json/{RECORD_TYPES[dataset]}.schema.json"


def _vocabularies(project: Project) -> dict[str, list[dict]]:
    """Terms of every vocabulary, in file order (only well-formed terms; the checks report the rest)."""
    out: dict[str, list[dict]] = {}
    folder = project.vocabularies
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        data, _ = load_mapping(project, path)
        terms = (data or {}).get("terms")
        out[path.stem] = [t for t in terms if isinstance(t, dict) and isinstance(t.get("code"), str)] \
            if isinstance(terms, list) else []
    return out


def _title(field: dict) -> str:
    title = field.get("title") or field["name"]
    return f"{title} · {field['title_zh']}" if field.get("title_zh") else title


def _value_schema(field: dict, vocabulary: str | None, vocabularies: dict[str, list[dict]]) -> dict:
    """The JSON Schema of one value of a Table Schema field (without null)."""
    constraints = field.get("constraints", {})
    type_ = field.get("type", "string")
    out: dict = {}
    if type_ == "date":
        out.update(type="string", format="date", pattern=DATE_PATTERN)
    elif type_ in ("integer", "number"):
        out["type"] = type_
    elif type_ == "boolean":
        out["type"] = "boolean"
    else:
        out["type"] = "string"
        if field.get("format") in ("uri", "email"):
            out["format"] = field["format"]
    for key in ("pattern", "minLength", "maxLength", "minimum", "maximum"):
        if key in constraints and not (key == "pattern" and type_ == "date"):
            out[key] = constraints[key]
    if "enum" in constraints:
        out["enum"] = list(constraints["enum"])
    vocabulary = vocabulary or field.get("vocabulary")
    if vocabulary in vocabularies:
        terms = vocabularies[vocabulary]
        out["enum"] = [t["code"] for t in terms]
        # Shown next to each code by editors that support it (VS Code does).
        out["enumDescriptions"] = [f"{t.get('label_zh', '')} {t.get('label_en', '')}".strip() for t in terms]
    return out


def _describe(schema: dict, field: dict, vocabulary: str | None = None) -> dict:
    described = {"title": _title(field)}
    text = field.get("description", "")
    vocabulary = vocabulary or field.get("vocabulary")
    if vocabulary and vocabulary not in text:
        text += f" A code from datasets/vocabularies/{vocabulary}.yaml."
    if text:
        described["description"] = text.strip()
    return {**described, **schema}


def _nullable(schema: dict) -> dict:
    """An optional field may be left empty in YAML (``key:`` gives null), as the checks allow."""
    out = dict(schema)
    out["type"] = [out["type"], "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
        if "enumDescriptions" in out:
            out["enumDescriptions"] = [*out["enumDescriptions"], "(empty)"]
    return out


def _required(field: dict) -> bool:
    return bool(field.get("constraints", {}).get("required"))


def _child_schema(schemas: Schemas, layout: Layout, child: Child, vocabularies: dict) -> dict:
    descriptor = schemas.descriptors[child.table]
    if child.is_mapping:
        properties, required = {}, []
        for name in schemas.item_keys(child, layout):
            field = schemas.field(child.table, name)
            value = _value_schema(field, None, vocabularies)
            properties[name] = _describe(value if _required(field) else _nullable(value), field)
            if _required(field):
                required.append(name)
        item = {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
    else:
        field = schemas.field(child.table, child.column)
        vocabulary = dict(child.fixed).get("vocabulary")
        item = _value_schema(field, vocabulary, vocabularies)
    out: dict = {"title": descriptor.get("title", child.key), "type": "array", "items": item}
    if descriptor.get("description"):
        out["description"] = descriptor["description"]
    if child.min_items:
        out["minItems"] = child.min_items
    else:
        out["type"] = ["array", "null"]
    if not child.is_mapping and child.column in descriptor.get("primaryKey", ()):
        out["uniqueItems"] = True
    return out


def record_schema(project: Project, dataset: str, schemas: Schemas | None = None,
                  vocabularies: dict | None = None) -> dict:
    """The JSON Schema of one record file of ``dataset``, built from its Table Schemas."""
    schemas = schemas or Schemas(project)
    vocabularies = _vocabularies(project) if vocabularies is None else vocabularies
    layout = LAYOUT[dataset]
    main = schemas.descriptors[layout.main]
    properties: dict = {}
    required: list[str] = []
    children = {c.key: _child_schema(schemas, layout, c, vocabularies) for c in layout.children}
    for field in main["fields"]:
        name = field["name"]
        if name == "last_verified":  # lists read best before the closing dates and descriptions
            properties.update(children)
            children = {}
        value = _value_schema(field, None, vocabularies)
        properties[name] = _describe(value if _required(field) else _nullable(value), field)
        if _required(field):
            required.append(name)
    properties.update(children)
    required += [c.key for c in layout.children if c.min_items]
    record_type = RECORD_TYPES[dataset]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": f"Shequ {record_type} record",
        "description": (
            f"{main.get('title', dataset)}: one record per file in datasets/{dataset}/. "
            f"Generated by 'shequ schemas' from datasets/schemas/{layout.main}.schema.json and the tables of "
            "its lists; do not edit by hand. 'shequ validate' runs the full checks."
        ),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


@dataclass
class SchemaFile:
    path: Path
    text: str
    current: bool  # the file on disk already holds exactly this text


def generate(project: Project) -> list[SchemaFile]:
    """Every record JSON Schema with the text it should have, compared with the file on disk."""
    schemas, vocabularies = Schemas(project), _vocabularies(project)
    out = []
    for dataset in LAYOUT:
        path = schema_file(project, dataset)
        text = render(record_schema(project, dataset, schemas, vocabularies))
        on_disk = path.read_text(encoding="utf-8") if path.is_file() else None
        out.append(SchemaFile(path, text, on_disk == text))
    return out


def write(project: Project) -> list[SchemaFile]:
    """Write the record JSON Schemas that changed; returns every file with whether it was current."""
    files = generate(project)
    for f in files:
        if not f.current:
            f.path.parent.mkdir(parents=True, exist_ok=True)
            f.path.write_text(f.text, encoding="utf-8", newline="\n")
    return files


def plain(value):
    """A loaded YAML value as the YAML language server sees it: dates as YYYY-MM-DD text."""
    import datetime as dt

    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
