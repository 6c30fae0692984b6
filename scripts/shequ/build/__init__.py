"""The build stage: one generator-neutral core that owns a whole build.

- :mod:`.core`: :class:`~shequ.build.core.SiteBuild`, load → check → publish → pages →
  search → sitemap and catalogue → swap, with progress and serve's incremental cache
- :mod:`.shell`: :class:`~shequ.build.shell.PageShell`, the one thing a generator provides
- :mod:`.records`: record pages and JSON; :mod:`.staging`: build beside the site, swap it in;
  :mod:`.sitemap`: data files and sitemap; :mod:`.search_step`: the search indexes
- :mod:`.publisher`: the data package, written by a process of its own
- :mod:`.incremental`: what serve's rebuilds keep; :mod:`.pipeline`: validate and publish alone
- :mod:`.shards`: sharded builds, record pages by province and their merge (docs/sharding.md)

Nothing here imports MkDocs or :mod:`shequ.generator`.
"""
