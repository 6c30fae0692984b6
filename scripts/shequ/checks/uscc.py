"""Unified Social Credit Code rules (GB 32100-2015), using python-stdnum's ``stdnum.cn.uscc``.

- registered organizations have one; filed and community-guided ones do not;
- the authority character is 5 (civil affairs);
- the type character matches the legal form (``uscc_type`` in the legal_forms vocabulary);
- characters 3–8 are a real division code (or 100000, national), ideally the organization's own area;
- the check character is right, and no two records share a code.
"""

from __future__ import annotations

from typing import Iterator

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from shequ import rules
from shequ.sources.divisions import nbs_code
from shequ.sources.load import Sources
from shequ.report import WARNING, Problem

CIVIL_AFFAIRS = "5"
#: GB/T 2260's code for the whole country: organizations registered nationally.
NATIONAL = "100000"
TRACKS_WITH_CODE = {"registered"}


def check(sources: Sources) -> Iterator[Problem]:
    legal_forms = sources.vocabularies.get("legal_forms")
    type_of_form = {code: str(t.get("uscc_type")) for code, t in (legal_forms.terms.items() if legal_forms else ())
                    if t.get("uscc_type") is not None}
    seen: dict[str, str] = {}
    for rec in sources.records["organizations"]:
        code = rec.data.get("uscc")
        track = rec.data.get("management_track")
        if code is None:
            if track in TRACKS_WITH_CODE:
                yield Problem(rules.USCC_REQUIRED, "is required for organizations registered with civil affairs",
                              rec.file, ("uscc",), hint="copy it from the registration certificate")
            continue
        if not isinstance(code, str):
            continue  # reported by the structure rules
        if track is not None and track not in TRACKS_WITH_CODE:
            yield Problem(rules.USCC_NOT_EXPECTED, f"a {track} organization has no Unified Social Credit Code",
                          rec.file, ("uscc",), hint="remove the code, or set management_track: registered")
        if code != stdnum_uscc.compact(code):
            yield Problem(rules.USCC_FORMAT, "write the code in capitals without spaces or hyphens", rec.file,
                          ("uscc",), hint=f"uscc: {stdnum_uscc.compact(code)}")
            continue
        try:
            stdnum_uscc.validate(code)
        except InvalidChecksum:
            expected = stdnum_uscc.calc_check_digit(code[:17])
            yield Problem(rules.USCC_CHECK_CHARACTER, f"check character is '{code[-1]}', expected '{expected}'",
                          rec.file, ("uscc",), hint="GB 32100-2015: re-type the code from the certificate")
            continue
        except ValidationError as exc:
            yield Problem(rules.USCC_FORMAT, f"'{code}' is not a Unified Social Credit Code: {exc.message}",
                          rec.file, ("uscc",), hint="18 characters: digits and capitals except I, O, S, V, Z")
            continue
        if code[0] != CIVIL_AFFAIRS:
            yield Problem(rules.USCC_AUTHORITY, f"authority character is '{code[0]}', expected '5' (civil affairs)",
                          rec.file, ("uscc",))
        form = rec.data.get("legal_form")
        expected_type = type_of_form.get(form)
        if form is not None and expected_type is not None and code[1] != expected_type:
            yield Problem(rules.USCC_TYPE, f"type character is '{code[1]}', but legal form {form} has '{expected_type}'",
                          rec.file, ("uscc",))
        elif form is not None and form in (legal_forms.terms if legal_forms else {}) and expected_type is None:
            yield Problem(rules.USCC_TYPE, f"legal form {form} has no Unified Social Credit Code", rec.file,
                          ("legal_form",))
        if code[2:8] == NATIONAL:
            pass  # registered with the Ministry of Civil Affairs itself
        elif (area := nbs_code(code[2:8])) not in sources.divisions:
            yield Problem(rules.USCC_DIVISION, f"characters 3-8 '{code[2:8]}' are not a division in the divisions table",
                          rec.file, ("uscc",), hint="import the registering authority's division with "
                          "'shequ divisions import'")
        else:
            division = rec.data.get("division")
            if isinstance(division, str) and not division.startswith(area):
                yield Problem(rules.USCC_DIVISION_MISMATCH,
                              f"registered in division {code[2:8]}, outside the organization's division {division}",
                              rec.file, ("uscc",), severity=WARNING)
        if code in seen:
            yield Problem(rules.USCC_DUPLICATE, f"code {code} is also used by {seen[code]}", rec.file, ("uscc",))
        else:
            seen[code] = rec.file
