"""Where a Shequ project keeps its files.

Commands work on the project in the current directory (as ``mkdocs`` does) or on
the one named with ``--project``; code never finds data through its own install
location, so an installed ``shequ`` works on any checkout or fork.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shequ import atomic
from shequ.errors import ShequError

#: Record datasets: one YAML file per record, in ``datasets/<name>/<id>.yaml``.
RECORD_DATASETS = ("organizations", "incubators")


class NotAProject(ShequError):
    """The folder has no ``datasets/package.yaml``."""


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def at(cls, folder: str | Path = ".") -> "Project":
        root = Path(folder).resolve()
        package = root / "datasets" / "package.yaml"
        if not package.is_file():
            what = "is a folder, not a file" if package.is_dir() else "is missing"
            raise NotAProject(
                f"{root} is not a Shequ project: datasets/package.yaml {what} "
                "(run the command from a project folder, or name one with --project)"
            )
        # A record import killed after its commit point is finished here, before anything
        # reads the records (shequ.atomic.write_new_files): an import writes all its rows or none.
        atomic.complete_batches(root)
        atomic.remove_stale_scratch(root)  # what a killed import's check left
        return cls(root)

    @property
    def datasets(self) -> Path:
        return self.root / "datasets"

    @property
    def schemas(self) -> Path:
        return self.datasets / "schemas"

    @property
    def vocabularies(self) -> Path:
        return self.datasets / "vocabularies"

    @property
    def divisions_table(self) -> Path:
        return self.datasets / "reference" / "divisions.csv"

    @property
    def synonyms_file(self) -> Path:
        """Near terms that search joins (长者, 老年人…); optional."""
        return self.datasets / "reference" / "synonyms.yaml"

    @property
    def place_names_file(self) -> Path:
        """English names transliterated from minority languages (Ürümqi, Xigazê…); optional."""
        return self.datasets / "reference" / "place_names.yaml"

    @property
    def releases_folder(self) -> Path:
        """What each data release changed, one file per release (``shequ release`` writes them)."""
        return self.datasets / "releases"

    @property
    def package_file(self) -> Path:
        return self.datasets / "package.yaml"

    @property
    def citation_file(self) -> Path:
        """How to cite the data (Citation File Format); the download page shows it."""
        return self.root / "CITATION.cff"

    @property
    def policy(self) -> Path:
        return self.datasets / "policy"

    def relative(self, path: Path) -> str:
        """The path as maintainers see it in messages: relative, forward slashes."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
