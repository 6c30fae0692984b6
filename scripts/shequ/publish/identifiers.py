"""Identifiers that the exports give organizations, funders and the rows they derive.

One rule for the organization identifier, shared by every export (HSDS, 360Giving, the
Parquet files) and by anything else that publishes one:

- ``CN-USCI-<code>`` where the organization has a Unified Social Credit Code: the
  org-id.guide register prefix for China's credit codes, so other datasets that use
  org-id identifiers can join on it;
- ``SHEQU-<id>`` otherwise (most community-based organizations are filed, not
  registered, and have no credit code): the project's own, stable record id under
  the project's prefix. The record id never changes (it is the record's file name).

``SHEQU`` is this project's own prefix: it is **not** a register on org-id.guide, so only
this dataset vouches for it. A deployment that publishes its own records sets its own
prefix, ``identifier_prefix`` in ``datasets/package.yaml`` (checked by
rule ``package.identifier-prefix``), ideally one org-id.guide has
registered for it; :func:`local_scheme` reads it.

Example::

    >>> organization_identifier("org-2hkzg7kr", "51310115MJ74678924")
    'CN-USCI-51310115MJ74678924'
    >>> organization_identifier("org-2hkzg7kr", None)
    'SHEQU-org-2hkzg7kr'
"""

from __future__ import annotations

import hashlib
import uuid

from shequ.checks.package import prefix_problem
from shequ.errors import ShequError

#: org-id.guide's register prefix for Unified Social Credit Codes.
USCC_SCHEME = "CN-USCI"
#: The project's own prefix, for organizations without a credit code (unregistered; see above).
LOCAL_SCHEME = "SHEQU"


def local_scheme(package: dict) -> str:
    """The prefix for organizations without a credit code: ``identifier_prefix`` of
    ``package.yaml``, else ``SHEQU``. The checks refuse a value that is not a prefix
    (:func:`shequ.checks.package.prefix_problem`); one that reaches here anyway is refused again."""
    value = package.get("identifier_prefix") if isinstance(package, dict) else None
    if value is None:
        return LOCAL_SCHEME
    problem = prefix_problem(value)
    if problem:
        raise ShequError(f"datasets/package.yaml: identifier_prefix: {problem}")
    return value

#: The namespace of every UUID the exports derive (HSDS wants UUIDs for its ids): a fixed
#: UUIDv5 of the project's name, so the same record gives the same UUID in every build.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/shequ-project/shequ")
_NAMESPACE_BYTES = NAMESPACE.bytes


def organization_identifier(record_id: str, uscc: str | None, local: str = LOCAL_SCHEME) -> str:
    """The org-id style identifier of an organization (see the module's docstring);
    ``local``: the deployment's prefix (:func:`local_scheme`)."""
    if uscc:
        return f"{USCC_SCHEME}-{uscc}"
    return f"{local}-{record_id}"


def organization_scheme(uscc: str | None, local: str = LOCAL_SCHEME) -> str:
    """The register prefix :func:`organization_identifier` uses for an organization."""
    return USCC_SCHEME if uscc else local


def stable_uuid(*parts: object) -> str:
    """A UUID derived from its parts: the same parts give the same UUID in every build.

    >>> stable_uuid("organization", "org-2hkzg7kr") == stable_uuid("organization", "org-2hkzg7kr")
    True
    """
    # uuid.uuid5, without building a UUID object: an HSDS export derives dozens per organization.
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "/".join(map(str, parts)).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def name_key(name: str) -> str:
    """A short stable key for something known only by its name (a funder): the same
    name, as written, gives the same key."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
