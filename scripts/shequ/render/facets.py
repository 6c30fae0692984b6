"""The organizations' directory facets, from the ``facet`` roles in the Table Schemas."""

from __future__ import annotations

#: The region filters, from a record's division (GB/T 2260 codes: 2, 4 and 6 digits).
REGION_FACETS = ("province", "prefecture", "county")


def facets(directory) -> list:
    """The directory's filters in their order (:class:`~shequ.sources.tables.FieldRoles`, each
    with its ``facet`` name, record ``key`` and ``vocabulary``)."""
    return directory.sources.schemas.facets()


def facet_labels(directory) -> dict:
    """Chinese and English labels of the facets' codes, for the directory's script."""
    return {f.facet: {code: [t.label_zh, t.label_en] for code, t in directory.terms.get(f.vocabulary, {}).items()}
            for f in facets(directory)}


def usual_values() -> dict:
    """The values the directory's results leave out, as listings do (:data:`~shequ.render.model.USUAL_VALUES`)."""
    from shequ.render.model import USUAL_VALUES

    return dict(USUAL_VALUES)
