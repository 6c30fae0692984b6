"""``shequ deploy`` against a local S3-compatible server (moto's, started here on loopback):
only changed files go up, removed ones are deleted, each with its content type and cache
lifetime, the manifest last; failures are one line. And every build writes the manifest."""

from __future__ import annotations

import gzip
import socket
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ.atomic import MARKER, mark
from shequ.build import manifest
from shequ.cli import main
from shequ.tools import deploy as deploying
from shequ.tools.deploy import CONTENT_TYPES, NAMED_TYPES, DeployError, Target, content_type, deploy

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

#: Credentials for the local server only; the profile files are pointed at nothing, and the
#: instance-metadata lookup is off, so no request leaves this machine.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_MAX_ATTEMPTS": "1",
}
UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION",
         "SHEQU_DEPLOY_BUCKET", "SHEQU_DEPLOY_PREFIX", "SHEQU_DEPLOY_ENDPOINT_URL", "SHEQU_DEPLOY_REGION")

#: A small site with one file of each kind the build writes.
FILES = {
    "index.html": "<!doctype html><title>社区</title>",
    "en/index.html": "<!doctype html><title>Shequ</title>",
    "organizations/org-2hkzg7kr/index.html": "<!doctype html><title>银龄互助会</title>",
    "organizations/org-2hkzg7kr.json": '{"id": "org-2hkzg7kr"}',
    "assets/javascripts/bundle.a5f9d56c.min.js": "console.log(1)",
    "assets/stylesheets/main.57a0d79d.min.css": "body{}",
    "assets/shequ.css": ".shequ{}",
    "pagefind/pagefind-entry.json": '{"version": "1.5.2"}',
    "pagefind/fragment/en_11249ea.pf_fragment": b"\x1f\x8b fragment",
    "pagefind/wasm.en.pagefind": b"\x00asm",
    "directory-index/d/0.json.gz": gzip.compress(b"[]", mtime=0),
    "data/SHA256SUMS": "0" * 64 + "  organizations.csv\n",
    "data/organizations.csv": "id,name\norg-2hkzg7kr,银龄互助会\n",
    "sitemap.xml": "<urlset/>",
}


def write_site(site: Path, files: dict[str, str | bytes]) -> Path:
    """The site as a build leaves it: its files, the output marker and the manifest."""
    for path, content in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    mark(site)
    manifest.write(site, manifest.Hashes().files(site))
    return site


