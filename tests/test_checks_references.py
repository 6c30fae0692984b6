"""Reference rules: incubated_by names an incubator that exists."""

from __future__ import annotations

from conftest import line_of, one_problem, problems_of

ORG = "organizations"
SILVER = "org-silver-age"
SILVER_FILE = "datasets/organizations/org-silver-age.yaml"


def test_reference_to_an_existing_incubator_passes(mini):
    report = mini.report()
    assert not problems_of(report, "references.incubator")
    assert report.valid


def test_organization_without_incubation_needs_no_incubator(mini):
    mini.edit(ORG, SILVER, "incubated_by: inc-chaoyang-base\nincubated_from: 2018-06-01\n"
              "incubated_until: 2019-05-31\n", "")
    assert not problems_of(mini.report(), "references.incubator")


def test_unknown_incubator_is_reported_with_the_closest_id(mini):
    mini.edit(ORG, SILVER, "incubated_by: inc-chaoyang-base", "incubated_by: inc-chaoyang-bas")
    p = one_problem(mini.report(), "references.incubator")
    assert (p.file, p.field) == (SILVER_FILE, "incubated_by")
    assert p.line == line_of(mini.path(ORG, SILVER), "incubated_by:")
    assert p.message == "no incubator has id 'inc-chaoyang-bas'"
    assert p.hint == "did you mean 'inc-chaoyang-base'?"


def test_unknown_incubator_far_from_any_id_points_to_the_folder(mini):
    mini.edit(ORG, SILVER, "incubated_by: inc-chaoyang-base", "incubated_by: zzz-nothing-alike")
    p = one_problem(mini.report(), "references.incubator")
    assert p.hint == "see datasets/incubators/"


def test_incubation_period_without_an_incubator_is_reported(mini):
    mini.edit(ORG, SILVER, "incubated_by: inc-chaoyang-base\n", "")
    p = one_problem(mini.report(), "references.incubator")
    assert (p.file, p.field) == (SILVER_FILE, "incubated_by")
    assert p.line == 1  # the key is absent: reported at the record
    assert p.hint == "add incubated_by: <incubator id>"
