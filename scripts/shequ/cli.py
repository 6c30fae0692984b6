"""The ``shequ`` command. Thin: every command calls a library function.

Exit codes: 0 valid (warnings allowed), 1 invalid input, 2 usage error.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import click

from shequ import __version__
from shequ.errors import ShequError
from shequ.project import NotAProject, Project
from shequ.report import printable
from shequ.settings import Settings, SettingsError

DEFAULT_PACKAGE_OUT = "build/data"


def echo(message: str = "", *, nl: bool = True, err: bool = False) -> None:
    """Print a line of output. Messages quote file names, keys and record text from the sources:
    their control characters are printed as escapes, on a terminal and when piped, so that
    no source can clear the screen, forge a link or rewrite a line (:func:`shequ.report.printable`)."""
    click.echo(printable(str(message)), nl=nl, err=err)


def _project(folder: str) -> Project:
    try:
        return Project.at(folder)
    except NotAProject as exc:
        raise click.UsageError(printable(str(exc))) from None


def _settings() -> Settings:
    """The environment's settings (SHEQU_TODAY, SHEQU_SEED, …): read here, at the edge, only."""
    try:
        return Settings.from_environ()
    except SettingsError as exc:
        raise click.UsageError(printable(str(exc))) from None


def _site_target(project: Project, site_dir: str | None) -> Path | None:
    if not site_dir:
        return None
    return Path(site_dir) if Path(site_dir).is_absolute() else project.root / site_dir


def _report_build(project: Project, result, what: str) -> None:
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)
    for note in result.notes:
        echo(f"note: {note}", err=True)
    echo(f"{what} {project.relative(result.site_dir)}/ in {result.seconds:.1f} s")


def _fail(exc: ShequError, then: str | None = None):
    """Print an expected failure (its problem report, when the sources were checked) and exit 1."""
    if exc.report is not None and str(exc) == exc.report.summary():
        echo(exc.report.format_text(), nl=False, err=True)
    else:
        echo(str(exc), err=True)
    if then:
        echo(then, err=True)
    sys.exit(1)


site_url_option = click.option(
    "--site-url", default=None, metavar="URL",
    help="The site's public address, in place of site_url in mkdocs.yml; give every shard and the merge the same.")


project_option = click.option(
    "--project", "project_dir", default=".", show_default=True, type=click.Path(file_okay=False),
    help="The project folder (the one holding datasets/ and mkdocs.yml).",
)


class _Commands(click.Group):
    """The commands, each failing cleanly when the machine refuses a read or a write."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # the reader went away (| head): click ends quietly
            # A full disk, a read-only folder, a file that vanished: the machine's answer, not a
            # bug. Each command's output folder is replaced all at once, so nothing half-written stays.
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(ShequError(f"error: {where}{exc.strerror or exc}"), "nothing was replaced")


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shequ")
def main() -> None:
    """Check and publish data about community-based social organizations (社区社会组织)."""


@main.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for programs, github for GitHub Actions annotations.")
def validate(project_dir: str, fmt: str) -> None:
    """Check every source file and print what is wrong, with file and line.

    \b
    Example:
      shequ validate
      datasets/organizations/x.yaml:7: uscc: check character is 'H', expected 'K' [uscc.check-character]
    """
    from shequ.build.core import SiteBuild

    report = SiteBuild(_settings()).validate(_project(project_dir))
    echo(report.format(fmt), nl=False)
    sys.exit(0 if report.valid else 1)


@main.command()
@project_option
@click.option("--out", default=DEFAULT_PACKAGE_OUT, show_default=True, type=click.Path(file_okay=False),
              help="Folder for the data package (relative to the project). Replaced all at once.")
def publish(project_dir: str, out: str) -> None:
    """Check the sources, then write the data package (CSV, JSON, XLSX, SQLite).

    Nothing is written when a check fails: the previous package stays as it was.

    \b
    Example:
      shequ publish --out build/data
    """
    from shequ.build.core import SiteBuild
    from shequ.errors import InvalidSources

    project = _project(project_dir)
    target = Path(out) if Path(out).is_absolute() else project.root / out
    try:
        result, report = SiteBuild(_settings()).publish(project, target)
    except InvalidSources as exc:
        _fail(exc, "publish: nothing was written")
    except ShequError as exc:
        _fail(ShequError(f"publish: {exc}"))
    if report.warnings:
        echo(report.format_text(), nl=False, err=True)
    rows = ", ".join(f"{name} {count}" for name, count in result.tables.items())
    echo(f"published {len(result.files)} files to {project.relative(result.out)} ({rows})")


@main.group()
def divisions() -> None:
    """The project's administrative divisions table."""


