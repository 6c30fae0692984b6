"""Tiny generators for the hostile cases that cannot be a small text fixture: binary,
huge, sparse and wrongly encoded files, symlinks, and folders where files belong.

Each generator is called as ``generate(path, project, step)``: ``path`` is the
case's target (``step["to"]`` inside the project), ``project`` the project root
(a temporary copy), ``step`` the manifest step (for options such as ``from``).
Files "outside the repository" go beside the project root, never elsewhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).parent
MIB = 1024 * 1024


def _fixture(step: dict) -> bytes:
    """The fixture named by ``from``, its id set to the target's file name (so cases can share a project)."""
    text = (HERE / step["from"]).read_text(encoding="utf-8")
    stem = Path(step["to"]).name.removesuffix(".yaml")
    return text.replace("id: org-plain\n", f"id: {stem}\n", 1).encode("utf-8")


def _outside(project: Path, name: str) -> Path:
    """A place beside the project root: outside the repository, inside the test's temporary folder."""
    folder = project.parent / "outside"
    folder.mkdir(exist_ok=True)
    return folder / name


# Size ----------------------------------------------------------------------------------------------

def over_limit(path: Path, project: Path, step: dict) -> None:
    """One byte over the 1 MiB limit: a record with a very long name."""
    head = b"id: org-over-limit\nname: "
    path.write_bytes(head + b"a" * (MIB + 1 - len(head) - 1) + b"\n")


def sparse_50mb(path: Path, project: Path, step: dict) -> None:
    """50 MB that take no disk space: a hole, read back as NUL bytes."""
    with open(path, "wb") as f:
        f.truncate(50 * MIB)


def long_values(path: Path, project: Path, step: dict) -> None:
    """A record whose name is 100,000 characters and whose description 400,000, in 700 KB: under the size limit."""
    text = _fixture(step).decode("utf-8")
    text = text.replace("name: 示例互助队", "name: " + "名" * 100_000, 1)
    path.write_bytes((text + "description_en: " + "long " * 80_000 + "\n").encode("utf-8"))


def deep_lists(path: Path, project: Path, step: dict) -> None:
    """Ten thousand nested flow lists."""
    path.write_bytes(b"id: org-deep-lists\nname: " + b"[" * 10_000 + b"]" * 10_000 + b"\n")


# Encoding ------------------------------------------------------------------------------------------

def latin1(path: Path, project: Path, step: dict) -> None:
    """Latin-1 bytes on line 3."""
    path.write_bytes("id: org-latin1\nname: ok\ncommunity: Café\n".encode("latin-1"))


def gbk(path: Path, project: Path, step: dict) -> None:
    """Chinese saved as GBK, as Windows editors in China do, on line 2."""
    path.write_bytes("id: org-gbk\nname: 朝阳区互助会\n".encode("gbk"))


def utf16(path: Path, project: Path, step: dict) -> None:
    """A valid record saved as UTF-16 with its byte-order mark."""
    path.write_bytes(_fixture(step).decode("utf-8").encode("utf-16"))


def png(path: Path, project: Path, step: dict) -> None:
    """A PNG image named .yaml."""
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
                     b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
                     b"\x00\x00IEND\xaeB`\x82")


def bom(path: Path, project: Path, step: dict) -> None:
    """A valid record with a UTF-8 byte-order mark, as Windows Notepad saves it."""
    path.write_bytes(b"\xef\xbb\xbf" + _fixture(step))


def nul(path: Path, project: Path, step: dict) -> None:
    """A NUL byte on line 3."""
    path.write_bytes(b"id: org-nul\nname: ok\ncommunity: a\x00b\n")


def raw_control(path: Path, project: Path, step: dict) -> None:
    """A raw ESC (a terminal escape sequence) on line 3 of an otherwise valid record."""
    text = _fixture(step).decode("utf-8").replace("status: active", "status: active\ncommunity: a\x1b[2Jb", 1)
    path.write_bytes(text.encode("utf-8"))


# Paths ---------------------------------------------------------------------------------------------

def symlink_outside(path: Path, project: Path, step: dict) -> None:
    """A link to a valid record file outside the repository."""
    target = _outside(project, path.name)
    target.write_bytes(_fixture(step))
    path.symlink_to(target)


def symlink_inside(path: Path, project: Path, step: dict) -> None:
    """A link to another record of the project."""
    path.symlink_to(project / step["target"])


def symlink_dangling(path: Path, project: Path, step: dict) -> None:
    """A link to nothing."""
    path.symlink_to(project.parent / "no-such-file.yaml")


def symlink_folder_outside(path: Path, project: Path, step: dict) -> None:
    """The whole folder replaced by a link to a copy outside the repository, plus one more record."""
    target = _outside(project, path.name)
    shutil.copytree(path, target)
    (target / "org-plain.yaml").write_bytes((HERE / step["from"]).read_bytes())
    shutil.rmtree(path)
    path.symlink_to(target, target_is_directory=True)


def symlink_file_outside(path: Path, project: Path, step: dict) -> None:
    """The file replaced by a link to a copy of it outside the repository."""
    target = _outside(project, path.name)
    shutil.copy(path, target)
    path.unlink()
    path.symlink_to(target)


def symlink_new_outside(path: Path, project: Path, step: dict) -> None:
    """A new link (its folders made) to a private file outside the repository."""
    target = _outside(project, "secret-" + path.name)
    target.write_text("SECRET KEY 7f3c\n", encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def folder(path: Path, project: Path, step: dict) -> None:
    """A folder where a file belongs (with a file inside, so it is not just an empty name)."""
    if path.is_file():
        path.unlink()
    path.mkdir()
    (path / "inside.yaml").write_bytes(b"id: inside\n")


def file_for_folder(path: Path, project: Path, step: dict) -> None:
    """A file where a folder belongs."""
    shutil.rmtree(path)
    path.write_bytes(b"id: not-a-folder\n")
