"""Loading untrusted YAML: every hostile or broken file is one error with a rule id and a
line, never a crash, never slow, and never read past what is needed to refuse it."""

from __future__ import annotations

import io
import os
import tracemalloc
from pathlib import Path

from conftest import ORGANIZATION, line_of, make_uscc, one_problem, problems_of

ORG_DIR = Path("datasets") / "organizations"


def put(mini, name: str, data: bytes) -> Path:
    """Write raw bytes as a file in datasets/organizations/."""
    path = mini.root / ORG_DIR / name
    path.write_bytes(data)
    return path


def problems_in(report, name: str) -> list:
    return [p for p in report.problems if p.file == f"datasets/organizations/{name}"]


def only_problem(report, name: str):
    """The one problem reported for a file; a hostile file gets exactly one, about the file itself."""
    found = problems_in(report, name)
    assert len(found) == 1, report.format_text()
    return found[0]


def a_record(record_id: str) -> str:
    """A valid organization record with this id (and its own USCC)."""
    return ORGANIZATION.format(uscc=make_uscc(subject="MJ0000007")).replace(
        "id: org-silver-age", f"id: {record_id}")


# --- anchors and aliases ---------------------------------------------------------------------


def test_alias_is_refused_at_its_line(mini):
    put(mini, "alias.yaml", b"id: alias\nname: x\ncommunity: *a\n")
    p = only_problem(mini.report(), "alias.yaml")
    assert (p.rule, p.line) == ("yaml.alias", 3)
    assert "alias 'a'" in p.message


def test_anchor_is_refused_at_its_line(mini):
    put(mini, "anchor.yaml", b"id: anchor\nname: &n x\ncommunity: y\n")
    p = only_problem(mini.report(), "anchor.yaml")
    assert (p.rule, p.line) == ("yaml.alias", 2)
    assert "anchor 'n'" in p.message


def test_ampersand_and_asterisk_inside_plain_text_are_not_anchors(mini):
    path = put(mini, "org-r-and-d.yaml",
               a_record("org-r-and-d").replace("name: 朝阳区银龄互助会", "name: R&D *star* 互助会").encode())
    report = mini.report()
    assert problems_in(report, path.name) == [], report.format_text()


def test_billion_laughs_alias_bomb_is_refused_before_it_expands(mini):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    put(mini, "bomb.yaml", ("id: bomb\n" + "\n".join(lines) + "\n").encode())
    tracemalloc.start()
    try:
        report = mini.report()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    p = only_problem(report, "bomb.yaml")
    assert (p.rule, p.line) == ("yaml.alias", 2)  # the first anchor, on the 'a:' line
    assert peak < 500 * 1024 * 1024  # 9**9 strings, gigabytes, if expanded; refused before


# --- keys ------------------------------------------------------------------------------------


def test_duplicate_key_is_reported_at_the_second_key(mini):
    put(mini, "dup.yaml", b"id: dup\nname: a\nstatus: active\nname: b\n")
    p = only_problem(mini.report(), "dup.yaml")
    assert (p.rule, p.line) == ("yaml.duplicate-key", 4)
    assert p.message == "key 'name' appears twice (first on line 2)"


def test_duplicate_key_inside_a_list_item_is_reported(mini):
    text = a_record("org-dup-item").replace("    year: 2021\n", "    year: 2021\n    year: 2022\n")
    path = put(mini, "org-dup-item.yaml", text.encode())
    p = only_problem(mini.report(), "org-dup-item.yaml")
    assert (p.rule, p.line) == ("yaml.duplicate-key", line_of(path, "year: 2022"))


def test_key_that_is_not_text_is_refused(mini):
    put(mini, "intkey.yaml", b"id: intkey\n1: a\n")
    p = only_problem(mini.report(), "intkey.yaml")
    assert p.rule == "yaml.key-type"
    assert p.line == 1  # about the mapping as a whole


# --- encoding --------------------------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_reported_at_their_line(mini):
    put(mini, "latin.yaml", "id: latin\nname: ok\ncommunity: Café\n".encode("latin-1"))
    p = only_problem(mini.report(), "latin.yaml")
    assert (p.rule, p.line) == ("yaml.encoding", 3)
    assert p.hint == "save the file as UTF-8"


def test_gbk_encoded_chinese_is_not_utf8(mini):
    put(mini, "gbk.yaml", "id: gbk\nname: 朝阳区\n".encode("gbk"))
    p = only_problem(mini.report(), "gbk.yaml")
    assert (p.rule, p.line) == ("yaml.encoding", 2)


