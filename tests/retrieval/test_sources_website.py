"""A website source indexed with the others: its pages (fetched from a real HTTP server on 127.0.0.1) are
documents keyed "<name>/<file>" whose URL is the page's, and its record counts the pages. Runs once the
website fetcher (retrieval/sources/website.py) and its test site (tests/harness/docs_site.py) are here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("retrieval.sources.website", reason="the website fetcher is not in this build")
docs_site = pytest.importorskip("tests.harness.docs_site", reason="the test site is not in this build")

from retrieval.engine import Engine  # noqa: E402
from retrieval.libraries.files.library import live_generation, live_manifest  # noqa: E402
from retrieval.sources.build import build_sources  # noqa: E402
from tests.retrieval.sources_helpers import WORDS, engine_config, source  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data" / "website" / "mkdocs"
PAGES = ["/", "/getting-started/", "/user-guide/installation/"]


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "served"
    shutil.copytree(DATA, root)
    served = docs_site.DocsSite(root, sitemap_paths=list(PAGES)).start()
    yield served
    served.stop()


def test_website_pages_are_documents_with_their_urls_and_an_unchanged_site_publishes_nothing(tmp_path, site):
    sources = [source("mkdocs", sitemap=site.url("/sitemap.xml"), crawl_delay_seconds=0)]

    def build(**options):
        return build_sources(
            engine_config(tmp_path / "index"), sources, tmp_path / "state", embedder=WORDS,
            show_progress=False, **options,
        )  # fmt: skip

    report = build()
    assert report.source_errors == {}
    _, manifest = live_manifest(tmp_path / "index", "")
    assert sorted(manifest.files) == [
        "mkdocs/getting-started/index.html",
        "mkdocs/index.html",
        "mkdocs/user-guide/installation/index.html",
    ]
    record = manifest.sources["mkdocs"]
    assert (record.kind, record.pages, record.documents, record.revision) == ("sitemap", 3, 3, None)
    engine = Engine(engine_config(tmp_path / "index"), embedder=WORDS)
    page = engine.document("mkdocs/user-guide/installation/index.html")
    assert page.url == site.url("/user-guide/installation/")
    generation = live_generation(tmp_path / "index")
    again = build(publish_unchanged=False)  # the server answers 304 for every page
    assert not again.published and live_generation(tmp_path / "index") == generation
