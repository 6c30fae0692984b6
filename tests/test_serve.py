"""`shequ serve` after a broken source: the browser is told why at once, and recovers.

MkDocs' live-reload server is made for real (on a free port, never started); its builder
fails and then succeeds, and requests are answered as the server would answer them."""

from __future__ import annotations

import io
import logging

import pytest

from shequ.generator.live import show_build_errors


@pytest.fixture
def server(tmp_path):
    from mkdocs.exceptions import Abort
    from mkdocs.livereload import LiveReloadServer

    (tmp_path / "index.html").write_text("<html><body><p>the site</p></body></html>", encoding="utf-8")
    outcome = {"error": None}

    def builder():
        if outcome["error"]:
            # How MkDocs' build ends on a plugin's error: the error logged, then a bare Abort.
            logging.getLogger("mkdocs.commands.build").error(outcome["error"])
            raise Abort("Aborted with a BuildError!")

    live = LiveReloadServer(builder=builder, host="127.0.0.1", port=0, root=str(tmp_path))
    live.watch(str(tmp_path))  # the pages get the live-reload script, as under `serve`
    yield show_build_errors(live), outcome
    live.server_close()


def get(server, path: str = "/"):
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    body = b"".join(server.serve_request(environ, start_response))
    return answer["status"], body.decode("utf-8")


def test_a_failed_rebuild_is_shown_in_the_browser_and_a_fixed_one_brings_the_site_back(server):
    live, outcome = server
    outcome["error"] = ("datasets/organizations/org-x.yaml:7: divison: unknown field 'divison' "
                        "<script>alert(1)</script> [structure.unknown-key]")
    live.builder()  # does not raise: MkDocs' build loop then counts the rebuild as done, no request waits
    status, body = get(live)
    assert status.startswith("500")
    assert "datasets/organizations/org-x.yaml:7: divison: unknown field" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "livereload(" in body  # the page reloads itself when a rebuild succeeds
    outcome["error"] = None
    live.builder()
    status, body = get(live)
    assert status.startswith("200") and "the site" in body


def test_live_reload_polls_still_reach_the_server_while_a_build_is_broken(server):
    live, outcome = server
    outcome["error"] = "broken"
    live.builder()
    status, body = get(live, f"/livereload/{live._visible_epoch - 1}/1")  # an older page: answered at once
    assert status.startswith("200") and body.strip().isdigit()