def test_nul_byte_is_reported_at_its_line(mini):
    # Not "nul.yaml": that name is a device on Windows, refused before the file is read.
    put(mini, "org-nul.yaml", b"id: org-nul\nname: ok\ncommunity: a\x00b\n")
    p = only_problem(mini.report(), "org-nul.yaml")
    assert (p.rule, p.line) == ("yaml.encoding", 3)
    assert "NUL" in p.message


def test_utf8_byte_order_mark_is_accepted(mini):
    path = put(mini, "org-bom.yaml", b"\xef\xbb\xbf" + a_record("org-bom").encode("utf-8"))
    report = mini.report()
    assert problems_in(report, path.name) == [], report.format_text()


def test_lines_are_right_in_a_file_with_a_byte_order_mark(mini):
    text = a_record("org-bom").replace("community:", "comunity:")
    path = put(mini, "org-bom.yaml", b"\xef\xbb\xbf" + text.encode("utf-8"))
    p = one_problem(mini.report(), "structure.unknown-key")
    assert (p.file, p.field) == ("datasets/organizations/org-bom.yaml", "comunity")
    assert p.line == line_of(path, "comunity:")


# --- size ------------------------------------------------------------------------------------


def test_file_over_one_mebibyte_is_too_large(mini):
    put(mini, "big.yaml", b"id: big\nname: " + b"a" * (1024 * 1024) + b"\n")
    p = only_problem(mini.report(), "big.yaml")
    assert p.rule == "yaml.too-large"
    assert p.line == 1  # about the file as a whole
    assert "1,048,576" in p.message


def test_file_of_exactly_one_mebibyte_is_not_too_large(mini):
    head = b"id: big\nname: "
    put(mini, "big.yaml", head + b"a" * (1024 * 1024 - len(head) - 1) + b"\n")
    assert not problems_of(mini.report(), "yaml.too-large")


def sparse(mini, name: str, size: int) -> Path:
    path = mini.root / ORG_DIR / name
    with open(path, "wb") as f:
        f.truncate(size)  # a hole: no disk used, but reading it gives 50 MB of NUL bytes
    return path


def test_sparse_50_mb_file_is_too_large_and_refused(mini):
    sparse(mini, "huge.yaml", 50 * 1024 * 1024)
    report = mini.report()
    p = only_problem(report, "huge.yaml")
    assert p.rule == "yaml.too-large"
    assert p.line == 1  # about the file as a whole
    assert "52,428,800 bytes" in p.message


def test_sparse_50_mb_file_is_never_read_into_memory(mini):
    size = 50 * 1024 * 1024
    sparse(mini, "huge.yaml", size)
    tracemalloc.start()
    try:
        report = mini.report()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert only_problem(report, "huge.yaml").rule == "yaml.too-large"
    assert peak < size  # reading it at all would take at least its size


# --- shape -----------------------------------------------------------------------------------


def test_empty_file_is_reported(mini):
    put(mini, "empty.yaml", b"")
    p = only_problem(mini.report(), "empty.yaml")
    assert (p.rule, p.line) == ("yaml.empty", 1)


def test_file_of_only_comments_is_empty(mini):
    put(mini, "comments.yaml", b"# nothing yet\n")
    assert only_problem(mini.report(), "comments.yaml").rule == "yaml.empty"


def test_top_level_list_is_not_a_mapping(mini):
    put(mini, "list.yaml", b"- id: a\n- id: b\n")
    p = only_problem(mini.report(), "list.yaml")
    assert (p.rule, p.line) == ("yaml.not-a-mapping", 1)
    assert "top level is a list" in p.message


def test_top_level_text_is_not_a_mapping(mini):
    put(mini, "text.yaml", b"just words\n")
    p = only_problem(mini.report(), "text.yaml")
    assert p.rule == "yaml.not-a-mapping"
    assert "text value" in p.message


def test_syntax_error_is_reported_at_its_line(mini):
    put(mini, "broken.yaml", b"id: broken\nname: [a\nstatus: x\n")
    p = only_problem(mini.report(), "broken.yaml")
    assert (p.rule, p.line) == ("yaml.syntax", 3)


