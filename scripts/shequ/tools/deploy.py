"""``shequ deploy``: upload a built site to S3-compatible object storage, only what changed.

The build lists every file of the site with its SHA-256 (:mod:`shequ.build.manifest`). The
bucket keeps the manifest of the last deploy beside the site. A deploy compares the two and

1. uploads the files that are new or whose hash changed: the files pages refer to (styles,
   scripts, search index, data) before the pages, so a reader never gets a page whose parts
   are missing;
2. deletes the files that the last deploy uploaded and the site no longer has (``delete``);
   nothing else under the prefix is touched;
3. uploads the new manifest, last. A deploy that fails on the way leaves the previous
   manifest in the bucket, so the next run compares with it and uploads again whatever
   may not have arrived.

Each file gets its Content-Type (with ``charset=utf-8`` for text) and a Cache-Control: a year
for files whose names carry a hash of their content (Material's bundles, Pagefind's
fragments), a few minutes for everything else (pages, feeds, data, the manifest).

Credentials come from the standard AWS chain only (``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, a role), never from the project's files. Any
S3-compatible service works through ``endpoint_url``: Alibaba Cloud OSS, Tencent Cloud COS,
Huawei Cloud OBS, Cloudflare R2, MinIO (see docs/deployment.md).

Example::

    result = deploy(Path("site"), Target(bucket="shequ-site", endpoint_url="https://s3.oss-cn-hangzhou.aliyuncs.com"))
    print(result.summary())
"""

from __future__ import annotations

import mimetypes
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from shequ.build import manifest
from shequ.build.manifest import FileEntry, ManifestError
from shequ.errors import ShequError

#: Content types by file ending. Text types get ``; charset=utf-8`` (:data:`TEXT_TYPES`).
CONTENT_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".ttl": "text/turtle",
    ".md": "text/markdown",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
    # The directory index's chunks are gzip data that the search script unpacks itself: served
    # as they are, with no Content-Encoding, or a browser would unpack them first.
    ".gz": "application/gzip",
    ".zip": "application/zip",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".sqlite": "application/vnd.sqlite3",
    ".parquet": "application/vnd.apache.parquet",
    # Pagefind's index: compressed binary chunks its script fetches and unpacks.
    ".pagefind": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
}
#: Files named without an ending.
NAMED_TYPES = {"SHA256SUMS": "text/plain"}
TEXT_TYPES = frozenset({"application/json", "application/xml", "application/manifest+json", "image/svg+xml"})

#: A name that carries a hash of its content: it never changes under the same name.
HASHED_NAME = re.compile(r"[._][0-9a-f]{7,}\.(?:min\.(?:js|css)(?:\.map)?|pf_(?:fragment|index|filter|meta))$")
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"
#: The manifest is read by the next deploy, never through a CDN's cache.
MANIFEST_CACHE = "no-cache"

#: Uploads at once: object storage answers each request in tens of milliseconds, so many small
#: files go faster side by side.
WORKERS = 8


class DeployError(ShequError):
    """The deploy did not complete; the message says why and what was done."""


def content_type(path: str) -> str:
    """The Content-Type a file of the site is served with, by its name.

    >>> content_type("organizations/index.html")
    'text/html; charset=utf-8'
    >>> content_type("directory-index/d/0.json.gz")
    'application/gzip'
    """
    name = path.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = CONTENT_TYPES.get(suffix) or NAMED_TYPES.get(name)
    if kind is None:
        kind = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in TEXT_TYPES:
        return f"{kind}; charset=utf-8"
    return kind


def cache_control(path: str) -> str:
    """A year for a name with its content's hash in it, a few minutes for anything else."""
    return LONG_CACHE if HASHED_NAME.search(path.rsplit("/", 1)[-1]) else SHORT_CACHE


@dataclass(frozen=True)
class Target:
    """Where the site goes: a bucket, a prefix in it (a folder, or "" for the bucket's root),
    and, for a service other than Amazon S3, its ``endpoint_url``."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    path_style: bool = False  # bucket in the path (MinIO and the like), not in the host name

    def key(self, path: str) -> str:
        return normalized_prefix(self.prefix) + path

    def address(self) -> str:
        return f"s3://{self.bucket}/{normalized_prefix(self.prefix)}"


def normalized_prefix(prefix: str) -> str:
    """``prefix`` as a folder of the bucket: no leading slash, one trailing slash ("" stays "")."""
    parts = [part for part in prefix.strip().split("/") if part]
    return "".join(part + "/" for part in parts)


def check_target(target: Target) -> None:
    """Refuse a bucket or prefix that could not be what was meant, before any request."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-_]{1,254}", target.bucket or ""):
        raise DeployError(f"deploy: {target.bucket!r} is not a bucket name (lower-case letters, digits, '.', '-' "
                          "and '_', 2 to 255 characters); give it with --bucket or SHEQU_DEPLOY_BUCKET")
    for part in target.prefix.split("/"):
        if part in (".", "..") or any(ord(c) < 32 or ord(c) == 127 for c in part):
            raise DeployError(f"deploy: prefix {target.prefix!r}: a prefix is a folder path of plain names, "
                              "such as 'shequ/' (no '.', '..' or control characters)")
    if target.endpoint_url is not None and not re.match(r"https?://[^\s/]+", target.endpoint_url):
        raise DeployError(f"deploy: endpoint URL {target.endpoint_url!r} is not an http(s) address, "
                          "such as https://s3.oss-cn-hangzhou.aliyuncs.com")


