"""The build's settings: one typed object, read from the environment at the edge only.

The CLI (:mod:`shequ.cli`) and the MkDocs plugin, the two ways a build starts, call
:meth:`Settings.from_environ` once; everything below them receives the object and never
reads ``os.environ``. Each variable is for tests and measurements, not for deployments:

==============================  ================================================================
variable                        what it does
==============================  ================================================================
``SHEQU_TODAY=YYYY-MM-DD``      the day the date rules treat as today (and ``shequ new`` writes)
``SHEQU_SEED=TEXT``             seeds the random ids ``shequ new`` and ``shequ import`` pick
``SHEQU_PLAIN_RENDER=1``        every render shortcut off (shared theme shells): for equivalence tests
``SHEQU_COMPACT_TEMPLATES=0``   templates keep their indentation: for equivalence tests
``SHEQU_PUBLISH_INLINE=1``      the data package is written in the build's own process: for A/B runs
``SHEQU_TIMINGS=FILE``          the stage timings are written to FILE as JSON (``shequ bench``)
==============================  ================================================================

Example::

    settings = Settings.from_environ({"SHEQU_TODAY": "2026-11-26"})
    assert settings.today() == datetime.date(2026, 11, 26)
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Mapping

from shequ.errors import ShequError

#: Each setting's environment variable.
ENVIRONMENT = {
    "pinned_today": "SHEQU_TODAY",
    "seed": "SHEQU_SEED",
    "plain_render": "SHEQU_PLAIN_RENDER",
    "compact_templates": "SHEQU_COMPACT_TEMPLATES",
    "publish_inline": "SHEQU_PUBLISH_INLINE",
    "timings": "SHEQU_TIMINGS",
}


class SettingsError(ShequError):
    """An environment variable has a value the build cannot use."""


@dataclass(frozen=True)
class Settings:
    pinned_today: dt.date | None = None
    seed: str | None = None
    plain_render: bool = False
    compact_templates: bool = True
    publish_inline: bool = False
    timings: Path | None = None

    def today(self) -> dt.date:
        """The reference day of the date rules: the pinned one, else the clock's."""
        return self.pinned_today or dt.date.today()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        value = {name: environ.get(var) for name, var in ENVIRONMENT.items()}
        today = value["pinned_today"]
        try:
            pinned = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise SettingsError(f"SHEQU_TODAY={today!r} is not a date (write YYYY-MM-DD)") from None
        return cls(
            pinned_today=pinned,
            seed=value["seed"] or None,
            plain_render=value["plain_render"] == "1",
            compact_templates=value["compact_templates"] != "0",
            publish_inline=value["publish_inline"] == "1",
            timings=Path(value["timings"]) if value["timings"] else None,
        )

    def as_environ(self) -> dict[str, str]:
        """The variables that give these settings to a child process (the inverse of from_environ)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            var = ENVIRONMENT[f.name]
            if f.name == "pinned_today" and value is not None:
                out[var] = value.isoformat()
            elif f.name in ("seed", "timings") and value is not None:
                out[var] = str(value)
            elif f.name == "plain_render" and value:
                out[var] = "1"
            elif f.name == "compact_templates" and not value:
                out[var] = "0"
            elif f.name == "publish_inline" and value:
                out[var] = "1"
        return out