def test_impossible_unquoted_date_is_an_error_not_a_crash(mini):
    path = put(mini, "org-bad-date.yaml",
               a_record("org-bad-date").replace("founded: 2018-11-03", "founded: 2018-13-03").encode())
    report = mini.report()
    p = only_problem(report, path.name)
    assert p.rule == "yaml.value"
    assert p.line == line_of(path, "founded:")
    assert "quotes" in p.hint


def test_python_object_tag_is_refused_and_never_run(mini, tmp_path):
    marker = tmp_path / "pwned"
    put(mini, "tag.yaml", f'id: tag\nname: !!python/object/apply:os.system ["touch {marker}"]\n'.encode())
    p = only_problem(mini.report(), "tag.yaml")
    assert (p.rule, p.line) == ("yaml.tag", 2)
    assert p.hint == "only plain YAML values are allowed"
    assert not marker.exists()


def test_local_tag_is_refused(mini):
    put(mini, "local.yaml", b"id: local\nname: !secret x\n")
    p = only_problem(mini.report(), "local.yaml")
    assert (p.rule, p.line) == ("yaml.tag", 2)


def test_ten_thousand_nested_lists_are_too_deep_and_refused(mini):
    put(mini, "deep.yaml", b"id: deep\nname: " + b"[" * 10_000 + b"]" * 10_000 + b"\n")
    report = mini.report()
    p = only_problem(report, "deep.yaml")
    assert p.rule == "yaml.too-deep"
    assert p.line == 1  # about the file as a whole


def test_nesting_just_past_the_limit_is_too_deep(mini):
    from shequ.sources.yamlfiles import MAX_DEPTH

    # The record mapping is level 0, so MAX_DEPTH lists nest just within the limit, one more is past it.
    put(mini, "ok-deep.yaml", b"id: ok\ncommunity: " + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"\n")
    put(mini, "too-deep.yaml", b"id: no\ncommunity: " + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"\n")
    report = mini.report()
    assert [p.rule for p in problems_in(report, "too-deep.yaml")] == ["yaml.too-deep"]
    assert "yaml.too-deep" not in [p.rule for p in problems_in(report, "ok-deep.yaml")]


# --- files that are not record files ---------------------------------------------------------


def test_symlink_to_a_file_outside_the_project_is_refused(mini, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(a_record("org-outside"), encoding="utf-8")
    (mini.root / ORG_DIR / "org-outside.yaml").symlink_to(outside)
    p = only_problem(mini.report(), "org-outside.yaml")
    assert p.rule == "files.symlink"
    assert p.line == 1  # about the file as a whole
    assert p.hint == "replace the link with the file itself"


def test_symlink_target_outside_the_project_is_never_opened(mini, tmp_path, monkeypatch):
    outside = tmp_path / "outside.yaml"
    outside.write_text(a_record("org-outside"), encoding="utf-8")
    (mini.root / ORG_DIR / "org-outside.yaml").symlink_to(outside)
    opened = []
    real_open = io.open

    def spy(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            opened.append(os.path.realpath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", spy)
    report = mini.report()
    assert only_problem(report, "org-outside.yaml").rule == "files.symlink"
    assert str(outside.resolve()) not in opened


def test_folder_named_like_a_record_file_is_refused(mini):
    (mini.root / ORG_DIR / "x.yaml").mkdir()
    p = only_problem(mini.report(), "x.yaml")
    assert p.rule == "files.not-a-file"
    assert p.line == 1  # about the file as a whole


def test_yml_file_is_not_a_record_file(mini):
    put(mini, "org-short.yml", a_record("org-short").encode())
    p = only_problem(mini.report(), "org-short.yml")
    assert p.rule == "files.unexpected"
    assert p.line is None  # the file is not read at all
    assert p.hint == "rename it to end in .yaml"


def test_other_file_in_a_record_folder_is_not_a_record_file(mini):
    put(mini, "notes.txt", b"to do\n")
    p = only_problem(mini.report(), "notes.txt")
    assert p.rule == "files.unexpected"
    assert p.hint == "record files end in .yaml"


def test_hidden_files_in_a_record_folder_are_ignored(mini):
    put(mini, ".DS_Store", b"\x00\x01binary")
    report = mini.report()
    assert report.valid, report.format_text()


def test_alias_in_package_metadata_is_refused_too(mini):
    path = mini.root / "datasets" / "package.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "extra: &x 1\n", encoding="utf-8")
    [p] = [p for p in mini.report().problems if p.file == "datasets/package.yaml"]
    assert (p.rule, p.line) == ("yaml.alias", line_of(path, "extra: &x"))
