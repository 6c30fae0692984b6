"""datasets/package.yaml: every value has the type the data package and the site read it as,
and every link is a real http(s) URL that cannot break out of an HTML attribute."""

from __future__ import annotations

import pytest

from conftest import line_of
from site_project import edit, the_problem, validate

PACKAGE = "datasets/package.yaml"
XSS = '"><img src=x onerror=alert(document.domain)>'


@pytest.mark.parametrize("old, new, rule, field, needle", [
    ("homepage: https://github.com/shequ-project/shequ", "homepage: 12", "package.url", "homepage", "homepage:"),
    ("repository: https://github.com/shequ-project/shequ", f"repository: 'https://github.com/x/y{XSS}'",
     "package.url", "repository", "repository:"),
    ("repository: https://github.com/shequ-project/shequ", "repository: javascript:alert(1)", "package.url",
     "repository", "repository:"),
    ("repository: https://github.com/shequ-project/shequ", "repository: https://github.com/x y", "package.url",
     "repository", "repository:"),
    ("repository: https://github.com/shequ-project/shequ", "repository: 'https://github.com/x\\y'", "package.url",
     "repository", "repository:"),
    ("repository: https://github.com/shequ-project/shequ", "repository: 'https:///nohost'", "package.url",
     "repository", "repository:"),
    ("title_zh: 社区社会组织与孵化机构（演示数据）", "title_zh: 2026-11-26", "package.type", "title_zh", "title_zh:"),
    ("title_zh: 社区社会组织与孵化机构（演示数据）", "title_zh: [a]", "package.type", "title_zh", "title_zh:"),
    ("keywords: [community-based", "keywords: [12, community-based", "package.type", "keywords[0]", "keywords:"),
    ("keywords: [community-based social organizations, 社区社会组织, incubators, China, civil society]",
     "keywords: civil society", "package.type", "keywords", "keywords:"),
    ("    path: https://creativecommons.org/licenses/by/4.0/", "    path: 'https://x.org/\"><b>'", "package.url",
     "licenses[0].path", "path: 'https://x.org"),
    ("    title: Creative Commons Attribution 4.0 International", "    title: 4.0", "package.type",
     "licenses[0].title", "title: 4.0"),
    ("    path: https://github.com/modood/Administrative-divisions-of-China", "    path: ftp://example.org/",
     "package.url", "sources[1].path", "ftp://"),
    ("  - title: Shequ contributors", "  - title: 12", "package.type", "contributors[0].title", "title: 12"),
    ("contributors:\n  - title: Shequ contributors\n    role: author", "contributors:\n  - Shequ", "package.type",
     "contributors[0]", "- Shequ"),
])
def test_a_wrong_value_is_named_with_its_line_and_rule(mini, old, new, rule, field, needle):
    path = edit(mini.root / PACKAGE, old, new)
    code, problems = validate(mini.root)
    assert code == 1
    problem = the_problem(problems, rule)
    assert (problem["file"], problem["field"], problem["line"]) == (PACKAGE, field, line_of(path, needle))


@pytest.mark.parametrize("old, new", [
    ("homepage: https://github.com/shequ-project/shequ", "homepage: https://example.org:8443/a/b?q=1&r=社区#top"),
    ("version: 0.1.0", "version: '0.1.0'"),
])
def test_ordinary_values_pass(mini, old, new):
    edit(mini.root / PACKAGE, old, new)
    assert validate(mini.root) == (0, [])
