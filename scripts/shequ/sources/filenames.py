"""File names that Windows cannot hold. A repository with one cannot be checked out there
(Git for Windows stops), so every source folder is held to it: the YAML sources, the
site's pages and the theme's overrides.

Example::

    windows_trouble("con.yaml")   # "'con.yaml' is a device name on Windows, ..."
    windows_trouble("guide.md")   # None
"""

from __future__ import annotations

import re

# Device names, with any extension and in any case.
_DEVICE = re.compile(r"^(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(?:\.|$)", re.IGNORECASE)
# Characters no Windows file system takes in a name.
_FORBIDDEN = re.compile(r'[<>:"\\|?*\x00-\x1f]')

WINDOWS_HINT = "rename it (a record: give it a new id)"


def windows_trouble(name: str) -> str | None:
    """Why Windows cannot hold a file or folder called ``name``; None if it can."""
    forbidden = _FORBIDDEN.search(name)
    if forbidden:  # the name itself is not repeated: it may hold a line break
        char = forbidden.group()
        shown = f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"
        return f"the name holds {shown}, which Windows does not allow in a name: a checkout of the repository fails there"
    if _DEVICE.match(name.strip()):
        return f"'{name}' is a device name on Windows, where a checkout of the repository fails"
    if name.endswith((".", " ")):
        return f"'{name}' ends in a dot or a space, which Windows drops: a checkout of the repository fails there"
    return None
