"""The search box's and the directory's script and stylesheet, served from the site itself."""

from __future__ import annotations

from pathlib import Path

from shequ.render import messages

#: The script and stylesheet of the search box and the directory facets.
ASSETS = ("assets/shequ-search.js", "assets/shequ-search.css")
ASSETS_DIR = Path(__file__).parent.parent / "assets"


def asset_files(config) -> list:
    """The search script and stylesheet, as MkDocs files of the site."""
    from mkdocs.structure.files import File

    return [File.generated(config, uri, content=asset_content(uri)) for uri in ASSETS]


#: Where the search script takes the interface text of every language.
SCRIPT_MESSAGES = "{/* shequ:messages */}"


def asset_content(uri: str) -> bytes:
    """An asset as the site serves it: the script with the message catalogues' text in it."""
    data = (ASSETS_DIR / Path(uri).name).read_bytes()
    if uri.endswith(".js"):
        source = data.decode("utf-8")
        data = source.replace(SCRIPT_MESSAGES, messages.script_messages(source), 1).encode("utf-8")
    return data