@divisions.command("import")
@project_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--prefix", "prefixes", multiple=True, metavar="CODE",
              help="Also import every division under this code (repeatable), e.g. --prefix 110105.")
def divisions_import(project_dir: str, files: tuple[str, ...], prefixes: tuple[str, ...]) -> None:
    """Fill datasets/reference/divisions.csv from the official national lists.

    Reads NBS CSVs (provinces, cities, areas, streets) and the MCA GB/T 2260
    'code name' list; a folder stands for the lists in it. Exits 1 when the
    data uses a code that no list names. Keeps only the divisions the data uses (and those under
    --prefix), each with its parents.

    NBS's village-level list (header 统计用区划代码,城乡分类代码,名称) adds no divisions: it
    gives each township its number of urban and rural communities, which the statistics
    compare with the 2017 targets.

    \b
    Example:
      shequ divisions import nbs-2023-*.csv mca-gbt2260-2024.txt --prefix 440305
      shequ divisions import nbs-2023-villages.csv
    """
    from shequ.sources.divisions import DivisionImportError, import_divisions

    project = _project(project_dir)
    try:
        result = import_divisions(project, [Path(f) for f in files], list(prefixes))
    except DivisionImportError as exc:
        _fail(ShequError(f"divisions import: {exc}"))
    except OSError as exc:
        echo(f"divisions import: cannot write the table: {exc}", err=True)
        sys.exit(1)
    echo(str(result))
    # Codes the data uses that no official list names need a person's look.
    sys.exit(0 if result.ok else 1)


@main.command()
@project_option
@click.option("--orgs", "orgs", multiple=True, type=click.IntRange(min=1), default=(10_000,),
              show_default=True, help="Number of synthetic organizations; repeat for several sizes.")
@click.option("--incubators", type=click.IntRange(min=1), default=None,
              help="Number of synthetic incubators (default: one per 200 organizations, at least 8).")
@click.option("--runs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Builds per size; the table shows their medians.")
@click.option("--baseline", is_flag=True,
              help="Also build the naive site from the same records (a Markdown page per record in "
                   "each language, Material's defaults, records in the navigation, one MkDocs build per "
                   "language) and report the ratios. "
                   "Up to 10,000 records: it grows with the square of the records.")
@click.option("--data", is_flag=True, help="Also time 'shequ validate' and 'shequ publish' on their own.")
@click.option("--hugo/--no-hugo", default=True, show_default=True,
              help="Also build the same record pages, in both languages, with Hugo (where it is installed) "
                   "and report the ratio of wall and CPU time.")
@click.option("--preview", is_flag=True,
              help="Also run 'mkdocs serve' and time how long an edited record takes to show on its page.")
@click.option("--divisions", "official", multiple=True, type=click.Path(exists=True),
              help="Official division lists (files or a folder) to spread records over; "
                   "default: the project's own table.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
              help="Also write every figure as JSON to this file.")
