"""The project's synonyms: groups of near terms that search treats as one.

``datasets/reference/synonyms.yaml`` (optional) lists groups of terms; a record whose
text holds one term of a group is found by a query for any other (长者关爱 is found by
老年人 and by 长者关怀). The index, not the query, is expanded: a record carries the
tokens of the other terms of each group it uses, so a query loads no more than before.
A Chinese term is found inside longer text; a Latin term as a whole word.

Example file::

    groups:
      - [长者, 老年人, 老人]
      - [关爱, 关怀]
"""

from __future__ import annotations

import re

from shequ import rules
from shequ.project import Project
from shequ.report import Problem
from shequ.sources.yamlfiles import load_mapping

#: Longest term, in characters: a group joins words and short phrases, not sentences.
MAX_TERM = 40
_LATIN = re.compile(r"[a-z0-9]+")


class Synonyms:
    """Groups of near terms, and what a text gains from them (:meth:`expand`)."""

    def __init__(self, groups: list[tuple[str, ...]] = ()):
        self.groups = [tuple(g) for g in groups]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def expand(self, text: str) -> str:
        """The terms of every group that ``text`` uses, other than those it holds already;
        empty when it uses none.

        >>> Synonyms([("长者", "老年人"), ("关爱", "关怀")]).expand("长者关爱服务队")
        '老年人 关怀'
        """
        if not self.groups or not text:
            return ""
        lower = text.lower()
        words = set(_LATIN.findall(lower))
        found: list[str] = []
        for group in self.groups:
            held = [t for t in group if (t in words if t.isascii() else t in lower)]
            if held:
                found += [t for t in group if t not in held]
        return " ".join(dict.fromkeys(found))


def load_synonyms(project: Project) -> tuple[Synonyms, list[Problem]]:
    """The project's synonym groups (none when it has no file), and what is wrong with the file."""
    path = project.synonyms_file
    if not path.exists() and not path.is_symlink():
        return Synonyms(), []
    rel = project.relative(path)
    if path.is_symlink():
        return Synonyms(), [Problem(rules.FILES_SYMLINK, "symbolic links are not allowed in datasets/", rel,
                                    hint="replace the link with the file itself")]
    data, problems = load_mapping(project, path)
    if data is None:
        return Synonyms(), problems
    groups = data.get("groups")
    if not isinstance(groups, list):
        return Synonyms(), [Problem(rules.SYNONYMS_GROUPS, "'groups' must be a list of groups", rel, ("groups",))]
    out = []
    for i, group in enumerate(groups):
        terms = [t.strip().lower() for t in group if isinstance(t, str)] if isinstance(group, list) else []
        ok = isinstance(group, list) and len(terms) == len(group) and all(0 < len(t) <= MAX_TERM for t in terms)
        if not ok or len(set(terms)) < 2:
            problems.append(Problem(rules.SYNONYMS_GROUPS, f"group {i + 1} must be a list of at least two different "
                                    f"terms of 1 to {MAX_TERM} characters", rel, ("groups", i)))
            continue
        out.append(tuple(dict.fromkeys(terms)))
    return Synonyms(out), problems
