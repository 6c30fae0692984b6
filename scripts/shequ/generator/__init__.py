"""Generators that drive the build core (:mod:`shequ.build.core`).

- :mod:`.plugin`: the MkDocs plugin, a thin mapping of MkDocs' events onto the core
- :mod:`.material`: Material for MkDocs' page shell and each page's language
- :mod:`.config`: the plugin's options and what it adds to MkDocs' configuration
- :mod:`.commands`: ``shequ build`` and ``shequ serve`` through MkDocs
- :mod:`.plain`: a plain Jinja shell, and a build with no MkDocs at all
"""
