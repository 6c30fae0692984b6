"""The organizations' directory facets: which field each filter reads, and its labels."""

from __future__ import annotations

#: The directory's facets: Pagefind filter name → the record field or list it comes from.
FACETS = {
    "track": "management_track",
    "form": "legal_form",
    "field": "fields_of_activity",
    "population": "service_populations",
    "status": "status",
}
#: The vocabulary of each facet, for its labels.
FACET_VOCABULARIES = {
    "track": "management_tracks",
    "form": "legal_forms",
    "field": "fields_of_activity",
    "population": "service_populations",
    "status": "statuses",
}
REGION_FACETS = ("province", "prefecture", "county")


def facet_labels(directory) -> dict:
    """Chinese and English labels of the facets' codes, for the directory's script."""
    out = {}
    for facet, vocabulary in FACET_VOCABULARIES.items():
        out[facet] = {code: [t.label_zh, t.label_en] for code, t in directory.terms.get(vocabulary, {}).items()}
    return out
