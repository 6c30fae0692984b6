"""Topic pages: one per term of the fields of activity, service populations,
service functions and management tracks, with its organizations.
The index lists each vocabulary's terms by their label in the reader's language.

A term whose field is one of the directory's filters (a ``facet`` role in the Table Schema)
links to the directory filtered to that term instead of listing its organizations: an
organization has one track and one or more terms of each other vocabulary, so the topic
lists together repeated the whole directory about five times (7.1 KB per organization in
the two languages, an eighth of the site at 5,000 organizations), and the directory
filters, sorts and searches them better. Without JavaScript every organization is still
reached through the regions and the full list. A term of a vocabulary without a facet is
listed as before."""

from __future__ import annotations

from shequ.render.directory import sorted_records
from shequ.render.facets import facets
from shequ.render.model import Term
from shequ.render.page import GeneratedPage, Renderer, paginated


def topic_index(renderer: Renderer) -> GeneratedPage:
    directory = renderer.directory
    path = "topics/"
    groups = []
    for name in directory.topic_vocabularies:
        vocab = directory.vocabularies.get(name)
        if vocab is None:
            continue
        terms = sorted(directory.terms.get(name, {}).values(),
                       key=lambda t: (renderer.sort_key(t.label_zh, t.label_en), t.code))
        counts = {t.code: len(directory.organizations_by_term.get((name, t.code), [])) for t in terms}
        groups.append((name, vocab, terms, counts))
    body = renderer.render("topics.html", path, groups=groups)
    toc = [(name, renderer.pick(v.title_zh, v.title_en)) for name, v, _, _ in groups]
    return GeneratedPage(path, renderer.t("Topics"), body, toc=toc, in_nav=True)


def directory_facets(renderer: Renderer) -> dict[str, str]:
    """The vocabularies whose topic pages link to the directory's facet instead of listing:
    vocabulary -> the facet's name (``{"management_tracks": "track", …}``)."""
    return {f.vocabulary: f.facet for f in facets(renderer.directory) if f.vocabulary}


def topic(renderer: Renderer, term: Term) -> list[GeneratedPage]:
    directory = renderer.directory
    vocab = directory.vocabularies[term.vocabulary]
    members = directory.organizations_by_term.get((term.vocabulary, term.code), [])
    facet = directory_facets(renderer).get(term.vocabulary)
    orgs = sorted_records(renderer, members) if facet is None else []
    return paginated(renderer, "topic.html", term.path, renderer.pick(term.label_zh, term.label_en), orgs,
                     edit_url=renderer.edit_url(vocab.file), term=term, vocabulary=vocab, members=len(members),
                     directory_filter=f"organizations/?{facet}={term.code}" if facet else None)