@pytest.fixture(scope="module")
def endpoint():
    """A local S3-compatible server for this module, with fake credentials in the environment."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in FAKE_AWS.items():
            env.setenv(name, value)
        for name in UNSET:
            env.delenv(name, raising=False)
        server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="module")
def client(endpoint):
    """One client for the module's tests (making one reads the service's whole model)."""
    return deploying._client(Target(bucket="any", endpoint_url=endpoint))


@pytest.fixture
def bucket(endpoint, client):
    """A new, empty bucket on the local server: (target, client); ``client.uploads`` lists
    the keys of the objects uploaded, in order."""
    name = f"site-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    client.uploads = []
    client.meta.events.register("before-parameter-build.s3.PutObject",
                                lambda params, **_: client.uploads.append(params["Key"]), unique_id="record")
    yield Target(bucket=name, prefix="shequ/", endpoint_url=endpoint), client
    client.meta.events.unregister("before-parameter-build.s3.PutObject", unique_id="record")


def objects(client, target: Target) -> dict[str, dict]:
    listed = client.list_objects_v2(Bucket=target.bucket).get("Contents", [])
    return {item["Key"]: item for item in listed}


def test_a_first_deploy_uploads_every_file_pages_after_their_parts_and_the_manifest_last(tmp_path, bucket):
    target, client = bucket
    site = write_site(tmp_path / "site", FILES)
    result = deploy(site, target, client=client)
    assert result.uploaded == len(FILES) and result.deleted == 0 and result.plan.first
    assert set(objects(client, target)) == {f"shequ/{p}" for p in FILES} | {"shequ/" + manifest.NAME}
    assert f"shequ/{MARKER}" not in objects(client, target)  # the output marker is not the site
    uploads = client.uploads
    assert uploads[-1] == "shequ/" + manifest.NAME
    pages = [i for i, key in enumerate(uploads) if key.endswith(".html")]
    parts = [i for i, key in enumerate(uploads[:-1]) if not key.endswith(".html")]
    assert max(parts) < min(pages)
    remote = client.get_object(Bucket=target.bucket, Key="shequ/" + manifest.NAME)["Body"].read()
    assert remote == (site / manifest.NAME).read_bytes()
    body = client.get_object(Bucket=target.bucket, Key="shequ/organizations/org-2hkzg7kr/index.html")["Body"].read()
    assert body.decode("utf-8") == FILES["organizations/org-2hkzg7kr/index.html"]


def test_a_second_deploy_of_the_same_site_uploads_nothing(tmp_path, bucket):
    target, client = bucket
    site = write_site(tmp_path / "site", FILES)
    deploy(site, target, client=client)
    client.uploads.clear()
    dry = deploy(site, target, client=client, dry_run=True)
    assert dry.plan.upload == [] and dry.plan.delete == [] and client.uploads == []
    again = deploy(site, target, client=client)
    assert again.uploaded == 0 and again.plan.unchanged == len(FILES)
    assert client.uploads == ["shequ/" + manifest.NAME]  # the manifest alone, as it is


def test_changed_files_alone_are_uploaded_and_removed_ones_deleted(tmp_path, bucket):
    target, client = bucket
    site = write_site(tmp_path / "site", FILES)
    deploy(site, target, client=client)
    client.put_object(Bucket=target.bucket, Key="shequ/uploaded-by-hand.txt", Body=b"keep")
    # What an edited record changes: its page and JSON; a record removed: its page is gone.
    changed = dict(FILES)
    changed["organizations/org-2hkzg7kr.json"] = '{"id": "org-2hkzg7kr", "name": "改名"}'
    del changed["en/index.html"]
    (site / "en" / "index.html").unlink()
    write_site(site, changed)
    client.uploads.clear()
    result = deploy(site, target, client=client)
    assert client.uploads == ["shequ/organizations/org-2hkzg7kr.json", "shequ/" + manifest.NAME]
    assert result.deleted == 1 and result.plan.unchanged == len(FILES) - 2
    keys = set(objects(client, target))
    assert "shequ/en/index.html" not in keys
    assert "shequ/uploaded-by-hand.txt" in keys  # not the last deploy's: never deleted


def test_keep_removed_leaves_removed_files_in_the_bucket(tmp_path, bucket):
    target, client = bucket
    site = write_site(tmp_path / "site", FILES)
    deploy(site, target, client=client)
    (site / "sitemap.xml").unlink()
    write_site(site, {})
    result = deploy(site, target, client=client, delete=False)
    assert result.deleted == 0 and "shequ/sitemap.xml" in objects(client, target)


def test_each_file_has_its_content_type_and_cache_lifetime(tmp_path, bucket):
    target, client = bucket
    deploy(write_site(tmp_path / "site", FILES), target, client=client)

    def head(path):
        answer = client.head_object(Bucket=target.bucket, Key=f"shequ/{path}")
        return answer["ContentType"], answer["CacheControl"], answer.get("ContentEncoding")

    short, year = deploying.SHORT_CACHE, deploying.LONG_CACHE
    assert head("index.html") == ("text/html; charset=utf-8", short, None)
    assert head("organizations/org-2hkzg7kr.json") == ("application/json; charset=utf-8", short, None)
    assert head("assets/javascripts/bundle.a5f9d56c.min.js") == ("text/javascript; charset=utf-8", year, None)
    assert head("assets/stylesheets/main.57a0d79d.min.css") == ("text/css; charset=utf-8", year, None)
    assert head("assets/shequ.css") == ("text/css; charset=utf-8", short, None)  # its name has no hash
    assert head("pagefind/fragment/en_11249ea.pf_fragment") == ("application/octet-stream", year, None)
    assert head("pagefind/wasm.en.pagefind") == ("application/octet-stream", short, None)
    # gzip data the search script unpacks: no Content-Encoding, or the browser would unpack it first
    assert head("directory-index/d/0.json.gz") == ("application/gzip", short, None)
    assert head("data/SHA256SUMS") == ("text/plain; charset=utf-8", short, None)
    assert head("data/organizations.csv") == ("text/csv; charset=utf-8", short, None)
    assert head("sitemap.xml") == ("application/xml; charset=utf-8", short, None)
    assert head(manifest.NAME)[1] == "no-cache"


def test_a_deploy_cut_off_midway_keeps_the_old_manifest_and_the_next_run_completes_it(tmp_path, bucket):
    from botocore.exceptions import EndpointConnectionError

    target, client = bucket
    site = write_site(tmp_path / "site", FILES)

    def cut(params, **_):
        if params["Key"].endswith(".html"):
            raise EndpointConnectionError(endpoint_url=target.endpoint_url)

    client.meta.events.register("before-parameter-build.s3.PutObject", cut, unique_id="cut")
    with pytest.raises(DeployError) as failed:
        deploy(site, target, client=client)
    assert "cannot reach" in str(failed.value) and "running deploy again" in str(failed.value)
    assert "shequ/" + manifest.NAME not in objects(client, target)
    client.meta.events.unregister("before-parameter-build.s3.PutObject", unique_id="cut")
    result = deploy(site, target, client=client)
    assert result.uploaded == len(FILES)
    assert set(objects(client, target)) == {f"shequ/{p}" for p in FILES} | {"shequ/" + manifest.NAME}


def test_a_site_changed_after_its_build_is_refused(tmp_path, bucket):
    target, client = bucket
    site = write_site(tmp_path / "site", FILES)
    (site / "index.html").write_text("changed by hand", encoding="utf-8")
    with pytest.raises(DeployError, match="index.html has changed or gone since the site was built"):
        deploy(site, target, client=client)
    assert objects(client, target) == {}


# The command: one line and exit 1 on each failure, never a traceback ----------------------------


def run(*args: str, env: dict[str, str | None] | None = None):
    return CliRunner().invoke(main, ["deploy", *args], env=env, catch_exceptions=False)


@pytest.fixture
def built(tmp_path) -> Path:
    """A built site: deploy reads nothing else of the project."""
    return write_site(tmp_path / "site", FILES)


def test_the_command_deploys_and_says_what_it_did(built, bucket):
    target, client = bucket
    result = run(str(built), env={"SHEQU_DEPLOY_BUCKET": target.bucket, "SHEQU_DEPLOY_PREFIX": target.prefix,
                                  "SHEQU_DEPLOY_ENDPOINT_URL": target.endpoint_url})
    assert result.exit_code == 0, result.output
    assert f"uploaded {len(FILES)} files" in result.output and f"s3://{target.bucket}/shequ/" in result.output
    assert "a first deploy uploads every file" in result.output
    assert "shequ/" + manifest.NAME in objects(client, target)


@pytest.mark.parametrize("case", ["no credentials", "no such profile", "missing bucket", "unreachable", "bad prefix"])
def test_a_failed_deploy_is_one_line_and_exit_1(case, built, endpoint):
    args = [str(built), "--bucket", "site-there-is-none", "--endpoint-url", endpoint]
    env = {}
    if case == "no credentials":
        env = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
        expected = "no credentials: set AWS_ACCESS_KEY_ID"
    elif case == "no such profile":
        args += ["--profile", "nobody"]
        expected = "The config profile (nobody) could not be found (check --profile or AWS_PROFILE)"
    elif case == "missing bucket":
        expected = "bucket 'site-there-is-none' does not exist at http://127.0.0.1"
    elif case == "unreachable":
        with socket.socket() as free:  # a port nothing listens on
            free.bind(("127.0.0.1", 0))
            port = free.getsockname()[1]
        args[-1] = f"http://127.0.0.1:{port}"
        expected = f"cannot reach http://127.0.0.1:{port}"
    else:
        args += ["--prefix", "shequ/../other"]
        expected = "prefix 'shequ/../other'"
    result = run(*args, env=env)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deploy: ") and expected in lines[0], result.output
    assert "Traceback" not in result.output


# The build's manifest ------------------------------------------------------------------------------


def test_the_build_writes_a_manifest_of_every_file_of_its_site(addressed_site):
    site = addressed_site / "site"
    listed = manifest.read(site / manifest.NAME)
    assert listed == manifest.Hashes().files(site)
    assert "index.html" in listed and MARKER not in listed and manifest.NAME not in listed
    assert list(listed) == sorted(listed)


def test_every_kind_of_file_the_build_writes_has_a_declared_content_type(addressed_site):
    undeclared = set()
    for path in manifest.read(addressed_site / "site" / manifest.NAME):
        name = path.rsplit("/", 1)[-1]
        suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
        if suffix not in CONTENT_TYPES and name not in NAMED_TYPES:
            undeclared.add(f"{path} ({content_type(path)})")
    assert not undeclared, sorted(undeclared)


@pytest.mark.parametrize("endpoint_url, path_style, expected", [
    ("https://s3.oss-cn-hangzhou.aliyuncs.com", False, "virtual"),  # OSS refuses the bucket in the path
    ("https://cos.ap-guangzhou.myqcloud.com", False, "virtual"),
    ("https://minio.example.org", True, "path"),
    ("http://127.0.0.1:9000", False, "path"),  # no host name can hold the bucket
    ("http://localhost:9000", False, "path"),
    (None, False, "auto"),  # Amazon S3
])
def test_the_bucket_goes_into_the_host_name_where_it_can(endpoint_url, path_style, expected):
    target = Target(bucket="shequ-site", endpoint_url=endpoint_url, path_style=path_style)
    assert deploying.addressing_style(target) == expected


def test_a_request_to_a_chinese_cloud_names_the_bucket_in_its_host(endpoint):
    """What the client sends to Alibaba Cloud OSS, stopped before it leaves the machine."""
    class Stopped(Exception):
        pass

    sent = []

    def stop(request, **_):
        sent.append(request)
        raise Stopped

    target = Target(bucket="shequ-site", prefix="zh", endpoint_url="https://s3.oss-cn-hangzhou.aliyuncs.com")
    client = deploying._client(target)
    client.meta.events.register("before-send.s3", stop)
    with pytest.raises(Stopped):
        client.get_object(Bucket=target.bucket, Key=target.key(manifest.NAME))
    with pytest.raises(Stopped):
        client.put_object(Bucket=target.bucket, Key=target.key("index.html"), Body=b"<html>")
    assert [request.url for request in sent] == ["https://shequ-site.s3.oss-cn-hangzhou.aliyuncs.com/zh/.shequ-manifest.json",
                                                 "https://shequ-site.s3.oss-cn-hangzhou.aliyuncs.com/zh/index.html"]
    # No checksum header of the kind botocore adds since 1.36, which some services refuse.
    assert not [name for name in sent[1].headers if name.lower().startswith(("x-amz-checksum", "x-amz-sdk-checksum"))]