def bench(project_dir: str, orgs: tuple[int, ...], incubators: int | None, runs: int, baseline: bool,
          data: bool, hugo: bool, preview: bool, official: tuple[str, ...], json_out: str | None) -> None:
    """Build the site on synthetic records and report each stage's time and memory.

    Runs the full build (load, check, publish, render, MkDocs, search) in a child
    process and reports, per stage, the wall time and peak memory; then the site's
    size, the bytes per record page and the search index's size. Where Hugo is
    installed, it builds the same record pages in both languages in the same run,
    and the table gives the ratio of the two. Records are
    generated in a temporary copy; the project is not changed.

    \b
    Example:
      shequ bench --orgs 10000 --orgs 100000 --runs 3 --json bench.json
      shequ bench --orgs 5000 --baseline
      shequ bench --orgs 10000 --preview
    """
    from shequ.bench.site import bench as run_bench, format_table, write_json

    project = _project(project_dir)
    try:
        figures = run_bench(project, sorted(set(orgs)), incubators, [Path(p) for p in official],
                            runs=runs, baseline=baseline, data=data, preview=preview, hugo=hugo,
                            say=lambda t: echo(t, err=True))
    except FileNotFoundError as exc:
        raise click.UsageError(printable(str(exc))) from None
    echo(format_table(figures), nl=False)
    if json_out:
        write_json(figures, Path(json_out), command="shequ " + " ".join(sys.argv[1:]))
    if any(f.exit_code for f in figures):
        echo("bench: a build failed on the synthetic data", err=True)
        sys.exit(1)


@main.command()
@project_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file is missing or out of date.")
def schemas(project_dir: str, check: bool) -> None:
    """Write the JSON Schemas editors use for records, from the Table Schemas.

    One file per record type in datasets/schemas/json/. Run it after changing a
    Table Schema or a vocabulary.

    \b
    Example:
      shequ schemas --check
    """
    from shequ.tools.jsonschemas import generate, write

    project = _project(project_dir)
    files = generate(project) if check else write(project)
    stale = [f for f in files if not f.current]
    for f in files:
        state = "up to date" if f.current else ("out of date" if check else "written")
        echo(f"{project.relative(f.path)}: {state}")
    if check and stale:
        echo("schemas: run 'shequ schemas' and commit the result", err=True)
        sys.exit(1)


# --- rules: the catalogue of rule ids, as the maintainers' reference -------------------------------


@main.command("rules")
@project_option
@click.option("--write", "write_file", is_flag=True, help="Write the reference to docs/rules.md.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if docs/rules.md is missing or out of date.")
def rules_command(project_dir: str, write_file: bool, check: bool) -> None:
    """Print the rules reference: every rule id, its severity, hint and an example.

    \b
    Example:
      shequ rules | less
      shequ rules --write
      shequ rules --check
    """
    from shequ import rules

    if not (write_file or check):
        echo(rules.reference(), nl=False)
        return
    project = _project(project_dir)
    path = project.root / rules.REFERENCE_PATH
    if check:
        current = rules.reference_is_current(path)
        echo(f"{rules.REFERENCE_PATH}: {'up to date' if current else 'out of date'}")
        if not current:
            echo("rules: run 'shequ rules --write' and commit the result", err=True)
            sys.exit(1)
        return
    rules.write_reference(path)
    echo(f"{rules.REFERENCE_PATH}: written")


@main.group()
def new() -> None:
    """Write a new record that passes the checks, with a free id and today's date."""


def _flag_schemas():
    """The Table Schemas that name the flags of ``shequ new`` (the fields with the ``asked``
    role): the project's in the current folder, else this checkout's own. Flags are declared
    before ``--project`` is read. None: neither can be read; the command then takes no field flags."""
    from shequ.sources.tables import SchemaError, Schemas

    for folder in (Path.cwd(), Path(__file__).resolve().parents[2]):
        try:
            schemas = Schemas(Project.at(folder))
            schemas.descriptors
            return schemas
        except (NotAProject, SchemaError, OSError):
            continue
    return None


