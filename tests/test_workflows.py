"""The GitHub workflows, issue forms and pre-commit hooks: valid against the schemas GitHub
uses (offline, with check-jsonschema's vendored copies), secure (pull_request only, least
privilege, pinned actions), and running commands that exist."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO
from shequ.cli import main

GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
FORMS = sorted(p for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")
SHA = re.compile(r"^[0-9a-f]{40}$")
#: The only actions the workflows may use: GitHub's own, pinned.
ALLOWED_ACTIONS = {"actions/checkout", "actions/setup-python", "actions/upload-pages-artifact",
                   "actions/deploy-pages", "actions/configure-pages", "actions/upload-artifact",
                   "actions/download-artifact"}


def load(path) -> dict:
    return yaml.safe_load(path.read_text("utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key 'on' as true.
    on = workflow.get("on", workflow.get(True))
    return {on: None} if isinstance(on, str) else ({k: None for k in on} if isinstance(on, list) else on)


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", ()):
            yield job_id, step


def run_lines(workflow: dict) -> list[str]:
    return [line.strip() for _, step in steps(workflow) for line in step.get("run", "").splitlines()]


def check_jsonschema(schema: str, files) -> None:
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_expected_files_exist():
    assert [p.name for p in WORKFLOWS] == ["deploy.yml", "pull_request.yml", "release.yml"]
    assert [p.name for p in FORMS] == ["correction.yml", "new-incubator.yml", "new-organization.yml"]
    assert (GITHUB / "pull_request_template.md").is_file()


def test_workflows_match_the_github_workflow_schema():
    check_jsonschema("vendor.github-workflows", WORKFLOWS)


def test_issue_forms_config_and_dependabot_match_their_schemas():
    check_jsonschema("vendor.github-issue-forms", FORMS)
    check_jsonschema("vendor.github-issue-config", [GITHUB / "ISSUE_TEMPLATE" / "config.yml"])
    check_jsonschema("vendor.dependabot", [GITHUB / "dependabot.yml"])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_pull_request_target_and_every_action_is_pinned_to_a_commit(path):
    text = path.read_text("utf-8")
    code = [line.split("#", 1)[0] for line in text.splitlines()]
    assert not any("pull_request_target" in line for line in code)
    assert not {"pull_request_target", "workflow_run"} & set(triggers(load(path)))  # write tokens near fork code
    uses = [step["uses"] for _, step in steps(load(path)) if "uses" in step]
    assert uses, path.name
    for use in uses:
        action, _, ref = use.partition("@")
        assert action in ALLOWED_ACTIONS, f"{use}: only GitHub's own actions are used"
        assert SHA.match(ref), f"{use}: pin actions to a full commit SHA"
    # A human-readable version next to every pin, for reviewers and Dependabot.
    for line in text.splitlines():
        if re.search(r"uses: \S+@[0-9a-f]{40}", line):
            assert re.search(r"#\s*v\d+\.\d+\.\d+", line), line


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_permissions_and_no_persisted_credentials(path):
    workflow = load(path)
    assert "permissions" in workflow, "set top-level permissions; the default token may write"
    top = workflow["permissions"]
    assert top in ({}, {"contents": "read"}), top
    for job_id, job in workflow["jobs"].items():
        granted = {**(top or {}), **(job.get("permissions") or {})}
        writes = {k for k, v in granted.items() if v == "write"}
        if path.name == "deploy.yml" and job_id == "deploy":
            assert writes == {"pages", "id-token"}
            assert "environment" in job
        elif path.name == "release.yml" and job_id == "release":
            assert writes == {"contents"}
        else:
            assert writes == set(), f"{path.name}: job {job_id} must not write"
    for _, step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False


def test_pull_request_workflow_runs_on_pull_request_with_read_only_rights():
    workflow = load(GITHUB / "workflows" / "pull_request.yml")
    assert set(triggers(workflow)) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    # No expression in a shell command: a pull request's title or branch name could inject code.
    for _, step in steps(workflow):
        assert "${{" not in step.get("run", ""), step


def test_pull_request_workflow_installs_validates_builds_tests_and_summarizes():
    workflow = load(GITHUB / "workflows" / "pull_request.yml")
    lines = run_lines(workflow)

    def index(pattern: str) -> int:
        found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
        assert found, f"no step runs {pattern!r}"
        return found[0]

    install = index(r'pip install -e "\.\[test\]"')
    validate = index(r"^shequ validate --format github$")
    diff = index(r'^shequ diff HEAD\^1 HEAD --format markdown >> "\$GITHUB_STEP_SUMMARY"$')
    build = index(r"^mkdocs build")
    tests = index(r"^\.ci/run$")
    assert install < validate < diff < build < tests
    checkout = next(s for _, s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] >= 2  # the diff needs the base commit


def test_deploy_workflow_builds_on_main_then_deploys_with_the_pages_actions():
    workflow = load(GITHUB / "workflows" / "deploy.yml")
    on = triggers(workflow)
    assert on["push"] == {"branches": ["main"]} and "pull_request" not in on
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in build["steps"] if "uses" in s] == [
        "actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact"]
    # The build knows the site's address, so the 404 page works under a project's subpath.
    [site_build] = [s for s in build["steps"] if "mkdocs build" in s.get("run", "")]
    assert "steps.pages.outputs.base_url" in site_build["env"]["SITE_URL"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/configure-pages", "actions/deploy-pages"]
    assert "mkdocs build -f mkdocs.deploy.yml" in run_lines(workflow)


def test_deploy_workflow_builds_with_a_site_url(tmp_path):
    """Without site_url the site has no sitemap and relative JSON-LD: the deploy sets one,
    from the repository variable SITE_URL or the Pages address, passed to the shell as data."""
    build = load(GITHUB / "workflows" / "deploy.yml")["jobs"]["build"]
    step = next(s for s in build["steps"] if "mkdocs build" in s.get("run", ""))
    assert "vars.SITE_URL" in step["env"]["SITE_URL"] and "${{" not in step["run"]
    write_config = next(line for line in step["run"].splitlines() if "mkdocs.deploy.yml" in line and "python" in line)
    hostile = 'https://example.org/a"b\\n: c/'
    subprocess.run(["bash", "-c", write_config.replace("python ", f"{sys.executable} ", 1)], cwd=tmp_path, check=True,
                   env={**os.environ, "SITE_URL": hostile})
    written = yaml.safe_load((tmp_path / "mkdocs.deploy.yml").read_text(encoding="utf-8"))
    assert written == {"INHERIT": "mkdocs.yml", "site_url": hostile}


def test_every_shequ_command_the_workflows_and_hooks_run_exists():
    commands = []
    for path in WORKFLOWS:
        commands += [line for line in run_lines(load(path)) if line.startswith("shequ ")]
    for path in (REPO / ".pre-commit-config.yaml", REPO / ".pre-commit-hooks.yaml"):
        data = load(path)
        hooks = data if isinstance(data, list) else [h for repo in data["repos"] for h in repo["hooks"]]
        commands += [h["entry"] for h in hooks if h["entry"].startswith("shequ ")]
    assert commands
    for command in commands:
        name = command.split()[1]
        assert name in main.commands, command
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0


def test_the_hooks_run_the_checks_on_changed_records(mini):
    config = load(REPO / ".pre-commit-config.yaml")
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in config["repos"])  # nothing fetched, nothing to pin
    validate = hooks["shequ-validate"]
    assert validate["entry"] == "shequ validate" and validate["pass_filenames"] is False
    assert re.search(validate["files"], "datasets/organizations/org-silver-age.yaml")
    assert not re.search(validate["files"], "docs/index.md")
    assert re.search(hooks["github-issue-forms"]["files"], ".github/ISSUE_TEMPLATE/correction.yml")
    assert not re.search(hooks["github-issue-forms"]["files"], ".github/ISSUE_TEMPLATE/config.yml")
    # The entry, as the hook runs it, fails on a broken record and passes once it is fixed.
    args = validate["entry"].split()[1:] + ["--project", str(mini.root)]
    assert CliRunner().invoke(main, args).exit_code == 0
    mini.edit("organizations", "org-silver-age", "division: \"110105001\"", "divison: \"110105001\"")
    assert CliRunner().invoke(main, args).exit_code == 1
    for hook in load(REPO / ".pre-commit-hooks.yaml"):
        assert hook["language"] == "python" and hooks[hook["id"]]["entry"] == hook["entry"]


def test_pre_commit_runs_the_hooks_in_a_repository(mini, tmp_path):
    # pre-commit is in the test extra: missing, it fails rather than skips.
    assert shutil.which("pre-commit"), "pre-commit is not installed: pip install -e \".[test]\""
    root = mini.root
    shutil.copy(REPO / ".pre-commit-config.yaml", root)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")}

    def sh(*args, check=True):
        return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, check=check)

    sh("git", "init", "-q")
    sh("git", "config", "user.email", "t@example.org")
    sh("git", "config", "user.name", "T")
    sh("git", "add", "-A")
    assert sh("pre-commit", "validate-config", ".pre-commit-config.yaml").returncode == 0
    ok = sh("pre-commit", "run", "shequ-validate", check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    mini.edit("organizations", "org-silver-age", "division: \"110105001\"", "divison: \"110105001\"")
    sh("git", "add", "-A")
    bad = sh("pre-commit", "run", "shequ-validate", check=False)
    assert bad.returncode == 1
    assert "[structure.unknown-key]" in bad.stdout


def _vocabulary_codes(name: str) -> list[str]:
    return [t["code"] for t in load(REPO / "datasets" / "vocabularies" / f"{name}.yaml")["terms"]]


@pytest.mark.parametrize("form,field,vocabulary", [
    ("new-organization.yml", "management_track", "management_tracks"),
    ("new-organization.yml", "legal_form", "legal_forms"),
    ("new-organization.yml", "fields_of_activity", "fields_of_activity"),
    ("new-organization.yml", "service_populations", "service_populations"),
    ("new-incubator.yml", "kind", "incubator_kinds"),
    ("new-incubator.yml", "support_types", "support_types"),
])
def test_issue_form_choices_are_the_vocabulary_terms(form, field, vocabulary):
    body = {item.get("id"): item for item in load(GITHUB / "ISSUE_TEMPLATE" / form)["body"]}
    options = body[field]["attributes"]["options"]
    codes = [re.search(r"\(([a-z0-9-]+)\)$", option).group(1) for option in options]
    assert codes == _vocabulary_codes(vocabulary), "update the issue form after changing the vocabulary"


@pytest.mark.parametrize("form", FORMS, ids=lambda p: p.name)
def test_issue_forms_ask_for_a_source_and_say_no_personal_data(form):
    body = {item.get("id"): item for item in load(form)["body"]}
    assert body["source_url"]["validations"]["required"] is True
    privacy = body["privacy"]["attributes"]["options"]
    assert privacy[0]["required"] is True and "no personal data" in privacy[0]["label"]


def _step_script(workflow: str, name: str) -> str:
    return next(s["run"] for _, s in steps(load(GITHUB / "workflows" / workflow)) if s.get("name") == name)


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("awk") is None, reason="needs bash and awk")
def test_release_workflow_checks_the_version_and_takes_the_notes_from_the_changelog(tmp_path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "package.yaml").write_text("name: x\nversion: 0.2.0  # data version\n", "utf-8")
    (tmp_path / "CHANGELOG.md").write_text(
        "# Changelog\n\nIntro.\n\n## 0.2.0 — 2026-12-01\n\nRecords since v0.1.0: 1 added.\n\n"
        "## 0.1.0 — 2026-11-26\n\nFirst.\n", "utf-8")

    def step(name: str, tag: str):
        return subprocess.run(["bash", "-e", "-c", _step_script("release.yml", name)], cwd=tmp_path,
                              env={**os.environ, "TAG": tag}, capture_output=True, text=True)

    assert step("Check that the tag matches datasets/package.yaml", "v0.2.0").returncode == 0
    wrong = step("Check that the tag matches datasets/package.yaml", "v0.3.0")
    assert wrong.returncode == 1 and "version is 0.2.0 but the tag is v0.3.0" in wrong.stdout
    assert step("Release notes from the CHANGELOG.md section", "v0.2.0").returncode == 0
    assert (tmp_path / "notes.md").read_text("utf-8") == "\nRecords since v0.1.0: 1 added.\n\n"
    assert step("Release notes from the CHANGELOG.md section", "v0.9.0").returncode == 1


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_a_job_that_can_write_installs_nothing_and_runs_no_project_code(path):
    """Issue 13: a job holding a write token runs only pinned actions and preinstalled tools
    (gh), never pip, a checkout of the project or shequ: a package from PyPI or a pull
    request's code never meets the token."""
    workflow = load(path)
    top = workflow.get("permissions") or {}
    for job_id, job in workflow["jobs"].items():
        granted = {**top, **(job.get("permissions") or {})}
        if "write" not in granted.values():
            continue
        for step in job.get("steps", ()):
            run = step.get("run", "")
            assert not re.search(r"\b(pip|pipx|uv|poetry|npm|shequ|mkdocs|python)\b", run), (job_id, run)
            assert not step.get("uses", "").startswith(("actions/checkout@", "actions/setup-python@")), (job_id, step)