@dataclass
class Plan:
    """What a deploy does: files to upload (in order), remote files to delete, files unchanged."""

    upload: list[str]
    delete: list[str]
    unchanged: int
    first: bool  # no manifest in the bucket yet: everything is uploaded, nothing deleted


def plan(local: dict[str, FileEntry], remote: dict[str, FileEntry] | None, *, delete: bool = True,
         full: bool = False) -> Plan:
    """Compare the site's manifest with the bucket's. ``full``: upload every file whatever the
    bucket's manifest says (after files were changed or removed in the bucket by hand)."""
    known = {} if remote is None or full else remote
    changed = [path for path, entry in local.items() if known.get(path) != entry]
    # Pages last: what a page refers to is in place before the page that refers to it.
    changed.sort(key=lambda path: (path.endswith(".html"), path))
    gone = sorted(set(remote or {}) - set(local)) if delete else []
    return Plan(upload=changed, delete=gone, unchanged=len(local) - len(changed), first=remote is None)


@dataclass
class Result:
    target: Target
    plan: Plan
    uploaded: int = 0
    uploaded_bytes: int = 0
    deleted: int = 0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        done = "would upload" if self.dry_run else "uploaded"
        gone = "would delete" if self.dry_run else "deleted"
        count = len(self.plan.upload) if self.dry_run else self.uploaded
        removed = len(self.plan.delete) if self.dry_run else self.deleted
        weight = "" if self.dry_run else f" ({self.uploaded_bytes / 1_000_000:.1f} MB)"
        return (f"deploy: {done} {count:,} files{weight}, {gone} {removed:,}, {self.plan.unchanged:,} unchanged "
                f"→ {self.target.address()}")


def local_manifest(site: Path) -> dict[str, FileEntry]:
    """The site's manifest, as its build wrote it; made now for a site built without one. A file
    whose size differs from the manifest's means the site changed after its build."""
    site = Path(site)
    if not site.is_dir():
        raise DeployError(f"deploy: {site} is not a folder: build the site first (shequ build)")
    path = site / manifest.NAME
    if not path.is_file():
        return manifest.Hashes().files(site)
    files = manifest.read(path)
    for name, entry in files.items():
        try:
            size = (site / name).stat().st_size
        except OSError:
            size = None
        if size != entry.size:
            raise DeployError(f"deploy: {site / name} has changed or gone since the site was built "
                              f"(its {manifest.NAME} says {entry.size} bytes): build the site again")
    return files


def _client(target: Target):
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise DeployError("deploy: boto3 is not installed: pip install 'shequ[deploy]'") from None
    from botocore.exceptions import BotoCoreError

    try:
        session = boto3.session.Session(profile_name=target.profile, region_name=target.region)
    except BotoCoreError as exc:  # a profile that is not there
        raise DeployError(f"deploy: {_explain(exc, target)}") from None
    # Standard retries (3 attempts, AWS_MAX_ATTEMPTS to change), for throttling and dropped connections too.
    options = dict(retries={"mode": "standard"}, connect_timeout=10, read_timeout=60, max_pool_connections=WORKERS,
                   s3={"addressing_style": addressing_style(target)})
    if target.endpoint_url is not None:
        # Since botocore 1.36 every upload carries a new kind of checksum header, which some
        # S3-compatible services (Huawei Cloud OBS among them) reject: send one only where the
        # operation requires it, as before.
        options.update(request_checksum_calculation="when_required", response_checksum_validation="when_required")
    config = Config(**options)
    return session.client("s3", endpoint_url=target.endpoint_url, config=config)


def addressing_style(target: Target) -> str:
    """Where a request names the bucket. botocore puts it in the path for any endpoint URL, which
    Alibaba Cloud OSS and Tencent Cloud COS refuse: there it goes into the host name
    (``bucket.s3.oss-cn-hangzhou.aliyuncs.com``), except on an IP address or localhost, where no
    host name can hold it, and with ``path_style``."""
    if target.endpoint_url is None:
        return "auto"  # Amazon S3: botocore knows best
    host = urlsplit(target.endpoint_url).hostname or ""
    local = host == "localhost" or re.fullmatch(r"[\d.]+|[0-9a-fA-F:]+", host) is not None
    return "path" if target.path_style or local else "virtual"