def _new_command(record_type: str):
    from shequ.tools.scaffold import DATASET_OF_TYPE, flag_fields, list_flags

    dataset = DATASET_OF_TYPE[record_type]
    schemas = _flag_schemas()

    def command(project_dir: str, seed: str | None, interactive: bool | None, **fields) -> None:
        from shequ.tools.scaffold import Question, WrongAnswer, ask_missing, check_answer, create_record, describe

        project = _project(project_dir)
        values = {k: v for k, v in fields.items() if v not in (None, ())}
        if interactive is None:
            interactive = sys.stdin.isatty()
        if interactive:
            def ask(question: Question, choices: list[tuple[str, str]]):
                # A long list (a national divisions table) would scroll the question away.
                for code, label in choices if len(choices) <= 80 else ():
                    echo(f"  {code:28} {label}")

                def checked(answer: str) -> str:
                    try:
                        return check_answer(question, answer, choices)
                    except WrongAnswer as exc:
                        raise click.BadParameter(str(exc)) from None  # click says why and asks again

                return click.prompt(question.text, default=question.default, value_proc=checked)
            values = ask_missing(project, dataset, values, ask)
        settings = _settings()
        created = create_record(project, dataset, values, seed=seed or settings.seed, today=settings.today())
        for problem in created.problems:
            echo(problem.text() if created.path else describe(problem), err=True)
        if created.path is None:
            echo(f"new {record_type}: nothing was written; give the missing or corrected values "
                       f"(shequ new {record_type} --help)", err=True)
            sys.exit(1)
        echo(f"created {project.relative(created.path)}")

    command.__doc__ = f"""Write a new {record_type} record with a free id and today's date.

    Values come from the flags; in a terminal, it asks for what a valid record
    still needs. The record is checked with the whole project and kept only if it
    passes. An existing file is never replaced.

    \b
    Example:
      shequ new {record_type} --name 示例社区志愿服务队 --division 110105001 \\
        --source-title "街道社区社会组织名录" --source-url https://example.org/list
    """
    for name in reversed(list_flags(schemas, dataset) if schemas else ()):
        command = click.option(f"--{name.replace('_', '-')}", name, multiple=True, metavar="CODE",
                               help=f"{name}: repeat the flag or separate values with commas.")(command)
    command = click.option("--source-url", "source_url", metavar="URL", help="Where you read the facts.")(command)
    command = click.option("--source-title", "source_title", metavar="TEXT",
                           help="Title of that source (sources[0].title).")(command)
    for name in reversed(flag_fields(schemas, dataset) if schemas else ()):
        command = click.option(f"--{name.replace('_', '-')}", name, metavar="VALUE",
                               help=f"The record's {name}.")(command)
    command = click.option("--interactive/--no-interactive", default=None,
                           help="Ask for missing values (default: when run in a terminal).")(command)
    command = click.option("--seed", default=None, help="Seed for the random id, for reproducible ids.")(command)
    command = project_option(command)
    return new.command(record_type)(command)


_new_command("organization")
_new_command("incubator")


@main.command()
@project_option
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "github"]), default="text", show_default=True,
              help="text for people, markdown for a pull-request comment or a GitHub job summary, github for "
                   "an annotation when mkdocs.yml changes settings that run code (hooks, plugins, site_dir…).")
def diff(project_dir: str, base: str | None, head: str | None, fmt: str) -> None:
    """Records added, removed and changed between two git revisions, field by field.

    BASE defaults to HEAD (the last commit) and HEAD to the working tree, so with
    no arguments it shows uncommitted record changes. 'main...HEAD' shows what a
    branch changed since it left main.

    \b
    Examples:
      shequ diff                      # uncommitted changes
      shequ diff v0.1.0               # since a release, working tree included
      shequ diff main...HEAD --format markdown
    """
    from shequ.tools.diff import DiffError, format_diff, record_diff

    project = _project(project_dir)
    try:
        result = record_diff(project, base, head)
    except DiffError as exc:
        raise click.UsageError(printable(str(exc))) from None
    echo(format_diff(result, fmt), nl=False)


