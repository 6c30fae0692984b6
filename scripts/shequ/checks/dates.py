"""Date rules: no date lies in the future, and dates come in a sensible order.

Malformed dates are the structure rules' job; these rules look only at values
that are real dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from shequ import rules
from shequ.project import RECORD_DATASETS
from shequ.sources.load import Sources
from shequ.report import Problem



def date_fields(sources: Sources) -> dict[str, list[str]]:
    """Every date field that must not lie in the future, per dataset: those with the
    ``no-future`` role in their Table Schema."""
    return {dataset: [f.key for f in sources.schemas.with_role(dataset, "no-future")] for dataset in RECORD_DATASETS}


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def check(sources: Sources, today: dt.date | None = None) -> Iterator[Problem]:
    """``today``: the reference day (``Settings.today()``); by default the clock's."""
    now = today or dt.date.today()
    for dataset, fields in date_fields(sources).items():
        for rec in sources.records[dataset]:
            data = rec.data
            for name in fields:
                value = _date(data.get(name))
                if value and value > now:
                    yield Problem(rules.DATES_FUTURE, f"{value} is in the future", rec.file, (name,))
            for i, source in enumerate(data.get("sources") or ()):
                value = _date(source.get("accessed")) if isinstance(source, dict) else None
                if value and value > now:
                    yield Problem(rules.DATES_FUTURE, f"{value} is in the future", rec.file, ("sources", i, "accessed"))
            if dataset == "organizations":
                yield from _organization_order(rec)


def _organization_order(rec) -> Iterator[Problem]:
    data = rec.data
    founded = _date(data.get("founded"))
    registered = _date(data.get("registration_date"))
    if founded and registered and registered < founded:
        yield Problem(rules.DATES_ORDER, f"registered or filed on {registered}, before it was founded on {founded}",
                      rec.file, ("registration_date",))
    dissolved = _date(data.get("dissolved"))
    status = data.get("status")
    if status == "dissolved" and data.get("dissolved") is None:
        yield Problem(rules.DATES_DISSOLVED, "a dissolved organization needs its dissolution date", rec.file,
                      ("dissolved",), hint="add dissolved: YYYY-MM-DD")
    if status != "dissolved" and data.get("dissolved") is not None:
        yield Problem(rules.DATES_DISSOLVED, f"a dissolution date is given but the status is {status}", rec.file,
                      ("dissolved",), hint="set status: dissolved, or remove the date")
    if dissolved and founded and dissolved < founded:
        yield Problem(rules.DATES_ORDER, f"dissolved on {dissolved}, before it was founded on {founded}",
                      rec.file, ("dissolved",))
    start, end = _date(data.get("incubated_from")), _date(data.get("incubated_until"))
    if start and end and end < start:
        yield Problem(rules.DATES_ORDER, f"incubation ends on {end}, before it starts on {start}", rec.file,
                      ("incubated_until",))
