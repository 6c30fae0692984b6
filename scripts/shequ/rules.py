"""The catalogue of rule ids: every problem Shequ reports names one of these rules.

Each rule has a stable id (``uscc.check-character``), a severity, a short title, a
description of what it checks, a hint on how to fix it, and an example: the smallest
change to a valid project that makes ``shequ validate`` report it. Code refers to the
constants below (``rules.USCC_CHECK_CHARACTER``), never to a free string, and a
:class:`~shequ.report.Problem` with an id that is not here fails at once.

``shequ rules`` prints this catalogue as the maintainers' rules reference.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

ORG = "datasets/organizations/org-silver-age.yaml"
FILED = "datasets/organizations/org-harmony-mediators.yaml"
INC = "datasets/incubators/inc-chaoyang-base.yaml"
PACKAGE = "datasets/package.yaml"
DOC = "datasets/policy/documents/charity-law.yaml"
GLOSSARY = "datasets/policy/glossary.yaml"


@dataclass(frozen=True)
class Change:
    """One change to a file of the small valid project the tests use (tests/conftest.py).

    ``action`` is ``edit`` (replace ``old`` by ``new`` in ``file``), ``write`` (create or
    replace ``file``, holding ``new``, text or bytes), ``delete``, ``folder`` (create a
    folder) or ``symlink`` (``file`` links to ``new``).
    """

    file: str
    action: str = "edit"
    old: str | None = None
    new: str | bytes | None = None


@dataclass(frozen=True)
class Example:
    """The changes that make ``shequ validate`` report a rule; ``also`` names the rules the
    same changes necessarily report as well."""

    changes: tuple[Change, ...]
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    description: str
    hint: str
    example: Example | None
    severity: str = ERROR
    #: Why no source file can trigger the rule, for rules without an example.
    untriggerable: str | None = None

    def __str__(self) -> str:
        return self.id


CATALOGUE: dict[str, Rule] = {}


def _rule(id: str, title: str, description: str, hint: str, example: Example | None = None, *,
          severity: str = ERROR, untriggerable: str | None = None) -> Rule:
    assert id not in CATALOGUE, id
    assert (example is None) == (untriggerable is not None), id
    CATALOGUE[id] = rule = Rule(id, title, description, hint, example, severity, untriggerable)
    return rule


def get(rule_id: str) -> Rule:
    """The rule with this id; a ``KeyError`` naming it if the catalogue has none."""
    try:
        return CATALOGUE[rule_id]
    except KeyError:
        raise KeyError(f"rule id {rule_id!r} is not in the catalogue (shequ/rules.py)") from None


def _edit(file: str, old: str, new: str, *also: str) -> Example:
    return Example((Change(file, "edit", old, new),), also)


def _write(file: str, new: str | bytes, *also: str) -> Example:
    return Example((Change(file, "write", None, new),), also)


def _change(file: str, action: str, new: str | None = None, *also: str) -> Example:
    return Example((Change(file, action, None, new),), also)


# --- files -------------------------------------------------------------------------------------

FILES_SYMLINK = _rule(
    "files.symlink", "Symbolic link in the sources",
    "A file or folder under datasets/, docs/ or the theme's custom_dir is a symbolic link; a link could read "
    "and publish files from anywhere on the machine.",
    "replace the link with the file or folder itself",
    _change("datasets/organizations/org-link.yaml", "symlink", "org-silver-age.yaml"))
FILES_NOT_A_FILE = _rule(
    "files.not-a-file", "Folder where a file is expected",
    "A record or schema path names a folder.", "remove the folder or give the file its name",
    _change("datasets/organizations/org-folder.yaml", "folder"))
FILES_NOT_A_FOLDER = _rule(
    "files.not-a-folder", "File where a dataset folder is expected",
    "A dataset (datasets/organizations/, datasets/incubators/) must be a folder of record files.",
    "keep one YAML file per record in the dataset's folder",
    _write("datasets/incubators", "inc-chaoyang-base\n", "references.incubator"))
FILES_RESERVED_NAME = _rule(
    "files.reserved-name", "File name Windows cannot hold",
    "A source file or folder (a YAML source, a page or file under docs/, a file of the theme's custom_dir) "
    "is named like a device on Windows (con, prn, aux, nul, com1 to com9, lpt1 to lpt9, whatever the "
    "extension), holds a character Windows does not allow in a name (< > : \" \\ | ? * or a control "
    "character), or ends in a dot or a space: a checkout of the repository fails there.",
    "rename it (a record: give it a new id)",
    _write("datasets/organizations/con.yaml", "id: con\n"))
FILES_CASE_CLASH = _rule(
    "files.case-clash", "Names that differ only in case",
    "Two files or folders side by side under docs/ or the theme's custom_dir have names that differ only in "
    "upper and lower case, or in how an accented letter is encoded (Guide.md and guide.md): a checkout on "
    "Windows or macOS keeps only one of them, and a site built there loses the other.",
    "rename one of them",
    Example((Change("docs", "folder"), Change("mkdocs.yml", "write", None, "site_name: Demo\ndocs_dir: docs\n"),
             Change("docs/guide.md", "write", None, "# Guide\n"), Change("docs/Guide.md", "write", None, "# Other\n"))))
FILES_UNEXPECTED = _rule(
    "files.unexpected", "File that is not a record",
    "A dataset folder holds a file whose name does not end in .yaml.", "rename it to end in .yaml, or move it",
    _write("datasets/organizations/notes.txt", "to do\n"))

# --- YAML ----------------------------------------------------------------------------------------

YAML_TOO_LARGE = _rule(
    "yaml.too-large", "File too large",
    "A YAML file is larger than 1 MiB; no record needs that much, and parsing it would be slow.",
    "split the file or shorten it",
    _write("datasets/organizations/org-big.yaml", "# " + "x" * (1024 * 1024) + "\n"))
YAML_ENCODING = _rule(
    "yaml.encoding", "Not UTF-8 text",
    "A YAML file holds bytes that are not UTF-8, or a NUL byte.", "save the file as UTF-8",
    _write("datasets/organizations/org-latin1.yaml", b"id: org-latin1\nname: \xff\n"))
YAML_ALIAS = _rule(
    "yaml.alias", "YAML anchor or alias",
    "Anchors (&a) and aliases (*a) make one value stand for another; records write each value out.",
    "write the value out in full",
    _edit(ORG, "alternate_names: [银龄互助会]", "alternate_names: &names [银龄互助会]"))
YAML_MERGE_KEY = _rule(
    "yaml.merge-key", "YAML merge key",
    "A mapping holds a merge key (<<:), which silently sets or overrides the keys beside it.",
    "write each key out in full",
    _edit(ORG, "community: 示例社区", "<<: {community: 示例社区}"))
YAML_TAG = _rule(
    "yaml.tag", "YAML tag",
    "A value carries a YAML tag such as !!python/object; only plain values are read.", "remove the tag",
    _edit(ORG, "community: 示例社区", "community: !!python/name:os.system 示例社区"))
YAML_TOO_DEEP = _rule(
    "yaml.too-deep", "Nesting too deep",
    "Lists or mappings are nested deeper than 20 levels.", "flatten the value",
    _edit(ORG, "community: 示例社区", "community: " + "[" * 25 + "]" * 25))
YAML_SYNTAX = _rule(
    "yaml.syntax", "YAML syntax error",
    "The file is not valid YAML.", "check quotes, brackets and indentation on the line named",
    _edit(ORG, "alternate_names: [银龄互助会]", "alternate_names: [银龄互助会"))
YAML_VALUE = _rule(
    "yaml.value", "Value that cannot be read",
    "A value looks like a date or number but cannot be one, e.g. the 30th of February.",
    "correct the value, or quote it if it is text",
    _edit(ORG, "registration_date: 2019-05-12", "registration_date: 2019-02-30"))
YAML_DUPLICATE_KEY = _rule(
    "yaml.duplicate-key", "Key given twice",
    "A mapping gives the same key twice; YAML would silently keep only the last.", "remove one of the two",
    _edit(ORG, "community: 示例社区", "community: 示例社区\ncommunity: 示例社区"))
YAML_EMPTY = _rule(
    "yaml.empty", "Empty file",
    "A record file is empty.", "write the record's fields, or delete the file",
    _write("datasets/organizations/org-empty.yaml", ""))
YAML_NOT_A_MAPPING = _rule(
    "yaml.not-a-mapping", "File is not a mapping",
    "A record file must be a mapping of field names to values, not a list or a single value.",
    "write one 'field: value' per line",
    _write("datasets/organizations/org-list.yaml", "- id: org-list\n"))
YAML_KEY_TYPE = _rule(
    "yaml.key-type", "Key that is not text",
    "A key is a number, date or other non-text value.", "quote the key, or correct its name",
    _edit(ORG, "community: 示例社区", "community: 示例社区\n2019: x"))

# --- schemas, vocabularies and the divisions table -----------------------------------------------

SCHEMAS_MISSING = _rule(
    "schemas.missing", "Table Schema missing",
    "A Table Schema that the checks and the data package need is not in datasets/schemas/.",
    "restore the schema from the repository",
    _change("datasets/schemas/incubator_sources.schema.json", "delete"))
SCHEMAS_UNREADABLE = _rule(
    "schemas.unreadable", "Table Schema cannot be read",
    "The schema file cannot be read: it is not UTF-8 text, or the system refuses to open it.",
    "save it as UTF-8, or check the file's permissions",
    _write("datasets/schemas/incubator_sources.schema.json", b'{"fields": "\xff"}\n'))
SCHEMAS_JSON = _rule(
    "schemas.json", "Table Schema is not JSON",
    "A schema file is not valid JSON.", "correct the JSON on the line named",
    _write("datasets/schemas/incubator_sources.schema.json", "{\"fields\": [\n"))
SCHEMAS_FIELDS = _rule(
    "schemas.fields", "Table Schema without fields",
    "A schema needs a list of fields, each with a name, and a primaryKey list.",
    "restore the schema from the repository",
    _write("datasets/schemas/incubator_sources.schema.json", "{}\n"))
SCHEMAS_ROLES = _rule(
    "schemas.roles", "Unknown field role",
    "A field's roles (what the field is for: searchable, facet, free-text …) name a role the code does not know, "
    "or listRoles is not a mapping.", "use one of the roles the hint lists",
    _edit("datasets/schemas/incubator_sources.schema.json", '"roles": [', '"roles": [\n        "sparkly",'))
VOCABULARY_TERMS = _rule(
    "vocabulary.terms", "Vocabulary terms malformed",
    "A vocabulary's terms must be a list of mappings, each with code, label_en, label_zh and provision.",
    "write one mapping per term",
    _edit("datasets/vocabularies/fields_of_activity.yaml", "terms:\n", "terms:\n  - elderly-care\n"))
SYNONYMS_GROUPS = _rule(
    "synonyms.groups", "Synonym groups malformed",
    "datasets/reference/synonyms.yaml must hold 'groups', a list of groups, each a list of at least two "
    "different terms (text).",
    "write each group as a list of terms, e.g. [长者, 老年人, 老人]",
    _write("datasets/reference/synonyms.yaml", "groups:\n  - 长者\n"))
PLACE_NAMES_ENTRY = _rule(
    "placenames.entry", "Place-name entry malformed",
    "datasets/reference/place_names.yaml lists places whose English name is transliterated from a "
    "minority language: under 'names', each division's official Chinese name holds 'en', the romanized "
    "proper name in Latin letters (Ürümqi), and 'source', the address where that form was seen. "
    "'shequ divisions import' applies the list over the pinyin of the Chinese name.",
    "write each entry as 乌鲁木齐市: {en: Ürümqi, source: https://…}",
    _write("datasets/reference/place_names.yaml", "names:\n  乌鲁木齐市:\n    en: wulumuqi shi!\n"
           "    source: https://example.org/\n"))
PLACE_NAMES_NOT_APPLIED = _rule(
    "placenames.not-applied", "Place-name list not applied to the divisions table",
    "A division listed in datasets/reference/place_names.yaml has another English name in the divisions "
    "table, so English pages would still show the pinyin of its characters.",
    "run 'shequ divisions import' with the official lists, which writes the listed form",
    _write("datasets/reference/place_names.yaml", "names:\n  朝阳区:\n    en: Qaoyang\n"
           "    source: https://example.org/\n"), severity=WARNING)
RELEASES_FORMAT = _rule(
    "releases.format", "Release file malformed",
    "Each file in datasets/releases/ records what one data release changed: its version (the file's "
    "name), date, the previous release ('since') and the records added, changed and removed, each with "
    "dataset, id and name. 'shequ release' writes them; the What's new page and Atom feeds read them.",
    "let 'shequ release' write the file; when editing it by hand, keep the fields it wrote",
    Example((Change("datasets/releases", "folder"),
             Change("datasets/releases/0.1.0.yaml", "write", None, "version: 0.1.0\ndate: soon\n"))))
DIVISIONS_MISSING_TABLE = _rule(
    "divisions.missing-table", "Divisions table missing",
    "datasets/reference/divisions.csv, the table of administrative divisions, is missing.",
    "restore it, or regenerate it with shequ divisions",
    _change("datasets/reference/divisions.csv", "delete", None, "divisions.unknown", "uscc.division"))
DIVISIONS_LEVEL = _rule(
    "divisions.level", "Division level does not match its code",
    "The length of a division code fixes its level: 2 digits a province, 4 a prefecture, 6 a county, "
    "9 a township.", "correct the level or the code",
    _edit("datasets/reference/divisions.csv", "110105,朝阳区,county", "110105,朝阳区,township"))
DIVISIONS_PARENT = _rule(
    "divisions.parent", "Division parent wrong or missing",
    "A division's parent must be the code it starts with, and be in the table.", "correct the parent column",
    _edit("datasets/reference/divisions.csv", "110105001,建外街道,township,110105",
          "110105001,建外街道,township,1101"))
DIVISIONS_UNKNOWN = _rule(
    "divisions.unknown", "Unknown division",
    "A record names a division code that is not in the divisions table.",
    "use a code from datasets/reference/divisions.csv",
    _edit(FILED, 'division: "110105002"', 'division: "110105003"'))
DIVISIONS_COMMUNITIES = _rule(
    "divisions.communities", "Community counts misplaced or unpaired",
    "urban_communities and rural_communities (the residents' and villagers' committees NBS's village-level "
    "list counts) belong to townships only, and come as a pair.",
    "leave the counts empty, or run shequ divisions import with the village-level list",
    _write("datasets/reference/divisions.csv",
           "code,name,level,parent,urban_communities,rural_communities\n11,北京市,province,,,\n"
           "1101,市辖区,prefecture,11,,\n110105,朝阳区,county,1101,12,0\n110105001,建外街道,township,110105,,\n"
           "110105002,朝外街道,township,110105,,\n"))

# --- ids and structure -------------------------------------------------------------------------

IDS_FILE_NAME = _rule(
    "ids.file-name", "Id and file name differ",
    "A record's id must equal its file name without .yaml, in lower case with hyphens.",
    "rename the file or correct the id",
    _edit(FILED, "id: org-harmony-mediators", "id: org-harmony"))
IDS_DUPLICATE = _rule(
    "ids.duplicate", "Id used twice",
    "Two records have the same id, ignoring case.", "give one of them another id",
    _write("datasets/organizations/ORG-silver-age.yaml",
           "id: ORG-silver-age\nname: 重复的组织\nlegal_form: unregistered\nmanagement_track: filed\ndivision: \"110105002\"\n"
           "status: active\nfields_of_activity: [culture]\nsources:\n  - title: x\n    url: https://example.org/x\n"
           "    accessed: 2026-11-01\nlast_verified: 2026-11-01\n", "ids.file-name", "structure.pattern"))
STRUCTURE_UNKNOWN_KEY = _rule(
    "structure.unknown-key", "Unknown field",
    "A record has a field its Table Schema does not define.", "correct the name (the hint suggests the closest)",
    _edit(ORG, "community: 示例社区", "comunity: 示例社区"))
STRUCTURE_REQUIRED = _rule(
    "structure.required", "Required field missing",
    "A field the schema requires is missing or empty.", "give the field a value",
    _edit(FILED, "name: 朝外调解志愿队\n", ""))
STRUCTURE_NOT_A_LIST = _rule(
    "structure.not-a-list", "Field is not a list",
    "A field that holds several values must be a list.", "write the values in [brackets] or as '- ' lines",
    _edit(FILED, "fields_of_activity: [promoting-harmony]", "fields_of_activity: promoting-harmony"))
STRUCTURE_ITEM_NOT_MAPPING = _rule(
    "structure.item-not-mapping", "List item is not a mapping",
    "Each item of a list of entries (sources, support_received) must be a mapping of its fields.",
    "write each item's fields as 'key: value'",
    _edit(FILED, "sources:\n  - title:", "sources:\n  - https://example.org\n  - title:"))
STRUCTURE_DUPLICATE = _rule(
    "structure.duplicate", "Entry listed twice",
    "A list holds the same entry twice (the table's primary key repeats).", "remove the repeated entry",
    _edit(FILED, "fields_of_activity: [promoting-harmony]",
          "fields_of_activity: [promoting-harmony, promoting-harmony]"))
STRUCTURE_TYPE = _rule(
    "structure.type", "Value of the wrong type",
    "A value is not of the field's type: text, a date, a whole number or a finite number.",
    "write the value in the field's type, e.g. dates as YYYY-MM-DD",
    _edit(ORG, "amount_cny: 50000", "amount_cny: fifty thousand"))
STRUCTURE_EMAIL = _rule(
    "structure.email", "Not an email address",
    "A field with the email format holds something else.", "write an address like name@example.org",
    _edit(ORG, "email: contact@example.org", "email: contact at example.org"))
STRUCTURE_URI = _rule(
    "structure.uri", "Not a URL",
    "A field with the uri format holds a value that is not a URL at all; a URL of another scheme "
    "than http(s) is the urls.scheme rule's.", "write a full https:// link",
    _edit(ORG, "website: https://example.org/silver-age", "website: example dot org"))
STRUCTURE_PATTERN = _rule(
    "structure.pattern", "Value does not have the expected form",
    "A value does not match the pattern its schema field declares, e.g. an id or a code.",
    "follow the pattern named in the hint",
    _edit(ORG, "phone: 010-6555 0123", "phone: call us"))
STRUCTURE_MAXLENGTH = _rule(
    "structure.maxlength", "Value too long",
    "A text value is longer than its schema field allows.", "shorten it",
    _edit(ORG, "community: 示例社区", "community: " + "长" * 201))
STRUCTURE_MINLENGTH = _rule(
    "structure.minlength", "Value too short",
    "A text value is shorter than its schema field allows.", "complete it",
    _edit("datasets/schemas/organizations.schema.json", '"required": true,\n        "maxLength": 200',
          '"required": true, "minLength": 50,\n        "maxLength": 200'))
STRUCTURE_MINIMUM = _rule(
    "structure.minimum", "Number too small",
    "A number is below its schema field's minimum.", "correct the number",
    _edit(ORG, "amount_cny: 50000", "amount_cny: -5"))
STRUCTURE_MAXIMUM = _rule(
    "structure.maximum", "Number too large",
    "A number is above its schema field's maximum.", "correct the number",
    _edit(ORG, "year: 2021", "year: 3021"))
STRUCTURE_ENUM = _rule(
    "structure.enum", "Value not among the allowed ones",
    "A value is not one of the values its schema field lists.", "use one of the values named",
    _edit("datasets/reference/divisions.csv", "110105,朝阳区,county", "110105,朝阳区,district", "divisions.level"))
STRUCTURE_CONSTRAINT = _rule(
    "structure.constraint", "Other Table Schema constraint",
    "A value breaks a schema constraint that has no rule of its own.",
    "read the message; it names the constraint",
    untriggerable="every constraint of Table Schema v1 has its own rule, and frictionless refuses the others "
    "(exclusiveMinimum needs Data Package v2) before it checks a row")
STRUCTURE_BLANK_ROW = _rule(
    "structure.blank-row", "Blank row in a table",
    "A CSV table (the divisions table) has a row with no values.", "delete the row",
    _edit("datasets/reference/divisions.csv", "110105002,朝外街道,township,110105\n",
          "110105002,朝外街道,township,110105\n,,,\n"))
STRUCTURE_TABLE = _rule(
    "structure.table", "Other Table Schema error",
    "frictionless reports a problem that no other structure rule names, such as a value that a unique "
    "constraint forbids repeating.",
    "read the message; it comes from frictionless",
    Example((Change("datasets/schemas/organizations.schema.json", "edit",
                    '"required": true,\n        "maxLength": 200',
                    '"required": true, "unique": true,\n        "maxLength": 200'),
             Change(FILED, "edit", "name: 朝外调解志愿队", "name: 朝阳区银龄互助会"))))
URLS_SCHEME = _rule(
    "urls.scheme", "Not an http(s) link",
    "Links must start with http:// or https:// and hold no spaces, so no javascript: or file: link "
    "reaches a page.", "write a full https:// link; write spaces as %20",
    _edit(ORG, "website: https://example.org/silver-age", "website: javascript:alert(1)"))

# --- USCC ---------------------------------------------------------------------------------------

USCC_REQUIRED = _rule(
    "uscc.required", "Unified Social Credit Code missing",
    "An organization registered with civil affairs has a Unified Social Credit Code, and must give it.",
    "add the 18-character code from the registration certificate",
    _edit(ORG, "uscc: ", "# uscc: "))
USCC_NOT_EXPECTED = _rule(
    "uscc.not-expected", "Code on an organization that has none",
    "Filed and unregistered organizations have no Unified Social Credit Code.",
    "remove the code, or correct management_track",
    _edit(FILED, "legal_form: unregistered", "legal_form: unregistered\nuscc: 51110105MJ0000002R", "uscc.type"))
USCC_FORMAT = _rule(
    "uscc.format", "Not a Unified Social Credit Code",
    "The code must be 18 characters, digits and capitals, as GB 32100-2015 defines it.",
    "write the code in capitals without spaces or hyphens",
    _edit(ORG, "uscc: 51110105MJ0000001N", "uscc: 51110105mj0000001n", "structure.pattern"))
USCC_CHECK_CHARACTER = _rule(
    "uscc.check-character", "Wrong check character",
    "The 18th character is computed from the first 17 (GB 32100-2015); a mismatch means a typing error.",
    "compare the code with the registration certificate",
    _edit(ORG, "MJ0000001", "MJ0000002"))
USCC_AUTHORITY = _rule(
    "uscc.authority", "Not a civil-affairs code",
    "Social organizations are registered by civil affairs, so the first character is 5.",
    "check the code's first character",
    _edit(ORG, "uscc: 51110105MJ0000001N", "uscc: 91110105MJ0000001J"))
USCC_TYPE = _rule(
    "uscc.type", "Type character does not match the legal form",
    "The second character encodes the legal form: 1 social group, 2 private non-enterprise unit, "
    "3 foundation.", "correct the legal form or the code",
    _edit(ORG, "legal_form: social-group", "legal_form: foundation"))
USCC_DIVISION = _rule(
    "uscc.division", "Code names an unknown division",
    "Characters 3-8 of the code are the registering division's code; it must be in the divisions table.",
    "check the code, or add the division to the table",
    _edit(ORG, "uscc: 51110105MJ0000001N", "uscc: 51999999MJ0000001B"))
USCC_DIVISION_MISMATCH = _rule(
    "uscc.division-mismatch", "Code and division disagree",
    "The code's division (characters 3-8) is not the record's division or one of its parents.",
    "check the division or the code",
    Example((Change("datasets/reference/divisions.csv", "edit", "110105,朝阳区,county,1101\n",
                    "110105,朝阳区,county,1101\n110106,丰台区,county,1101\n"),
             Change(ORG, "edit", "uscc: 51110105MJ0000001N", "uscc: 51110106MJ00000015"))),
    severity=WARNING)
USCC_DUPLICATE = _rule(
    "uscc.duplicate", "Code used twice",
    "Two organizations give the same Unified Social Credit Code.", "check which record has the right code",
    _edit(FILED, "legal_form: unregistered\nmanagement_track: filed",
          "legal_form: social-group\nmanagement_track: registered\nuscc: 51110105MJ0000001N"))

# --- dates, references, vocabularies -------------------------------------------------------------

DATES_FUTURE = _rule(
    "dates.future", "Date in the future",
    "A date that records a past event (founding, registration, a source's access) is after today.",
    "correct the date",
    _edit(ORG, "last_verified: 2026-11-01", "last_verified: 2030-01-01"))
DATES_ORDER = _rule(
    "dates.order", "Dates out of order",
    "An organization is registered, dissolved or incubated before it was founded, or an incubation ends "
    "before it starts.", "correct one of the two dates",
    _edit(ORG, "founded: 2018-11-03", "founded: 2019-11-03"))
DATES_DISSOLVED = _rule(
    "dates.dissolved", "Dissolution date and status disagree",
    "A dissolved organization needs its dissolution date, and only a dissolved one has it.",
    "add the date, or correct the status",
    _edit(FILED, "status: active", "status: dissolved"))
REFERENCES_INCUBATOR = _rule(
    "references.incubator", "Unknown incubator",
    "incubated_by must be the id of an incubator in datasets/incubators/; an incubation period needs it.",
    "use an existing incubator id",
    _edit(ORG, "incubated_by: inc-chaoyang-base", "incubated_by: inc-nowhere"))
VOCABULARIES_UNKNOWN_KEY = _rule(
    "vocabularies.unknown-key", "Unknown field in a vocabulary",
    "A vocabulary or one of its terms has a field the vocabulary format does not define.",
    "correct the field's name",
    _edit("datasets/vocabularies/statuses.yaml", "title_en:", "title_fr: Statuts\ntitle_en:"))
VOCABULARIES_PROVISION = _rule(
    "vocabularies.provision", "Term cites an unknown provision",
    "A vocabulary term's provision must be a provision in datasets/policy/.",
    "use a full id, <document>/<provision>",
    _edit("datasets/vocabularies/fields_of_activity.yaml", "elderly-care, label_en: Elderly care, label_zh: 养老照护, "
          "provision: opinions-2016/3.1", "elderly-care, label_en: Elderly care, label_zh: 养老照护, "
          "provision: opinions-2016/9.9"))
VOCABULARIES_MISSING = _rule(
    "vocabularies.missing", "Vocabulary missing",
    "A field's values come from a vocabulary that is not in datasets/vocabularies/.",
    "restore the vocabulary file",
    _change("datasets/vocabularies/service_populations.yaml", "delete", None, "policy.measure"))
VOCABULARIES_UNKNOWN_TERM = _rule(
    "vocabularies.unknown-term", "Not a term of the vocabulary",
    "A coded field holds a value that is not a term of its vocabulary.",
    "use a term of the vocabulary (the hint suggests the closest)",
    _edit(ORG, "[seniors]", "[senoirs]"))

# --- package.yaml -------------------------------------------------------------------------------

PACKAGE_UNKNOWN_KEY = _rule(
    "package.unknown-key", "Unknown field in package.yaml",
    "datasets/package.yaml has a field the data package does not use.", "correct the field's name",
    _edit(PACKAGE, "version: 0.1.0", "version: 0.1.0\nversoin: 0.1.0"))
PACKAGE_REQUIRED = _rule(
    "package.required", "Required package field missing",
    "package.yaml lacks a field every release needs (name, title, version, licenses…).", "add the field",
    _edit(PACKAGE, "version: 0.1.0\n", ""))
PACKAGE_NAME = _rule(
    "package.name", "Not a package name",
    "The package name must be lower case letters, digits, '.', '_' or '-', starting with a letter or digit.", "write it in lower case",
    _edit(PACKAGE, "name: shequ-community-organizations", "name: Shequ Organizations"))
PACKAGE_VERSION = _rule(
    "package.version", "Not a version",
    "The version must have the form X.Y.Z.", "write e.g. 0.2.0",
    _edit(PACKAGE, "version: 0.1.0", "version: v1"))
PACKAGE_CREATED = _rule(
    "package.created", "Creation date not a date",
    "created must be a date, YYYY-MM-DD.", "write YYYY-MM-DD",
    _edit(PACKAGE, 'created: "2026-11-26"', 'created: "last week"'))
PACKAGE_DEMONSTRATION = _rule(
    "package.demonstration", "Demonstration flag wrong",
    "demonstration must be true or false, and while it is true both titles must say so.",
    "set demonstration to true or false",
    _edit(PACKAGE, "demonstration: true", "demonstration: perhaps"))
PACKAGE_LICENSES = _rule(
    "package.licenses", "Licence without name or path",
    "Each licence in package.yaml needs a name or a path.", "name the licence, e.g. CC-BY-4.0",
    _edit(PACKAGE, "  - name: CC-BY-4.0\n    title: Creative Commons Attribution 4.0 International\n"
          "    path: https://creativecommons.org/licenses/by/4.0/", "  - title: Creative Commons Attribution 4.0"))

PACKAGE_TYPE = _rule(
    "package.type", "Package value of the wrong type",
    "A value in package.yaml has a type the data package or the site cannot use, such as a number where text "
    "belongs.", "put the value in quotes, or give a list where one is expected",
    _edit(PACKAGE, "keywords: [community-based social organizations, 社区社会组织, incubators, China, civil society]",
          "keywords: 12"))
PACKAGE_URL = _rule(
    "package.url", "Package link that is not a safe web address",
    "A link in package.yaml is not a full http(s) address, or holds a quote, angle bracket, space, backslash or "
    "control character that could break out of an HTML attribute.", "write a full address such as https://example.org/",
    _edit(PACKAGE, "homepage: https://github.com/shequ-project/shequ", 'homepage: "https://example.org/x\\"><img src=x>"'))
PACKAGE_CORRECTIONS = _rule(
    "package.corrections", "Correction channel that cannot be offered",
    "corrections in package.yaml names where readers send corrections: 'email', a plain e-mail address, and/or "
    "'form', a full http(s) address of a web form. Anything else could change the link or break the page.",
    "write corrections: {email: corrections@example.org, form: https://example.org/form}",
    _edit(PACKAGE, "demonstration: true", 'demonstration: true\ncorrections: {email: "x@example.org?bcc=all@example.org"}'))

PACKAGE_IDENTIFIER_PREFIX = _rule(
    "package.identifier-prefix", "Identifier prefix that cannot be used",
    "identifier_prefix in package.yaml is the org-id prefix of organizations without a credit code (SHEQU by "
    "default, which no register knows). It must be capitals and digits in parts joined by '-', and not CN-USCI, "
    "the register of credit codes.",
    "write e.g. identifier_prefix: CN-XYZ, a prefix org-id.guide registered for your records",
    _edit(PACKAGE, "demonstration: true", 'demonstration: true\nidentifier_prefix: "X\\"><script>"'))

# --- site configuration (mkdocs.yml), citation and docs -----------------------------------------

CONFIG_TYPE = _rule(
    "config.type", "Site setting of the wrong type",
    "A value in mkdocs.yml that the site uses has the wrong type.", "give the value the type its key needs",
    _write("mkdocs.yml", "site_name: Demo\ndocs_dir: docs\nsite_description: [1, 2]\n", "config.docs-dir"))
CONFIG_URL = _rule(
    "config.url", "Site address that is not a safe web address",
    "site_url, repo_url or edit_uri in mkdocs.yml is not a safe http(s) address.",
    "write a full address such as https://example.org/",
    _write("mkdocs.yml", "site_name: Demo\ndocs_dir: docs\nrepo_url: 'https://github.com/x/y\"><img src=x onerror=alert(1)>'\n",
           "config.docs-dir"))
CONFIG_MARKUP = _rule(
    "config.markup", "Markup in a site text",
    "A text of mkdocs.yml that the theme prints on every page holds HTML markup.", "write plain text",
    _write("mkdocs.yml", "site_name: <script>alert(1)</script>\ndocs_dir: docs\n", "config.docs-dir"))
CONFIG_DOCS_DIR = _rule(
    "config.docs-dir", "Docs folder missing or outside the project",
    "docs_dir in mkdocs.yml must name a folder inside the project.", "point docs_dir at the project's docs/ folder",
    _write("mkdocs.yml", "site_name: Demo\ndocs_dir: ../elsewhere\n"))
CONFIG_SITE_DIR = _rule(
    "config.site-dir", "Site folder that holds sources",
    "site_dir in mkdocs.yml names the project root, datasets/, the docs folder or .git, which a build would "
    "replace.", "use a folder of its own, such as site/",
    _write("mkdocs.yml", "site_name: Demo\ndocs_dir: docs\nsite_dir: datasets\n", "config.docs-dir"))
CONFIG_CUSTOM_DIR = _rule(
    "config.custom-dir", "Theme folder outside the project",
    "theme.custom_dir in mkdocs.yml names a folder outside the project; its templates and files would go into "
    "every page.", "keep the theme's overrides in a folder of the project, such as overrides/",
    _write("mkdocs.yml", "site_name: Demo\ndocs_dir: docs\ntheme:\n  name: material\n  custom_dir: ../elsewhere\n",
           "config.docs-dir"))
CONFIG_LANGUAGE = _rule(
    "config.language", "Unknown theme language",
    "theme.language in mkdocs.yml is not a language the installed theme has.", "use zh or en",
    _write("mkdocs.yml", "site_name: Demo\ndocs_dir: docs\ntheme:\n  name: material\n  language: xx\n", "config.docs-dir"))
CONFIG_PLUGIN = _rule(
    "config.plugin", "Wrong option of the shequ plugin",
    "An option of the shequ plugin in mkdocs.yml (data_path, per_page, source_edit_uri) has a value it cannot use.",
    "see the plugin's options in CONTRIBUTING.md",
    _write("mkdocs.yml", "site_name: Demo\ndocs_dir: docs\nplugins:\n  - shequ:\n      per_page: many\n", "config.docs-dir"))
CONFIG_NAV = _rule(
    "config.nav", "Navigation of the wrong shape",
    "nav in mkdocs.yml must be a list of pages and titled sections.", "follow the shape of the shipped mkdocs.yml",
    _write("mkdocs.yml", "site_name: Demo\ndocs_dir: docs\nnav: 12\n", "config.docs-dir"))
CONFIG_NAV_MISSING = _rule(
    "config.nav-missing", "Navigation names a missing page",
    "A page that nav in mkdocs.yml names is neither in the docs folder nor generated by the site.",
    "fix the path, or add the page",
    Example((Change("docs", "folder"), Change("mkdocs.yml", "write", None,
                                              "site_name: Demo\ndocs_dir: docs\nnav:\n  - Lost: lost/page.md\n"))))
CONFIG_INHERIT = _rule(
    "config.inherit", "INHERIT names a file that cannot be read",
    "mkdocs.yml inherits from a file (INHERIT) that is missing or outside the project.",
    "point INHERIT at a YAML file in the project",
    _write("mkdocs.yml", "INHERIT: missing-base.yml\nsite_name: Demo\ndocs_dir: docs\n", "config.docs-dir"))
FILES_UNREADABLE = _rule(
    "files.unreadable", "File cannot be read",
    "A file the build reads exists but cannot be opened or read as text.", "replace it with a readable UTF-8 file",
    untriggerable="only an operating-system error while reading (permissions, a failing disk) gives it, and the "
    "tests run as root, who reads every file")
CITATION_TYPE = _rule(
    "citation.type", "Citation value of the wrong type",
    "A key of CITATION.cff that the download page reads (title, version) has the wrong type.",
    "put the value in quotes",
    _write("CITATION.cff", "cff-version: 1.2.0\ntitle: [a, b]\nversion: 0.1.0\n"))
CITATION_DATE = _rule(
    "citation.date", "Citation release date is not a date",
    "date-released in CITATION.cff must be a date, YYYY-MM-DD.", "write YYYY-MM-DD",
    _write("CITATION.cff", "cff-version: 1.2.0\ntitle: Demo\ndate-released: soon\n"))
CITATION_AUTHOR = _rule(
    "citation.author", "Citation author without a name",
    "Each author in CITATION.cff needs a name (name, or family-names).", "give each author a name",
    _write("CITATION.cff", "cff-version: 1.2.0\ntitle: Demo\nauthors:\n  - affiliation: Somewhere\n"))
DOCS_ENCODING = _rule(
    "docs.encoding", "Page that is not UTF-8 text",
    "A page under docs/ is not UTF-8 text, or holds a NUL byte.", "save the page as UTF-8",
    Example((Change("docs", "folder"), Change("mkdocs.yml", "write", None, "site_name: Demo\ndocs_dir: docs\n"),
             Change("docs/index.md", "write", None, b"# \xff\xfe\x00\n"))))
DOCS_TOO_LARGE = _rule(
    "docs.too-large", "Page too large",
    "A page under docs/ is larger than the build accepts (2 MB).", "split the page",
    Example((Change("docs", "folder"), Change("mkdocs.yml", "write", None, "site_name: Demo\ndocs_dir: docs\n"),
             Change("docs/index.md", "write", None, "# big\n" + "x" * (2 * 1024 * 1024 + 10)))))
CSV_ENCODING = _rule(
    "csv.encoding", "Reference table that is not UTF-8 text",
    "datasets/reference/divisions.csv is not UTF-8 text, or holds a NUL byte.", "save the file as UTF-8",
    _write("datasets/reference/divisions.csv", b"code,name,level,parent\n11,\xb1\xb1\xbe\xa9,province,\n",
           "divisions.unknown", "uscc.division"))
CSV_SYNTAX = _rule(
    "csv.syntax", "Malformed CSV",
    "datasets/reference/divisions.csv is not well-formed CSV, e.g. a quote that is never closed.",
    "close the quote or remove it",
    _write("datasets/reference/divisions.csv", 'code,name,level,parent\n11,"北京市,province,\n',
           "divisions.unknown", "uscc.division"))
CSV_TOO_LARGE = _rule(
    "csv.too-large", "Reference table too large",
    "datasets/reference/divisions.csv is larger than the build accepts.", "keep only the divisions the data uses",
    untriggerable="the limit is far above any real division list; writing a file that large would make the test "
    "suite slow")

# --- text and privacy ---------------------------------------------------------------------------

TEXT_FORMULA = _rule(
    "text.formula", "Text a spreadsheet would run",
    "A text value of any published source (a record, a vocabulary label, a division name, the glossary, "
    "package.yaml…) starts with =, +, -, @, a tab or a carriage return, which a spreadsheet opening the "
    "published file would run as a formula.", "rephrase the start, or remove the sign",
    _edit(ORG, "community: 示例社区", 'community: "=HYPERLINK(1)"'))
TEXT_INVISIBLE = _rule(
    "text.invisible", "Invisible or direction-changing character",
    "A text value holds a zero-width or bidirectional control character, which can hide or reorder text. "
    "An error in names, and in any field where a direction control can change what the page shows (an override, "
    "or any direction control in text without right-to-left letters); a warning elsewhere.",
    "retype the text without it",
    _edit(ORG, "name: 朝阳区银龄互助会", 'name: "朝阳区\\u202e银龄互助会"'))
TEXT_BLANK = _rule(
    "text.blank", "Text that shows as blank",
    "A text value is made only of spaces, fillers (U+3164, U+3000, U+2800…) or invisible characters: it is "
    "not empty, yet shows as nothing in every listing.", "write the text, or leave the field out",
    _edit(ORG, "name: 朝阳区银龄互助会", 'name: "\\u3164\\u3164"'))
TEXT_CONTROL = _rule(
    "text.control", "Control character",
    "A text value holds a control character.", "retype the text without it",
    _edit(ORG, "community: 示例社区", 'community: "示例\\x07社区"'))
PRIVACY_MOBILE = _rule(
    "privacy.mobile", "Personal mobile number",
    "A value of any published source looks like a personal mobile number, as people type it: with +86 or "
    "0086, full-width digits, or digits grouped by spaces, dashes or dots. The data gives an organization's "
    "public contacts only.",
    "give the organization's office number instead",
    _edit(ORG, "phone: 010-6555 0123", "phone: 138 1234 5678"))
PRIVACY_IDENTITY_NUMBER = _rule(
    "privacy.identity-number", "Resident identity number",
    "A value of any published source contains a resident identity number, which must never be published: 18 "
    "digits (check digit, birth date and place checked), or the old 15, in any of the forms people type.",
    "remove the number",
    _edit(ORG, "community: 示例社区", "community: 示例社区 11010519491231002X"))

# --- policy -------------------------------------------------------------------------------------

POLICY_TYPE = _rule(
    "policy.type", "Policy value of the wrong type",
    "A value in datasets/policy/ is not of the expected kind (text, a list, a mapping).",
    "write the value as the format describes",
    _edit(DOC, "title_en: Charity Law of the People's Republic of China", "title_en: [Charity Law]"))
POLICY_UNKNOWN_KEY = _rule(
    "policy.unknown-key", "Unknown key in a policy file",
    "A policy document or the glossary has a key its format does not define.", "correct the key's name",
    _edit(DOC, "status: amended\n", "status: amended\nstatsu: amended\n"))
POLICY_REQUIRED = _rule(
    "policy.required", "Required policy key missing",
    "A policy document, provision or glossary term lacks a key it needs, or leaves it empty.", "add the key",
    _edit(DOC, "title_en: Charity Law of the People's Republic of China\n", ""))
POLICY_TEXT = _rule(
    "policy.text", "Policy text malformed",
    "Policy text holds an invisible or control character, a Chinese field has no Chinese, or pinyin lacks "
    "tone marks.", "retype the text",
    _edit(DOC, "title_zh: 中华人民共和国慈善法", "title_zh: Charity Law"))
POLICY_ID = _rule(
    "policy.id", "Policy id malformed",
    "A document, provision or term id must be lower case with hyphens, and a document's id its file name.",
    "rename the id",
    _edit(GLOSSARY, "  - id: social-organization\n", "  - id: Social_Organization\n"))
POLICY_DATE = _rule(
    "policy.date", "Policy date malformed",
    "A policy date must be YYYY-MM-DD, or a quoted YYYY-MM or YYYY when no source gives the day, and each "
    "date and history entry needs a kind the format knows (adopted, signed, issued, in-force, amended…).",
    "write an ISO date, and a kind from datasets/policy/README.md",
    _edit(DOC, "  - kind: adopted\n", "  - kind: passed\n"))
POLICY_FILE = _rule(
    "policy.file", "Policy file missing or unexpected",
    "The policy folder, its documents folder or the glossary is missing, or documents/ holds a file that "
    "is not a document.", "restore the file, or move the stray one",
    _write("datasets/policy/documents/notes.txt", "to do\n"))
POLICY_URL = _rule(
    "policy.url", "Policy link not http(s)",
    "A policy document's source must link with http(s).", "write a full https:// link",
    _edit(DOC, "url: https://xyh.wxc.edu.cn/", "url: ftp://xyh.wxc.edu.cn/"))
POLICY_STATUS = _rule(
    "policy.status", "Policy status unknown",
    "A policy document's status must be one of in-force, amended, repealed, draft or expired.",
    "use one of the statuses datasets/policy/README.md lists",
    _edit(DOC, "status: amended\n", "status: valid\n"))
POLICY_SOURCE = _rule(
    "policy.source", "Policy source malformed or not cited right",
    "Each source of a policy document has an id used once and a kind (official, copy or report), and every "
    "date and history entry cites one of its document's sources by that id.",
    "give the source a kind and a unique id, and cite it by that id",
    _edit(DOC, "    kind: copy\n    url: https://xyh.wxc.edu.cn/", "    kind: mirror\n    url: https://xyh.wxc.edu.cn/"))
POLICY_OFFICIAL_SOURCE = _rule(
    "policy.official-source", "Policy document without an official source",
    "None of a policy document's sources is the issuer's own text (kind: official), and the document does "
    "not say so in unconfirmed_en and unconfirmed_zh, which the page shows to readers.",
    "add the text on the issuer's site (kind: official), or say in unconfirmed_en and unconfirmed_zh that "
    "only copies were found",
    Example((Change(DOC, "edit", "unconfirmed_en: Shequ did not reach the text on npc.gov.cn itself; the copies "
                    "above say where the official text is published.\n", ""),
             Change(DOC, "edit", "unconfirmed_zh: 本项目没有直接看到中国人大网上的文本；以上副本注明了官方文本的发布处。\n",
                    ""))))
POLICY_DUPLICATE_ID = _rule(
    "policy.duplicate-id", "Policy id used twice",
    "Two documents, two provisions of one document, or two glossary terms share an id.",
    "give one of them another id",
    _edit(GLOSSARY, "  - id: social-organization\n", "  - id: community-based-social-organization\n"))
POLICY_MEASURE = _rule(
    "policy.measure", "Measure is not a vocabulary term",
    "A provision's measures must be vocabulary term references, <vocabulary>/<code>, each listed once.",
    "use an existing vocabulary and term",
    _edit(DOC, "      - legal_forms/foundation\n", "      - legal_forms/trust\n"))
POLICY_REFERENCE = _rule(
    "policy.reference", "Reference to an unknown provision",
    "A glossary term's see list names a provision that does not exist.", "use a full id, <document>/<provision>",
    _edit(GLOSSARY, "see: [opinions-2016/3.1, mca-2017/tiered]", "see: [opinions-2016/3.1, mca-2017/nowhere]"))


def reference() -> str:
    """The rules reference for maintainers, in Markdown (``docs/rules.md``)."""
    out = [
        "# Rules reference",
        "",
        "<!-- Generated by `shequ rules --write` from scripts/shequ/rules.py; do not edit by hand. -->",
        "",
        "Every problem `shequ validate` reports ends with a rule id in brackets, for example",
        "`[uscc.check-character]`. This page lists every rule: what it checks, how to fix what it finds,",
        "and the smallest change to a valid project that makes it report. The examples change the small",
        "project of the tests (`tests/conftest.py`), and `tests/test_rules.py` applies each of them.",
        "`shequ validate --format json` gives each problem's rule id, severity and hint.",
        "",
        "| Rule | Severity | Title |",
        "|---|---|---|",
    ]
    out += [f"| [`{r.id}`](#{r.id.replace('.', '')}) | {r.severity} | {r.title} |" for r in CATALOGUE.values()]
    for r in CATALOGUE.values():
        out += ["", f"## `{r.id}`", "", f"**{r.title}** ({r.severity}). {r.description}", "",
                f"Fix: {r.hint}.", ""]
        if r.example is None:
            out.append(f"No example: {r.untriggerable}.")
        else:
            out += _example_markdown(r.example)
    return "\n".join(out) + "\n"


def _example_markdown(example: Example) -> list[str]:
    lines = ["Example:"]
    for change in example.changes:
        lines += [""] + _change_markdown(change)
    if example.also:
        lines += ["", "The same change also reports " + ", ".join(f"`{a}`" for a in example.also) + "."]
    return lines


def _change_markdown(example: Change) -> list[str]:
    def shown(value) -> str:
        # Bytes that are not UTF-8, control and invisible characters are shown as escapes.
        text = value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else value
        text = text if len(text) <= 200 else f"{text[:60]}… ({len(text):,} characters)"
        return "".join(c.encode("unicode_escape").decode("ascii")
                       if c != "\n" and unicodedata.category(c) in ("Cc", "Cf") else c
                       for c in text.removesuffix("\n"))

    what = {
        "edit": f"In `{example.file}`:",
        "write": f"Create `{example.file}`:",
        "delete": f"Delete `{example.file}`.",
        "folder": f"Create a folder named `{example.file}`.",
        "symlink": f"Make `{example.file}` a symbolic link to `{example.new}`.",
    }[example.action]
    lines = [what]
    if example.action == "edit":
        lines += ["", "```diff"]
        lines += ["-" + line for line in shown(example.old).split("\n")]
        lines += ["+" + line for line in shown(example.new).split("\n")]
        lines.append("```")
    elif example.action == "write":
        lines += ["", "```yaml", shown(example.new).rstrip("\n") or "# (an empty file)", "```"]
    return lines


#: Where ``shequ rules --write`` puts the reference, relative to the project folder.
REFERENCE_PATH = "docs/rules.md"


def reference_is_current(path) -> bool:
    """Whether the file at ``path`` holds today's reference."""
    try:
        return path.read_text(encoding="utf-8") == reference()
    except (OSError, UnicodeDecodeError):
        return False


def write_reference(path) -> None:
    """Write the reference to ``path``: a temporary file renamed into place, so a failed write
    leaves the previous file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(reference(), encoding="utf-8")
    partial.replace(path)