@main.command("import")
@project_option
@click.argument("dataset", type=click.Choice(["organizations", "incubators"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", "mapping_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="YAML file naming the column that fills each field (see CONTRIBUTING.md).")
@click.option("--dry-run", is_flag=True, help="Check every row in a temporary copy; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Write the rows that pass even if others do not.")
@click.option("--seed", default=None, help="Seed for the random ids, for reproducible ids.")
def import_(project_dir: str, dataset: str, file: str, mapping_file: str, dry_run: bool, skip_invalid: bool,
            seed: str | None) -> None:
    """Turn a CSV or XLSX list into one YAML record per row, checked.

    CSV may be UTF-8 or GB18030. Every row gets a new id; every row that cannot
    be imported is listed with its row number and why. Nothing is written unless
    every row passes (or --skip-invalid), and no existing file is replaced.
    Exit 0 when every row was imported, 1 when a row was not, 2 when the file or
    the mapping cannot be used.

    \b
    Example:
      shequ import organizations 名录.xlsx --mapping chaoyang-mapping.yaml --dry-run
    """
    from shequ.tools.importer import ImportFileError, import_records

    project = _project(project_dir)
    settings = _settings()
    try:
        result = import_records(project, dataset, Path(file), Path(mapping_file), dry_run=dry_run,
                                skip_invalid=skip_invalid, seed=seed or settings.seed, today=settings.today())
    except ImportFileError as exc:
        raise click.UsageError(printable(str(exc))) from None
    except ShequError as exc:  # another import is running in the project
        _fail(exc, "nothing was written")
    for failure in result.failures:
        for reason in failure.reasons:
            echo(f"row {failure.row}: {reason}", err=True)
    for record in result.records:
        for warning in record.warnings:
            echo(f"row {record.row}: {warning}", err=True)
    passed, total = len(result.records), result.rows
    if result.written:
        echo(f"imported {len(result.written)} of {total} rows into datasets/{dataset}/")
    elif total == 0:
        echo(f"{Path(file).name} has no rows below its header; nothing was written")
    elif dry_run:
        echo(f"dry run: {passed} of {total} rows would be imported; nothing was written")
    else:
        echo(f"nothing was written: {len(result.failures)} of {total} rows cannot be imported "
                   "(fix them, or use --skip-invalid to import the rest)")
    sys.exit(0 if result.ok else 1)


@main.command()
@project_option
@click.argument("version")
def release(project_dir: str, version: str) -> None:
    """Prepare data release VERSION (X.Y.Z): version numbers and a changelog section.

    Checks the sources, sets the version in datasets/package.yaml and
    CITATION.cff, writes a CHANGELOG.md section from the record diff since the
    previous release tag, and says how to commit and tag.

    \b
    Example:
      shequ release 0.2.0
    """
    from shequ.errors import InvalidSources
    from shequ.tools.release import ReleaseError, prepare

    project = _project(project_dir)
    try:
        result = prepare(project, version, today=_settings().today())
    except ReleaseError as exc:
        raise click.UsageError(printable(str(exc))) from None
    except InvalidSources as exc:
        _fail(exc, "release: fix the errors first; nothing was changed")
    counts = result.diff.counts()
    since = f"since {result.previous_tag}" if result.previous_tag else "first release"
    echo(f"release {version} ({since}: {counts['added']} added, {counts['removed']} removed, "
               f"{counts['changed']} changed): updated " + ", ".join(project.relative(p) for p in result.files))
    echo(result.next_steps(project), nl=False)


@main.command()
@project_option
@click.option("--site-dir", default=None, type=click.Path(file_okay=False),
              help="Where to build the site (default: site_dir in mkdocs.yml, normally site/). Replaced all at once.")
@click.option("--strict", is_flag=True, help="Also fail on MkDocs warnings (broken links in docs/, for example).")
@click.option("--shards", type=click.IntRange(min=1), default=None,
              help="Build in this many shards of provinces, one after the other, then merge them (docs/sharding.md).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --shards: how many shards build side by side.")
@site_url_option
def build(project_dir: str, site_dir: str | None, strict: bool, shards: int | None, jobs: int,
          site_url: str | None) -> None:
    """Check the sources, publish the data package and build the site.

    Runs the project's mkdocs.yml with the shequ plugin. Nothing is replaced when a
    check fails: the previous site stays as it was. With --shards, the record pages are
    rendered in shards of provinces, each in a process of its own, and merged: the same site.

    \b
    Example:
      shequ build
      built site/ in 2.3 s
      shequ build --shards 4 --jobs 2
      built site/ in 9.8 s
    """
    from shequ.generator.commands import build as build_site, build_in_shards

    project = _project(project_dir)
    target = _site_target(project, site_dir)
    try:
        if shards is not None:
            result = build_in_shards(project, shards, target, jobs=jobs, strict=strict, site_url=site_url)
        else:
            result = build_site(project, target, strict=strict, site_url=site_url)
    except ShequError as exc:
        _fail(exc, "build: the previous site was left as it was")
    _report_build(project, result, "built")


@main.group()
def shard() -> None:
    """Build the site in shards of provinces, on one machine or many, then merge them.

    Each shard renders the record pages of its provinces; the merge builds the rest and
    takes every record page from its shard. The merged site is the one 'shequ build' makes
    (docs/sharding.md).
    """


@shard.command("build")
@project_option
@click.argument("provinces")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="The shard's folder (replaced all at once): its record pages, JSON and shard.json.")
@click.option("--index", type=click.Path(dir_okay=False), default=None,
              help="The record index that 'shequ shard plan --index' wrote: parse only these provinces' records.")
@site_url_option
def shard_build(project_dir: str, provinces: str, out: str, index: str | None, site_url: str | None) -> None:
    """Render the record pages of PROVINCES, two-digit codes separated by commas.

    Writes nothing else: no listing, no data package, no search index ('shequ shard merge'
    makes those). With --index, parses only the record files of PROVINCES and takes what
    its pages show of other records from the index, so its memory follows the shard;
    without, loads and checks every source, as 'shequ build' does.

    \b
    Example:
      shequ shard plan 2 --index index.jsonl
      shequ shard build 11,12 --out shards/a --index index.jsonl
      built shards/a/ in 21.0 s
    """
    from shequ.build.shards import parse_provinces
    from shequ.generator.commands import build_shard

    project = _project(project_dir)
    try:
        codes = parse_provinces(provinces)
    except ShequError as exc:
        raise click.UsageError(printable(str(exc))) from None
    target = Path(out) if Path(out).is_absolute() else project.root / out
    try:
        result = build_shard(project, codes, target, site_url=site_url,
                             index=Path(index).absolute() if index is not None else None)
    except ShequError as exc:
        _fail(exc, "shard build: the previous shard was left as it was")
    _report_build(project, result, "built")


@shard.command("plan")
@project_option
@click.argument("count", type=click.IntRange(min=1))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: a list of shards for a CI matrix (fromJSON in GitHub Actions).")
@click.option("--index", type=click.Path(dir_okay=False), default=None,
              help="Also check every source and write the record index that 'shequ shard build --index' reads.")
def shard_plan(project_dir: str, count: int, fmt: str, index: str | None) -> None:
    """Split the provinces that hold records into COUNT shards of about as many records each.

    Every province with a record is in one shard, so the shards' merge is complete. With
    --index, every source is checked first, and the index is written only if they pass
    (replaced all at once).

    \b
    Example:
      shequ shard plan 2 --index index.jsonl
      11,33
      31,44,51
    """
    import json

    from shequ.generator.commands import plan_shards

    project = _project(project_dir)
    try:
        groups = [",".join(sorted(group)) for group in plan_shards(
            project, count, index=Path(index).absolute() if index is not None else None, today=_settings().today())]
    except ShequError as exc:
        _fail(exc, "shard plan: the previous index was left as it was" if index is not None else None)
    echo(json.dumps(groups) if fmt == "json" else "\n".join(groups))


@shard.command("merge")
@project_option
@click.argument("folders", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--site-dir", default=None, type=click.Path(file_okay=False),
              help="Where to build the site (default: site_dir in mkdocs.yml, normally site/). Replaced all at once.")
@click.option("--strict", is_flag=True, help="Also fail on MkDocs warnings (broken links in docs/, for example).")
@site_url_option
def shard_merge(project_dir: str, folders: tuple[str, ...], site_dir: str | None, strict: bool,
                site_url: str | None) -> None:
    """Build the site, taking every record page from the shard FOLDERS.

    Everything else is built as 'shequ build' builds it: listings, statistics, the data
    package, sitemaps, search indexes, the manifest. Refused: shards of other sources or
    another site address, two shards with one province, a record whose province no shard holds.

    \b
    Example:
      shequ shard merge shards/a shards/b
      merged site/ in 30.2 s
    """
    from shequ.generator.commands import merge_shards

    project = _project(project_dir)
    try:
        result = merge_shards(project, [Path(f) for f in folders], _site_target(project, site_dir), strict=strict,
                              site_url=site_url)
    except ShequError as exc:
        _fail(exc, "merge: the previous site was left as it was")
    _report_build(project, result, "merged")


@main.command()
@click.argument("site", default="site", type=click.Path(file_okay=False))
@click.option("--bucket", envvar="SHEQU_DEPLOY_BUCKET", show_envvar=True, required=True,
              help="The bucket to upload to.")
@click.option("--prefix", envvar="SHEQU_DEPLOY_PREFIX", show_envvar=True, default="",
              help="A folder in the bucket for the site (default: the bucket's root); the path of site_url.")
@click.option("--endpoint-url", envvar="SHEQU_DEPLOY_ENDPOINT_URL", show_envvar=True, default=None,
              help="The S3-compatible service's address (default: Amazon S3), "
                   "e.g. https://cos.ap-guangzhou.myqcloud.com.")
@click.option("--region", envvar="SHEQU_DEPLOY_REGION", show_envvar=True, default=None,
              help="The bucket's region (default: AWS_REGION, or the profile's).")
@click.option("--path-style", is_flag=True, envvar="SHEQU_DEPLOY_PATH_STYLE", show_envvar=True,
              help="Name the bucket in the path, not the host name (MinIO and other servers without "
                   "bucket host names; automatic for an IP address or localhost).")
@click.option("--profile", default=None, help="A profile of ~/.aws/config for the credentials (default: AWS_PROFILE).")
@click.option("--delete/--keep-removed", default=True, show_default=True,
              help="Delete the files that the last deploy uploaded and the site no longer has. "
                   "Other files under the prefix are never touched.")
@click.option("--full", is_flag=True, help="Upload every file, whatever the bucket's manifest says.")
@click.option("--dry-run", is_flag=True, help="Say what would be uploaded and deleted; change nothing.")
def deploy(site: str, bucket: str, prefix: str, endpoint_url: str | None, region: str | None,
           profile: str | None, path_style: bool, delete: bool, full: bool, dry_run: bool) -> None:
    """Upload the built SITE (default: site/) to S3-compatible object storage: only what changed.

    Compares the site's manifest (site/.shequ-manifest.json, written by each build) with
    the one the last deploy left in the bucket, uploads the new and changed files with
    their content types and cache lifetimes, deletes the removed ones and uploads the
    manifest last. Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
    (or AWS_PROFILE), never from the project's files.

    \b
    Example:
      shequ build
      shequ deploy --bucket shequ-site --endpoint-url https://s3.oss-cn-hangzhou.aliyuncs.com
      deploy: uploaded 37 files (1.2 MB), deleted 2, 1,198 unchanged → s3://shequ-site/
    """
    from shequ.tools.deploy import DeployError, Target, deploy as deploy_site

    target = Target(bucket=bucket, prefix=prefix, endpoint_url=endpoint_url or None, region=region or None,
                    profile=profile or None, path_style=path_style)
    try:
        result = deploy_site(Path(site), target, delete=delete, full=full, dry_run=dry_run, say=lambda t: echo(t, err=True))
    except DeployError as exc:
        _fail(exc)
    for note in result.notes:
        echo(f"note: {note}", err=True)
    echo(result.summary())


@main.command()
@project_option
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="IP:PORT",
              help="Address to serve the site on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in the default browser.")
def serve(project_dir: str, dev_addr: str, open_browser: bool) -> None:
    """Build the site and serve it, rebuilding it when a source changes.

    \b
    Example:
      shequ serve
      INFO    -  [12:00:00] Serving on http://127.0.0.1:8000/
    """
    from shequ.generator.commands import serve as serve_site

    try:
        serve_site(_project(project_dir), dev_addr, open_browser=open_browser)
    except ShequError as exc:
        _fail(exc)
