"""The search box's and the directory's script and stylesheet, served from the site itself."""

from __future__ import annotations

from pathlib import Path

#: The script and stylesheet of the search box and the directory facets.
ASSETS = ("assets/shequ-search.js", "assets/shequ-search.css")
ASSETS_DIR = Path(__file__).parent.parent / "assets"


def asset_files(config) -> list:
    """The search script and stylesheet, as MkDocs files of the site."""
    from mkdocs.structure.files import File

    return [File.generated(config, uri, abs_src_path=str(ASSETS_DIR / Path(uri).name)) for uri in ASSETS]
