"""Ways to suggest a correction to a record without a GitHub account.

``corrections`` in ``datasets/package.yaml`` names them (checked by
:mod:`shequ.checks.package`): an e-mail address, which becomes a ``mailto:`` link with the
record's id and page address filled in, and/or a web form's address. Each record page offers
them beside the link to the record's file in the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from shequ.checks.package import correction_channels

@dataclass(frozen=True)
class CorrectionLink:
    label: str
    href: str


def correction_links(renderer, entry) -> list[CorrectionLink]:
    """The record's correction links other than the repository's, in the page's language."""
    channels = correction_channels(renderer.directory.sources.package)
    links = []
    if "email" in channels:
        page = renderer.absolute(renderer.prefix + entry.path) or "/" + renderer.prefix + entry.path
        subject = renderer.t("Correction: {name} ({id})").format(name=entry.name, id=entry.id)
        body = renderer.t("Record: {id}\nPage: {page}\n\nWhat is wrong:\n\nWhat is right, and where you saw it "
                          "(a link, a notice, a sign):\n").format(id=entry.id, page=page)
        # Every character of the subject and body is percent-encoded, so nothing in a
        # record's name can add a recipient or a header to the message.
        href = f"mailto:{channels['email']}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
        links.append(CorrectionLink(renderer.t("Suggest a correction by e-mail"), href))
    if "form" in channels:
        links.append(CorrectionLink(renderer.t("Suggest a correction with the form"), channels["form"]))
    return links
