"""`shequ serve` when a rebuild fails: the browser shows the error and recovers.

MkDocs' live-reload server holds every request until a rebuild succeeds, so after a broken
source a reader's browser waits, with no word of why, until the file is fixed. Here a
failed rebuild counts as done: each page then answers with the build's error (the checks'
``file:line: field: message`` lines) and the live-reload script, and the next rebuild that
succeeds reloads the browser onto the site.

This reaches into the server's ``builder`` and ``_serve_request`` (MkDocs 1.6, as
pyproject.toml allows); tests/test_serve.py notices if they change.
"""

from __future__ import annotations

import html
import logging

log = logging.getLogger("mkdocs.plugins.shequ")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed – Shequ</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:1.5rem;max-width:60rem}}
pre{{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:1rem;border-left:4px solid #b00020}}</style>
</head><body>
<h1>The site could not be rebuilt</h1>
<p>Fix the source below and save it: this page reloads by itself when the site builds again.</p>
<pre>{error}</pre>
</body></html>
"""


class _ErrorLog(logging.Handler):
    """The messages of the errors logged while it is attached."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def error_page(error: str) -> bytes:
    """The page shown while the last rebuild failed: its error as text, never as markup."""
    return PAGE.format(error=html.escape(error)).encode("utf-8")


def show_build_errors(server):
    """Make ``server`` (MkDocs' LiveReloadServer) show a failed rebuild's error instead of
    holding requests until the next good build. Returns the server."""
    state = {"error": None}
    build = server.builder

    def builder(*args, **kwargs):
        # MkDocs logs a plugin's error (the checks' report) and then raises a bare "Aborted
        # with a BuildError!": the logged errors are what the reader needs to see.
        errors = _ErrorLog()
        logging.getLogger("mkdocs").addHandler(errors)
        try:
            build(*args, **kwargs)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure is shown, the server goes on
            state["error"] = "\n".join(errors.messages) or str(exc) or exc.__class__.__name__
            log.error("The rebuild failed; the browser shows why until a source is fixed.")
        else:
            state["error"] = None
        finally:
            logging.getLogger("mkdocs").removeHandler(errors)

    serve = server._serve_request

    def serve_request(environ, start_response):
        if state["error"] is None or environ.get("PATH_INFO", "").startswith("/livereload/"):
            return serve(environ, start_response)
        body = server._inject_js_into_html(error_page(state["error"]), server._visible_epoch)
        start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8"),
                                                     ("Content-Length", str(len(body))),
                                                     ("Cache-Control", "no-store")])
        return [body]

    server.builder = builder
    server._serve_request = serve_request
    return server