def test_release_builds_in_one_job_and_uploads_in_another():
    workflow = load(GITHUB / "workflows" / "release.yml")
    build, release = workflow["jobs"]["build"], workflow["jobs"]["release"]
    assert release["needs"] == "build" and build["permissions"] == {"contents": "read"}
    assert "shequ publish --out build/data" in [l.strip() for s in build["steps"] for l in s.get("run", "").splitlines()]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    download = next(s for s in release["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    assert upload["with"]["name"] == download["with"]["name"]
    assert "gh release create" in release["steps"][-1]["run"]


def test_pull_request_check_flags_changed_build_settings_before_it_builds():
    workflow = load(GITHUB / "workflows" / "pull_request.yml")
    lines = run_lines(workflow)
    flag = lines.index("shequ diff HEAD^1 HEAD --format github")
    assert flag < next(i for i, l in enumerate(lines) if l.startswith("mkdocs build"))
    assert (REPO / "docs" / "security.md").is_file()


def test_the_object_storage_deploy_replaces_pages_when_a_bucket_is_set():
    """Past Pages' 1 GB the site goes to object storage: a job guarded by the repository variable
    DEPLOY_BUCKET, which then keeps the Pages jobs from running. It holds no write token; its
    access key comes from secrets into the deploy step alone, never into a shell command."""
    workflow = load(GITHUB / "workflows" / "deploy.yml")
    jobs = workflow["jobs"]
    assert jobs["build"]["if"] == "vars.DEPLOY_BUCKET == '' && vars.SHARDS == ''" and jobs["deploy"]["needs"] == "build"
    job = jobs["object-storage"]
    assert job["if"] == "vars.DEPLOY_BUCKET != '' && vars.SHARDS == ''" and job["permissions"] == {"contents": "read"}
    assert job["environment"]["name"] == "object-storage"
    lines = [line.strip() for step in job["steps"] for line in step.get("run", "").splitlines()]
    assert 'python -m pip install -e ".[deploy]"' in lines and "mkdocs build -f mkdocs.deploy.yml" in lines
    assert lines[-1] == "shequ deploy site"
    for step in job["steps"]:
        assert "${{" not in step.get("run", ""), step
        secrets = [name for name, value in (step.get("env") or {}).items() if "secrets." in str(value)]
        assert secrets == ([] if step.get("run") != "shequ deploy site" else
                           ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]), step
    deploy_env = job["steps"][-1]["env"]
    options = CliRunner().invoke(main, ["deploy", "--help"]).output
    for name in deploy_env:
        if name.startswith("SHEQU_DEPLOY_"):
            assert name in options, f"shequ deploy reads no {name}"


def test_the_sharded_deploy_plans_a_matrix_of_shards_and_merges_them():
    """Issue 17: with the repository variable SHARDS set, a job plans the shards, a matrix job
    per shard renders its record pages, and one job merges every shard and deploys; the other
    deploy jobs then do not run. Values reach the shell as data, never as code."""
    jobs = load(GITHUB / "workflows" / "deploy.yml")["jobs"]
    plan, shard, merge = jobs["shard-plan"], jobs["shard"], jobs["shard-merge"]
    assert plan["if"] == "vars.SHARDS != ''" and "vars.SHARDS == ''" in jobs["build"]["if"]
    assert shard["needs"] == "shard-plan" and merge["needs"] == "shard"
    assert shard["strategy"]["matrix"]["provinces"] == "${{ fromJSON(needs.shard-plan.outputs.shards) }}"
    assert plan["outputs"]["shards"] == "${{ steps.plan.outputs.shards }}"
    lines = {job_id: [line.strip() for step in job["steps"] for line in step.get("run", "").splitlines()]
             for job_id, job in jobs.items()}
    assert any('shequ shard plan "$SHARDS" --format json --index index.jsonl' in line for line in lines["shard-plan"])
    assert 'shequ shard build "$PROVINCES" --out shard --site-url "$SITE_URL" --index "$INDEX"' in lines["shard"]
    # The record index goes from the plan to every shard, outside the sources it describes.
    index_up = next(s for s in plan["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    index_down = next(s for s in shard["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    assert index_up["with"]["name"] == index_down["with"]["name"] == "record-index"
    assert index_down["with"]["path"] == "${{ runner.temp }}/index"
    assert 'shequ shard merge shards/* --site-url "$SITE_URL"' in lines["shard-merge"]
    assert lines["shard-merge"][-1] == "shequ deploy site"
    upload = next(s for s in shard["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    download = next(s for s in merge["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    assert upload["with"]["name"].startswith("shard-") and download["with"]["pattern"] == "shard-*"
    for job in (plan, shard, merge):
        assert job["permissions"] == {"contents": "read"}
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step
    for command in ("build", "merge", "plan"):
        assert CliRunner().invoke(main, ["shard", command, "--help"]).exit_code == 0
