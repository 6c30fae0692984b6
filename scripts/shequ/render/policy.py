"""Policy pages: each document, each provision, and the glossary, from ``datasets/policy/``.

A provision page says what the provision does in the project's own words, what it
means for organizers, officials and researchers, and links to the data it governs:
each measure it names is a vocabulary term, shown with the organizations and
incubators that use it and a link to that term's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from shequ.render.messages import N_, NC_
from shequ.render.model import Term, provision_segment, segment
from shequ.render.page import GeneratedPage, Renderer

AUDIENCES = {
    "organizers": N_("For organizers"),
    "officials": N_("For officials"),
    "researchers": N_("For researchers"),
}
#: What each kind of date, history entry and source is called. A document's status is a
#: message in the context "status": "in force" is 现行有效 there, and 施行 in a history.
DATE_KINDS = {
    "adopted": N_("adopted"),
    "approved": N_("approved"),
    "signed": N_("signed"),
    "issued": N_("issued"),
    "published": N_("published"),
    "in-force": N_("in force from"),
    "reported": N_("reported"),
}
HISTORY_KINDS = {
    "amended": N_("amended"),
    "revised": N_("revised"),
    "previous-version": N_("earlier version"),
    "in-force": N_("in force"),
    "implemented": N_("carried out"),
    "legislative-plan": N_("in a legislative plan"),
    "repealed": N_("repealed"),
}
STATUSES = {
    "in-force": NC_("status", "in force"),
    "amended": NC_("status", "in force, as amended"),
    "repealed": NC_("status", "repealed"),
    "draft": NC_("status", "draft, not in force"),
    "expired": NC_("status", "period ended"),
}
SOURCE_KINDS = {
    "official": N_("official"),
    "copy": N_("copy"),
    "report": N_("report"),
}
#: The timeline starts with the 2013 reform plan: direct registration begins there.
TIMELINE_FROM = 2013
#: The sidebar of a document page.
DOCUMENT_TOC = (("facts", N_("Facts")), ("summary", N_("Summary")), ("history", N_("History")),
                ("sources", N_("Sources")), ("provisions", N_("Provisions")))
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
    return sorted(policy.documents.values(), key=lambda d: (str(d.first_date or "9999"), d.id))


@dataclass
class TimelineEvent:
    date: object  # a PartialDate
    document: object
    kind: str  # a date kind or a history kind
    is_history: bool
    number: str | None = None
    summary_zh: str = ""
    summary_en: str = ""
    source: object = None


def timeline(documents, since: int = TIMELINE_FROM) -> list[TimelineEvent]:
    """Every dated event of the documents from ``since`` on, oldest first: each document's own
    dates, then what happened to it later. Events of one day keep the order of their documents."""
    events = []
    for doc in documents:
        for d in doc.dates:
            events.append(TimelineEvent(d.date, doc, d.kind, False, source=doc.source(d.source)))
        for h in doc.history:
            events.append(TimelineEvent(h.date, doc, h.kind, True, h.number, h.summary_zh, h.summary_en,
                                        doc.source(h.source)))
    return sorted((e for e in events if e.date.year >= since), key=lambda e: e.date.text)


def policy_pages(renderer: Renderer):
    """The policy index, a page per document and per provision, and the glossary."""
    policy = renderer.directory.policy
    if policy is None:
        return
    documents = _documents(renderer)
    path = "policy/"
    labels = dict(date_kinds=DATE_KINDS, history_kinds=HISTORY_KINDS, statuses=STATUSES, source_kinds=SOURCE_KINDS)
    body = renderer.render("policy.html", path, documents=documents, document_path=document_path,
                           provision_path=provision_path, **labels)
    yield GeneratedPage(path, renderer.t("Policy"), body, in_nav=True,
                        toc=[(d.id, renderer.pick(d.title_zh, d.title_en)) for d in documents])
    path = "policy/timeline/"
    body = renderer.render("policy_timeline.html", path, events=timeline(documents), since=TIMELINE_FROM,
                           document_path=document_path, **labels)
    yield GeneratedPage(path, renderer.t("Policy timeline"), body, in_nav=True)
    for document in documents:
        path = document_path(document.id)
        body = renderer.render("policy_document.html", path, document=document, provision_path=provision_path,
                               **labels)
        toc = [(anchor, renderer.t(heading)) for anchor, heading in DOCUMENT_TOC
               if anchor != "history" or document.history]
        yield GeneratedPage(path, renderer.pick(document.title_zh, document.title_en), body,
                            renderer.edit_url(document.file), toc=toc)
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
