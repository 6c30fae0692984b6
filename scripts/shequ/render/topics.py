"""Topic pages: one per term of the fields of activity, service populations,
service functions and management tracks, listing the organizations that have it."""

from __future__ import annotations

from .model import TOPIC_VOCABULARIES, Term
from .page import GeneratedPage, Renderer, paginated


def topic_index(renderer: Renderer) -> GeneratedPage:
    directory = renderer.directory
    path = "topics/"
    groups = []
    for name in TOPIC_VOCABULARIES:
        vocab = directory.vocabularies.get(name)
        if vocab is None:
            continue
        terms = list(directory.terms.get(name, {}).values())
        counts = {t.code: len(directory.organizations_by_term.get((name, t.code), [])) for t in terms}
        groups.append((name, vocab, terms, counts))
    body = renderer.render("topics.html", path, groups=groups)
    toc = [(name, f"{v.title_zh} {v.title_en}") for name, v, _, _ in groups]
    return GeneratedPage(path, "Topics 主题", body, toc=toc, in_nav=True)


def topic(renderer: Renderer, term: Term) -> list[GeneratedPage]:
    directory = renderer.directory
    vocab = directory.vocabularies[term.vocabulary]
    orgs = sorted(directory.organizations_by_term.get((term.vocabulary, term.code), []),
                  key=lambda o: (o.values.get("division", ""), o.name, o.id))
    return paginated(renderer, "topic.html", term.path, f"{term.label_zh} {term.label_en}", orgs,
                     edit_url=renderer.edit_url(vocab.file), term=term, vocabulary=vocab)
