"""Read the site's ``mkdocs.yml`` as data, without running anything it names.

MkDocs loads its configuration with tags that read the environment (``!ENV``), resolve
paths (``!relative``) or import Python objects (``!!python/name:``). Here every tag is
kept as an opaque :class:`Tagged` value: the checks can tell that a value is set, and
leave it alone, but nothing is imported, read or executed.

An ``INHERIT:`` parent is read the same way and merged under the child, as MkDocs does.
Anchors and aliases are allowed (configurations use them), but a document that would
expand to more than :data:`MAX_NODES` values (an alias bomb) is refused before it is
built.

Example::

    config, problems = load_site_config(Project.at("."))
    config.get("site_url")   # 'https://example.org/shequ/' or None
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shequ import rules
from shequ.project import Project
from shequ.report import Problem
from shequ.sources.yamlfiles import MAX_DEPTH, YamlProblem, read_yaml_text

#: The names MkDocs looks for, in its order.
CONFIG_FILES = ("mkdocs.yml", "mkdocs.yaml")
#: Values a configuration may expand to, aliases counted each time they are used.
MAX_NODES = 100_000
#: ``INHERIT`` chains longer than this are refused (and a loop is one).
MAX_INHERIT = 5


@dataclass(frozen=True)
class Tagged:
    """A value written with a tag (``!ENV [SITE_URL]``): MkDocs decides it at build time."""

    tag: str
    value: Any = None


@dataclass
class SiteConfig:
    """``mkdocs.yml`` as plain values. ``file`` is relative to the project root."""

    file: str
    data: dict = field(default_factory=dict)
    folder: Path = Path(".")  # where mkdocs.yml is: docs_dir and site_dir are relative to it
    origins: dict[str, str] = field(default_factory=dict)  # top-level key -> the INHERIT parent that sets it

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def file_of(self, key: Any) -> str:
        """The file that sets a top-level key: mkdocs.yml, or the ``INHERIT`` parent it comes from."""
        return self.origins.get(key, self.file)


class _ConfigLoader(yaml.SafeLoader):
    """YAML's safe constructors; any other tag becomes a :class:`Tagged` value."""


def _tagged(loader: _ConfigLoader, suffix: str, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tagged(node.tag, value)


_ConfigLoader.add_multi_constructor("!", _tagged)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)


def find_config(project: Project) -> Path | None:
    for name in CONFIG_FILES:
        path = project.root / name
        if path.exists() or path.is_symlink():
            return path
    return None


def _expanded_size(root: yaml.Node) -> int:
    """How many values the document holds once every alias is expanded, stopping past the limit."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if depth > MAX_DEPTH * 5:
            return MAX_NODES + 1
        total = 1
        children = node.value if isinstance(node, yaml.SequenceNode) else (
            [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else [])
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_NODES:
                break
        sizes[id(node)] = total
        return total

    return size(root, 0)


def _parse(text: str) -> Any:
    try:
        node = yaml.compose(text, Loader=_ConfigLoader)
        if node is None:
            return None
        if _expanded_size(node) > MAX_NODES:
            raise YamlProblem(rules.YAML_ALIAS, f"the file expands to more than {MAX_NODES:,} values through "
                              "its anchors and aliases", None, "write each value out in full")
        return _ConfigLoader(text).get_single_data()
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = str(exc.problem or exc.context or "invalid YAML").strip().splitlines()[0]
        raise YamlProblem(rules.YAML_SYNTAX, message, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(rules.YAML_SYNTAX, str(exc).strip().splitlines()[0]) from None
    except (ValueError, OverflowError, TypeError) as exc:
        raise YamlProblem(rules.YAML_VALUE, f"a value cannot be read: {exc}", None,
                          "correct the date or number, or put it in quotes") from None
    except RecursionError:
        raise YamlProblem(rules.YAML_TOO_DEEP, f"nesting is deeper than {MAX_DEPTH} levels") from None


def parse_config_text(text: str) -> Any:
    """The settings of a ``mkdocs.yml`` given as text (as git stores it), read as :func:`load_site_config`
    reads the file: tags kept as :class:`Tagged`, alias bombs refused (:class:`YamlProblem`)."""
    return _parse(text)


def _merge(parent: dict, child: dict) -> dict:
    """``child`` over ``parent``, mappings merged key by key (MkDocs' ``INHERIT``)."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(project: Project, path: Path) -> tuple[dict | None, list[Problem]]:
    rel = project.relative(path)
    try:
        value = _parse(read_yaml_text(path))
    except YamlProblem as exc:
        return None, [Problem(exc.rule, exc.message, rel, line=exc.line, hint=exc.hint)]
    except OSError as exc:
        return None, [Problem(rules.FILES_UNREADABLE, f"cannot be read: {exc.strerror or exc}", rel)]
    if not isinstance(value, dict) or any(not isinstance(k, str) for k in value):
        return None, [Problem(rules.YAML_NOT_A_MAPPING, "the top level must be a mapping of settings", rel, line=1)]
    return value, []


def load_site_config(project: Project) -> tuple[SiteConfig | None, list[Problem]]:
    """The project's mkdocs.yml, or None when the project has none (a data-only project)."""
    path = find_config(project)
    if path is None:
        return None, []
    rel = project.relative(path)
    data, problems = _read(project, path)
    if data is None:
        return None, problems
    chain, origins = [path.resolve()], {}
    while isinstance(data.get("INHERIT"), str):
        parent = (chain[-1].parent / data["INHERIT"]).resolve()
        if parent in chain or len(chain) > MAX_INHERIT:
            return None, [Problem(rules.CONFIG_INHERIT, "INHERIT makes a loop or a chain that is too long", rel,
                                  ("INHERIT",))]
        if parent != project.root.resolve() and project.root.resolve() not in parent.parents:
            return None, [Problem(rules.CONFIG_INHERIT, f"the file it names is outside the project: {data['INHERIT']}",
                                  rel, ("INHERIT",), hint="keep the inherited configuration in the project")]
        if not parent.is_file():
            return None, [Problem(rules.CONFIG_INHERIT, f"the file it names does not exist: {data['INHERIT']}", rel,
                                  ("INHERIT",))]
        base, found = _read(project, parent)
        if base is None:
            return None, found
        child = {k: v for k, v in data.items() if k != "INHERIT"}
        origins.update({k: project.relative(parent) for k in base if k not in child and k not in origins})
        data = _merge(base, child)
        chain.append(parent)
    return SiteConfig(rel, data, path.parent, origins), problems