def _explain(exc: Exception, target: Target) -> str:
    """One line for a failure of the storage service or the network."""
    from botocore import exceptions as boto

    where = target.endpoint_url or "Amazon S3"
    if isinstance(exc, (boto.NoCredentialsError, boto.PartialCredentialsError)):
        return ("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, "
                "in the environment (shequ never reads them from the project's files)")
    if isinstance(exc, boto.ProfileNotFound):
        return f"{exc} (check --profile or AWS_PROFILE)"
    if isinstance(exc, (boto.EndpointConnectionError, boto.ConnectTimeoutError, boto.ReadTimeoutError,
                        boto.ConnectionClosedError)):
        return f"cannot reach {where}: {exc}"
    if isinstance(exc, boto.ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", "")
        if code in ("NoSuchBucket", "404") and exc.operation_name != "GetObject":
            return _missing_bucket(target)
        if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled"):
            return (f"{where} refused the credentials for bucket {target.bucket!r} ({code}{': ' + message if message else ''}); "
                    "check the access key and that it may write this bucket")
        return f"{where} answered {code or 'an error'}{': ' + message if message else ''} ({exc.operation_name})"
    if isinstance(exc, boto.BotoCoreError):
        return f"{exc}"
    return f"{type(exc).__name__}: {exc}"


def _missing_bucket(target: Target) -> str:
    return (f"bucket {target.bucket!r} does not exist at {target.endpoint_url or 'Amazon S3'} (create it, or check "
            "--bucket and --endpoint-url)")


def _service_errors():
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def remote_manifest(client, target: Target) -> dict[str, FileEntry] | None:
    """The manifest of the last deploy, or None when the bucket has none under the prefix."""
    from botocore.exceptions import ClientError

    key = target.key(manifest.NAME)
    try:
        client.head_bucket(Bucket=target.bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket"):
            raise DeployError(f"deploy: {_missing_bucket(target)}") from None
        raise
    try:
        data = client.get_object(Bucket=target.bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise
    return manifest.loads(data, f"{target.address()}{manifest.NAME}")


def deploy(site: Path, target: Target, *, delete: bool = True, full: bool = False, dry_run: bool = False,
           client=None, say: Callable[[str], None] | None = None) -> Result:
    """Upload the built ``site`` to ``target``: only what changed since the last deploy (see the
    module's description). Raises :class:`DeployError` with one line that says what failed and
    what was done; the bucket then still holds the last deploy's manifest."""
    check_target(target)
    site = Path(site)
    try:
        local = local_manifest(site)
    except ManifestError as exc:
        raise DeployError(f"deploy: {exc}; build the site again") from None
    if client is None:
        client = _client(target)
    errors = _service_errors()
    try:
        remote = remote_manifest(client, target)
    except ManifestError as exc:
        raise DeployError(f"deploy: {exc}; use --full to upload every file and replace it") from None
    except errors as exc:
        raise DeployError(f"deploy: {_explain(exc, target)}") from None
    steps = plan(local, remote, delete=delete, full=full)
    result = Result(target, steps, dry_run=dry_run)
    if steps.first:
        note = f"no {manifest.NAME} under {target.address()}: a first deploy uploads every file and deletes nothing"
        if say is not None:
            say(f"note: {note}")  # before the upload, which may take a while
        else:
            result.notes.append(note)
    if dry_run:
        return result
    try:
        _upload_all(client, site, target, steps.upload, local, result, say)
        if steps.delete:
            _delete_all(client, target, steps.delete, result)
        client.put_object(Bucket=target.bucket, Key=target.key(manifest.NAME), Body=manifest.dumps(local),
                          ContentType=content_type(manifest.NAME), CacheControl=MANIFEST_CACHE)
    except OSError as exc:
        raise DeployError(f"deploy: {exc.filename or site}: {exc.strerror or exc}; the bucket keeps the last "
                          "deploy's manifest, so running deploy again completes this one") from None
    except errors as exc:
        raise DeployError(f"deploy: {_explain(exc, target)}; {result.uploaded:,} of {len(steps.upload):,} files were "
                          "uploaded and the bucket keeps the last deploy's manifest, so running deploy again "
                          "completes this one") from None
    return result


def _upload_all(client, site: Path, target: Target, paths: list[str], local: dict[str, FileEntry], result: Result,
                say: Callable[[str], None] | None) -> None:
    def upload(path: str) -> int:
        # One PUT per file (up to 5 GB), streamed from the file: no transfer manager, whose
        # multipart uploads and default checksums not every S3-compatible service takes.
        with open(site / path, "rb") as body:
            client.put_object(Bucket=target.bucket, Key=target.key(path), Body=body,
                              ContentType=content_type(path), CacheControl=cache_control(path))
        return local[path].size

    # Two waves, so that no page is uploaded before the files it refers to (the plan sorts them).
    pages = [p for p in paths if p.endswith(".html")]
    parts = [p for p in paths if not p.endswith(".html")]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for wave in (parts, pages):
            for size in pool.map(upload, wave):
                result.uploaded += 1
                result.uploaded_bytes += size
                if say is not None and result.uploaded % 1000 == 0:
                    say(f"deploy: {result.uploaded:,} of {len(paths):,} files uploaded")


def _delete_all(client, target: Target, paths: list[str], result: Result) -> None:
    # One request per file: the batch request needs a Content-MD5 on some services and a CRC on
    # others, and a deploy seldom removes many files.
    def remove(path: str) -> None:
        client.delete_object(Bucket=target.bucket, Key=target.key(path))

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for _ in pool.map(remove, paths):
            result.deleted += 1
