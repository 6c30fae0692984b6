"""Policy pages: each document, each provision, and the glossary, from ``datasets/policy/``.

A provision page says what the provision does in the project's own words, what it
means for organizers, officials and researchers, and links to the data it governs:
each measure it names is a vocabulary term, shown with the organizations and
incubators that use it and a link to that term's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shequ.render.messages import N_, NC_
from shequ.render.model import Term, provision_segment, segment
from shequ.render.page import GeneratedPage, Renderer

AUDIENCES = {
    "organizers": N_("For organizers"),
    "officials": N_("For officials"),
    "researchers": N_("For researchers"),
}
DATE_KINDS = {
    "issued": N_("issued"),
    "made-public": N_("made public"),
    "effective": N_("in force from"),
    "reported": N_("reported"),
}
#: The sidebar of a provision page.
PROVISION_TOC = (("summary", NC_("provision", "Summary")), ("audiences", N_("What it means")),
                 ("data", N_("Data it governs")))
#: Where the data a measure governs is listed, for vocabularies without term pages: the
#: listing's path and the link's text (a message in the context "listing").
LISTINGS = {
    "support_types": ("incubators/", NC_("listing", "Incubators")),
    "incubator_kinds": ("incubators/", NC_("listing", "Incubators")),
    "legal_forms": ("statistics/#legal-forms", NC_("listing", "Legal forms in the statistics")),
    "statuses": ("organizations/", NC_("listing", "Organizations")),
}


@dataclass
class Measure:
    term: Term
    organizations: int
    incubators: int
    link: str | None  # a site path
    link_text: str = ""  # in the page's language


def document_path(document_id: str) -> str:
    return f"policy/{segment(document_id)}/"


def provision_path(document_id: str, provision_id: str) -> str:
    return f"policy/{segment(document_id)}/{provision_segment(provision_id)}/"


def _measures(renderer: Renderer, provision) -> list[Measure]:
    directory = renderer.directory
    out = []
    for vocabulary, code in provision.measure_terms:
        term = directory.term(vocabulary, code)
        orgs, incs = directory.term_counts.get((vocabulary, code), (0, 0))
        if directory.has_page(term):
            out.append(Measure(term, orgs, incs, term.path))
        elif vocabulary in LISTINGS:
            path, text = LISTINGS[vocabulary]
            out.append(Measure(term, orgs, incs, path, renderer.tc("listing", text)))
        else:
            out.append(Measure(term, orgs, incs, None))
    return out


def _documents(renderer: Renderer) -> list:
    policy = renderer.directory.policy
    if policy is None:
        return []
    return sorted(policy.documents.values(), key=lambda d: (document_year(d), d.id))


def document_year(document) -> int:
    """The year a document is from: its date or year, else a year in its number or id ('gb-32100-2015')."""
    if document.date:
        return document.date.year
    if document.year:
        return document.year
    found = re.findall(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})(?![0-9])", f"{document.number or ''} {document.id}")
    return int(found[-1]) if found else 9999


def policy_pages(renderer: Renderer):
    """The policy index, a page per document and per provision, and the glossary."""
    policy = renderer.directory.policy
    if policy is None:
        return
    documents = _documents(renderer)
    path = "policy/"
    body = renderer.render("policy.html", path, documents=documents, document_path=document_path,
                           provision_path=provision_path, date_kinds=DATE_KINDS)
    yield GeneratedPage(path, renderer.t("Policy"), body, in_nav=True,
                        toc=[(d.id, renderer.pick(d.title_zh, d.title_en)) for d in documents])
    for document in documents:
        path = document_path(document.id)
        body = renderer.render("policy_document.html", path, document=document, provision_path=provision_path,
                               date_kinds=DATE_KINDS)
        yield GeneratedPage(path, renderer.pick(document.title_zh, document.title_en), body,
                            renderer.edit_url(document.file))
        for provision in document.provisions:
            yield provision_page(renderer, document, provision)
    path = "policy/glossary/"
    terms = glossary_order(renderer, policy.glossary)
    body = renderer.render("glossary.html", path, terms=terms)
    glossary_file = terms[0].file if terms else None
    yield GeneratedPage(path, renderer.t("Glossary"), body, renderer.edit_url(glossary_file), in_nav=True)


def glossary_order(renderer: Renderer, terms) -> list:
    """Glossary terms by their pinyin on Chinese pages (as the glossary writes it, tone marks
    and all: "shèqū" sorts with "shequ"), by the English term on English pages."""
    if renderer.lang == "en":
        return sorted(terms, key=lambda t: (t.en.casefold(), t.id))
    return sorted(terms, key=lambda t: (_toneless(t.pinyin), t.pinyin.lower(), t.id))


def _toneless(pinyin: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFD", pinyin.lower().replace("ü", "v"))
    return "".join(c for c in text if not unicodedata.combining(c))


def provision_page(renderer: Renderer, document, provision) -> GeneratedPage:
    policy = renderer.directory.policy
    path = provision_path(document.id, provision.id)
    related = [(full_id, policy.provision(full_id)) for full_id in provision.related]
    body = renderer.render(
        "policy_provision.html", path,
        document=document,
        provision=provision,
        document_path=document_path,
        measures=_measures(renderer, provision),
        related=[(p, renderer.directory.provision_path(full_id)) for full_id, p in related if p is not None],
        glossary=policy.citing(provision.full_id),
        audiences=AUDIENCES,
    )
    number = f"{provision.number} " if provision.number else ""
    toc = [(anchor, renderer.tc("provision", heading) if anchor == "summary" else renderer.t(heading))
           for anchor, heading in PROVISION_TOC]
    return GeneratedPage(path, number + renderer.pick(provision.title_zh, provision.title_en), body,
                         renderer.edit_url(provision.file or document.file), toc=toc)
