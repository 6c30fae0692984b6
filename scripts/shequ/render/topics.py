"""Topic pages: one per term of the fields of activity, service populations,
service functions and management tracks, listing the organizations that have it.
The index lists each vocabulary's terms by their label in the reader's language.

A management track's page links to the directory filtered to that track instead of
listing its organizations: every organization has exactly one track, so the three
lists together would repeat the whole directory (about 1.4 KB per organization in the
two languages), and the directory filters, sorts and searches them better."""

from __future__ import annotations

from shequ.render.directory import sorted_records
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


#: Vocabularies whose topic pages link to the directory's facet of that name instead of listing.
DIRECTORY_FACETS = {"management_tracks": "track"}


def topic(renderer: Renderer, term: Term) -> list[GeneratedPage]:
    directory = renderer.directory
    vocab = directory.vocabularies[term.vocabulary]
    members = directory.organizations_by_term.get((term.vocabulary, term.code), [])
    facet = DIRECTORY_FACETS.get(term.vocabulary)
    orgs = sorted_records(renderer, members) if facet is None else []
    return paginated(renderer, "topic.html", term.path, renderer.pick(term.label_zh, term.label_en), orgs,
                     edit_url=renderer.edit_url(vocab.file), term=term, vocabulary=vocab, members=len(members),
                     directory_filter=f"organizations/?{facet}={term.code}" if facet else None)
