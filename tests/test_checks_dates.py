"""Date rules: nothing in the future (SHEQU_TODAY pins today to 2026-11-26), and dates in order."""

from __future__ import annotations

import pytest

from conftest import line_of, one_problem, problems_of

ORG = "organizations"
SILVER = "org-silver-age"
SILVER_FILE = "datasets/organizations/org-silver-age.yaml"
INCUBATOR_FILE = "datasets/incubators/inc-chaoyang-base.yaml"


def date_rules(report) -> list[str]:
    return [p.rule for p in report.problems if p.rule.startswith("dates.")]


def test_mini_project_dates_pass(mini):
    assert date_rules(mini.report()) == []


def test_today_is_not_in_the_future(mini):
    mini.edit(ORG, SILVER, "last_verified: 2026-11-01", "last_verified: 2026-11-26")
    assert date_rules(mini.report()) == []


def test_tomorrow_is_in_the_future(mini):
    mini.edit(ORG, SILVER, "last_verified: 2026-11-01", "last_verified: 2026-11-27")
    p = one_problem(mini.report(), "dates.future")
    assert (p.file, p.field) == (SILVER_FILE, "last_verified")
    assert p.line == line_of(mini.path(ORG, SILVER), "last_verified:")
    assert p.message == "2026-11-27 is in the future"


def test_today_follows_shequ_today(mini, monkeypatch):
    mini.edit(ORG, SILVER, "last_verified: 2026-11-01", "last_verified: 2026-11-27")
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-27")
    assert date_rules(mini.report()) == []


@pytest.mark.parametrize("old, new, field", [
    ("registration_date: 2019-05-12", "registration_date: 2030-01-01", "registration_date"),
    ("incubated_from: 2018-06-01", "incubated_from: 2030-01-01", "incubated_from"),
])
def test_future_date_in_any_dated_field_is_reported(mini, old, new, field):
    mini.edit(ORG, SILVER, old, new)
    p = one_problem(mini.report(), "dates.future", field)
    assert p.file == SILVER_FILE
    assert p.line == line_of(mini.path(ORG, SILVER), f"{field}:")


def test_future_access_date_of_a_source_is_reported_at_the_item(mini):
    mini.edit("incubators", "inc-chaoyang-base", "    accessed: 2026-11-01", "    accessed: 2027-01-01")
    p = one_problem(mini.report(), "dates.future")
    assert (p.file, p.field) == (INCUBATOR_FILE, "sources[0].accessed")
    assert p.line == line_of(mini.path("incubators", "inc-chaoyang-base"), "accessed:")


def test_future_opening_of_an_incubator_is_reported(mini):
    mini.edit("incubators", "inc-chaoyang-base", "opened: 2015-06-01", "opened: 2027-06-01")
    p = one_problem(mini.report(), "dates.future")
    assert (p.file, p.field) == (INCUBATOR_FILE, "opened")
    assert p.line == line_of(mini.path("incubators", "inc-chaoyang-base"), "opened:")


def test_registration_before_founding_is_out_of_order(mini):
    mini.edit(ORG, SILVER, "registration_date: 2019-05-12", "registration_date: 2018-11-02")
    p = one_problem(mini.report(), "dates.order")
    assert (p.file, p.field) == (SILVER_FILE, "registration_date")
    assert p.line == line_of(mini.path(ORG, SILVER), "registration_date:")
    assert "2018-11-02" in p.message and "2018-11-03" in p.message


def test_registration_on_the_founding_day_is_in_order(mini):
    mini.edit(ORG, SILVER, "registration_date: 2019-05-12", "registration_date: 2018-11-03")
    assert date_rules(mini.report()) == []


def test_dissolved_status_without_a_date_is_reported(mini):
    mini.edit(ORG, SILVER, "status: active", "status: dissolved")
    p = one_problem(mini.report(), "dates.dissolved")
    assert (p.file, p.field) == (SILVER_FILE, "dissolved")
    assert p.line == 1  # the date is absent: reported at the record
    assert p.hint == "add dissolved: YYYY-MM-DD"


def test_dissolved_status_with_a_date_passes(mini):
    mini.edit(ORG, SILVER, "status: active", "status: dissolved\ndissolved: 2023-04-01")
    assert date_rules(mini.report()) == []


def test_dissolution_date_on_an_active_organization_is_reported(mini):
    mini.edit(ORG, SILVER, "status: active", "status: active\ndissolved: 2023-04-01")
    p = one_problem(mini.report(), "dates.dissolved")
    assert (p.file, p.field) == (SILVER_FILE, "dissolved")
    assert p.line == line_of(mini.path(ORG, SILVER), "dissolved:")


def test_dissolution_before_founding_is_out_of_order(mini):
    mini.edit(ORG, SILVER, "status: active", "status: dissolved\ndissolved: 2018-01-01")
    p = one_problem(mini.report(), "dates.order")
    assert (p.file, p.field) == (SILVER_FILE, "dissolved")
    assert p.line == line_of(mini.path(ORG, SILVER), "dissolved:")


def test_incubation_ending_before_it_starts_is_out_of_order(mini):
    mini.edit(ORG, SILVER, "incubated_until: 2019-05-31", "incubated_until: 2018-05-31")
    p = one_problem(mini.report(), "dates.order")
    assert (p.file, p.field) == (SILVER_FILE, "incubated_until")
    assert p.line == line_of(mini.path(ORG, SILVER), "incubated_until:")
    assert problems_of(mini.report(), "dates.future") == []
