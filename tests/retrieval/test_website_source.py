"""Website sources: MkDocs' own documentation pages (tests/data/website/mkdocs) served on 127.0.0.1 by a
real HTTP server with ETags, a robots.txt and a sitemap, fetched into a folder the loader then reads."""

from __future__ import annotations

import gzip
import shutil
import socket
from pathlib import Path

import httpx
import pytest

from bot.settings import SourceSettings
from retrieval.answering.links import CitedPlace, LinkRule, Links
from retrieval.ingest.loader import corpus_files, load_document
from retrieval.sources.site_folder import CACHE_FILE, pages_in
from retrieval.sources.sitemap import parse_sitemap
from retrieval.sources.website import SourceError, fetch_site
from tests.harness.docs_site import DocsSite

DATA = Path(__file__).resolve().parent.parent / "data" / "website" / "mkdocs"
PAGES = ["/", "/getting-started/", "/user-guide/", "/user-guide/installation/", "/about/license/"]
FILES = {
    "/": "index.html",
    "/getting-started/": "getting-started/index.html",
    "/user-guide/": "user-guide/index.html",
    "/user-guide/installation/": "user-guide/installation/index.html",
    "/about/license/": "about/license/index.html",
}


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "served"
    shutil.copytree(DATA, root)
    served = DocsSite(root, sitemap_paths=list(PAGES)).start()
    yield served
    served.stop()


@pytest.fixture
def into(tmp_path) -> Path:
    return tmp_path / "state" / "sources" / "mkdocs"


class Pauses(list):
    """Records the pauses fetch_site asks for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def source(**options) -> SourceSettings:
    return SourceSettings.model_validate({"name": "mkdocs", "crawl_delay_seconds": 0, **options})


def fetch(site: DocsSite, into: Path, sleep=None, **options):
    options.setdefault("sitemap", site.url("/sitemap.xml"))
    return fetch_site(source(**options), into, sleep=Pauses() if sleep is None else sleep)


def test_sitemap_pages_are_saved_at_their_paths_with_their_urls_and_robots_txt_is_obeyed(site, into):
    site.robots = "User-agent: *\nDisallow: /about/\n"
    snapshot = fetch(site, into)
    kept = {path: file for path, file in FILES.items() if path != "/about/license/"}
    assert snapshot.pages == {file: site.url(path) for path, file in kept.items()}
    for file in kept.values():
        assert (into / file).read_bytes() == (DATA / file).read_bytes()
    assert snapshot.refused == [(site.url("/about/license/"), "robots.txt disallows it")]
    assert "/about/license/" not in site.paths  # never asked for
    assert not (into / "about").exists()
    assert (snapshot.fetched, snapshot.unchanged) == (4, 0)
    assert pages_in(into) == snapshot.pages  # the folder says the same without a fetch


def test_a_sitemap_index_of_gzipped_sitemaps_gives_the_same_pages(site, into):
    snapshot = fetch(site, into, sitemap=site.url("/sitemap_index.xml"))
    assert sorted(snapshot.pages) == sorted(FILES.values())
    assert snapshot.refused == []


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "no-content-length"])
def test_a_page_over_the_byte_cap_is_refused_and_not_saved(site, into, declared):
    if not declared:
        site.unsized.add("/getting-started/")  # the body must be cut off while it streams
    snapshot = fetch(site, into, max_page_bytes=20_000)  # getting-started is 22,210 bytes; the rest less
    [(url, reason)] = snapshot.refused
    assert url == site.url("/getting-started/")
    assert reason.startswith("larger than 20000 bytes")
    assert "getting-started/index.html" not in snapshot.pages
    assert not (into / "getting-started").exists()
    assert len(snapshot.pages) == 4


def test_a_second_run_gets_304s_and_keeps_the_files_and_a_changed_page_is_fetched_again(site, into):
    first = fetch(site, into)
    assert (first.fetched, first.unchanged) == (5, 0)
    second = fetch(site, into)
    assert (second.fetched, second.unchanged) == (0, 5)
    assert second.pages == first.pages
    asked_again = [r for r in site.requests[-5:] if r.path in FILES]
    assert len(asked_again) == 5 and all("If-None-Match" in r.headers for r in asked_again)
    assert all(r.status == 304 for r in asked_again)
    for file in FILES.values():
        assert (into / file).read_bytes() == (DATA / file).read_bytes()

    changed = site.root / "user-guide" / "index.html"
    changed.write_bytes(changed.read_bytes().replace(b"Building Documentation with", b"Writing Docs with"))
    third = fetch(site, into)
    assert (third.fetched, third.unchanged) == (1, 4)
    assert b"Writing Docs with" in (into / "user-guide" / "index.html").read_bytes()


def test_a_page_gone_from_the_sitemap_or_the_site_is_removed_from_the_folder(site, into):
    fetch(site, into)
    site.sitemap_paths.remove("/user-guide/installation/")
    (site.root / "about" / "license" / "index.html").unlink()  # still listed, now 404
    snapshot = fetch(site, into)
    assert sorted(snapshot.pages) == ["getting-started/index.html", "index.html", "user-guide/index.html"]
    assert snapshot.refused == [(site.url("/about/license/"), "HTTP 404")]
    assert not (into / "user-guide" / "installation").exists()  # its folder went with it
    assert not (into / "about").exists()
    assert sorted(p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()) == sorted(
        [*snapshot.pages, CACHE_FILE]
    )


def test_a_page_failing_for_a_passing_reason_keeps_the_copy_from_the_last_run(site, into):
    fetch(site, into)
    site.statuses["/user-guide/"] = 503
    snapshot = fetch(site, into)
    assert snapshot.pages["user-guide/index.html"] == site.url("/user-guide/")
    assert (into / "user-guide" / "index.html").read_bytes() == (DATA / "user-guide/index.html").read_bytes()
    assert snapshot.refused == [(site.url("/user-guide/"), "HTTP 503; kept the copy from the last run")]


def test_a_crawl_from_a_start_url_stays_on_the_site_and_under_its_folder(site, into):
    snapshot = fetch(site, into, sitemap=None, url=site.url("/user-guide/"))
    assert snapshot.pages == {
        "user-guide/index.html": site.url("/user-guide/"),
        "user-guide/installation/index.html": site.url("/user-guide/installation/"),
    }
    # The pages link to ../getting-started/, ../about/..., https://www.mkdocs.org/ and github.com: none is
    # asked for (a request off 127.0.0.1 would fail the test: pytest-socket).
    assert all(path == "/robots.txt" or path.startswith("/user-guide/") for path in site.paths)
    assert len(site.paths) == len(set(site.paths))  # each page once
    # The User Guide links pages this copy of the site lacks: each one asked for once and refused.
    assert (site.url("/user-guide/configuration/"), "HTTP 404") in snapshot.refused
    assert all(reason == "HTTP 404" for _url, reason in snapshot.refused)


def test_a_crawl_follows_redirects_on_the_site_and_records_the_final_url(site, into):
    snapshot = fetch(site, into, sitemap=None, url=site.url("/user-guide"))  # a folder: 301 to /user-guide/
    assert snapshot.pages["user-guide/index.html"] == site.url("/user-guide/")
    assert "user-guide/installation/index.html" in snapshot.pages


def test_the_page_cap_is_reported_for_the_pages_left_unread(site, into):
    snapshot = fetch(site, into, sitemap=None, url=site.url("/"), max_pages=2)
    assert len(snapshot.pages) == 2 and snapshot.fetched == 2
    capped = [url for url, reason in snapshot.refused if reason == "page cap reached (max_pages: 2)"]
    assert capped and all(url.startswith(site.base) for url in capped)
    assert sitemap_capped(site, into) == [site.url(path) for path in PAGES[2:]]


def test_a_crawl_asks_for_at_most_twice_max_pages_even_when_links_are_broken(site, into):
    # The User Guide links eight pages; six are missing from this copy of the site (404).
    snapshot = fetch(site, into, sitemap=None, url=site.url("/user-guide/"), max_pages=3)
    assert len(snapshot.pages) == 2
    assert len([path for path in site.paths if path != "/robots.txt"]) == 6
    stopped = [url for url, reason in snapshot.refused if reason == "crawl cap reached (6 pages asked for)"]
    assert stopped and not set(stopped) & {site.base + path for path in site.paths}


def sitemap_capped(site: DocsSite, into: Path) -> list[str]:
    snapshot = fetch(site, into, max_pages=2)
    assert len(snapshot.pages) == 2
    return [url for url, reason in snapshot.refused if reason.startswith("page cap reached")]


def test_include_and_exclude_globs_match_the_url_path(site, into):
    snapshot = fetch(site, into, include=["user-guide"], exclude=["user-guide/installation"])
    assert list(snapshot.pages) == ["user-guide/index.html"]
    assert snapshot.refused == []
    assert "/getting-started/" not in site.paths


def test_requests_are_paced_by_the_longer_of_the_setting_and_robots_crawl_delay(site, into):
    pauses = Pauses()
    fetch(site, into, sleep=pauses, crawl_delay_seconds=0.5)
    assert pauses == [0.5] * (len(site.requests) - 1)  # between requests, not before the first

    site.robots = "User-agent: citebot\nCrawl-delay: 3\n"
    site.requests.clear()
    slower = Pauses()
    fetch(site, into, sleep=slower, crawl_delay_seconds=0.5)
    assert slower == [3.0] * (len(site.requests) - 1)


def test_only_pages_are_kept_and_a_redirect_off_the_site_is_not_followed(site, into):
    site.sitemap_paths[:] = ["/user-guide/", "/LICENSE", "/sitemap.xml", "/moved/", "/gone-away/"]
    site.redirects["/moved/"] = "/user-guide/installation/"
    site.redirects["/gone-away/"] = "https://www.mkdocs.org/"
    snapshot = fetch(site, into)
    assert snapshot.pages == {
        "user-guide/index.html": site.url("/user-guide/"),
        "LICENSE.txt": site.url("/LICENSE"),  # text/plain: read as text
        "user-guide/installation/index.html": site.url("/user-guide/installation/"),  # the final URL
    }
    assert dict(snapshot.refused) == {
        site.url("/sitemap.xml"): "not a page citebot reads (content type application/xml)",
        site.url("/gone-away/"): f"redirected to https://www.mkdocs.org/: not on the site {site.base}",
    }


def test_a_crawl_reads_the_start_page_for_its_links_but_keeps_only_what_the_globs_take(site, into):
    site.robots = "User-agent: citebot\nDisallow: /user-guide/installation/\n"
    snapshot = fetch(site, into, sitemap=None, url=site.url("/"), include=["user-guide/**", "about/**"])
    assert sorted(snapshot.pages) == ["about/license/index.html", "user-guide/index.html"]
    assert (site.url("/user-guide/installation/"), "robots.txt disallows it") in snapshot.refused
    assert "/user-guide/installation/" not in site.paths and "/getting-started/" not in site.paths


def test_a_page_marked_noindex_is_not_kept_and_two_urls_of_one_file_are_one_page(site, into):
    page = site.root / "user-guide" / "installation" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"<head>", b'<head><meta name="robots" content="noindex">', 1))
    site.sitemap_paths[:] = ["/user-guide/", "/user-guide/index.html", "/user-guide/installation/"]
    snapshot = fetch(site, into)
    assert snapshot.pages == {"user-guide/index.html": site.url("/user-guide/")}
    assert snapshot.refused == [
        (site.url("/user-guide/installation/"), "the page asks not to be indexed (robots meta noindex)")
    ]


def test_a_page_that_times_out_is_refused_and_the_clients_timeout_is_used(site, into):
    site.slow["/user-guide/"] = 1.0
    with httpx.Client(timeout=0.2) as client:
        snapshot = fetch_site(source(sitemap=site.url("/sitemap.xml")), into, client=client, sleep=Pauses())
    [(url, reason)] = snapshot.refused
    assert url == site.url("/user-guide/") and reason.startswith("timed out")
    assert len(snapshot.pages) == 4


def test_robots_txt_answering_a_server_error_reads_nothing(site, into):
    site.statuses["/robots.txt"] = 503
    with pytest.raises(SourceError, match=r"^source mkdocs: robots.txt answered HTTP 503; nothing is read$"):
        fetch(site, into)
    assert site.paths == ["/robots.txt"]


def test_markdown_and_pdf_files_the_site_serves_are_kept_with_their_suffix_and_read(site, into):
    tests_data = DATA.parent.parent
    (site.root / "manuals").mkdir()
    shutil.copy(tests_data / "handbook" / "onboarding.pdf", site.root / "manuals" / "onboarding.pdf")
    shutil.copy(
        tests_data / "cases/hard-wrapped-lines/corpus/printer-guide.md", site.root / "printer-guide.md"
    )
    site.sitemap_paths[:] = ["/manuals/onboarding.pdf", "/printer-guide.md"]
    snapshot = fetch(site, into)
    assert sorted(snapshot.pages) == ["manuals/onboarding.pdf", "printer-guide.md"]
    readable, unread = corpus_files(into)
    assert [path.name for path in readable] == ["onboarding.pdf", "printer-guide.md"] and unread == []
    assert load_document(into / "manuals" / "onboarding.pdf", into).blocks


def test_an_unreachable_site_is_one_source_error_naming_the_source(into):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SourceError, match=r"^source mkdocs: http://127\.0\.0\.1:\d+ could not be reached"):
        fetch_site(source(sitemap=f"http://127.0.0.1:{port}/sitemap.xml"), into, sleep=Pauses())


def test_a_missing_sitemap_or_start_page_is_a_source_error(site, into):
    with pytest.raises(
        SourceError, match=r"^source mkdocs: the sitemap .*/nope\.xml could not be read: HTTP 404"
    ):
        fetch(site, into, sitemap=site.url("/nope.xml"))
    with pytest.raises(
        SourceError, match=r"^source mkdocs: the start page .*/nope/ could not be read: HTTP 404"
    ):
        fetch(site, into, sitemap=None, url=site.url("/nope/"))


def test_a_folder_holding_other_files_is_refused_not_emptied(site, into):
    into.mkdir(parents=True)
    (into / "notes.md").write_text("mine", "utf-8")
    with pytest.raises(SourceError, match="holds files no website fetch put there"):
        fetch(site, into)
    assert (into / "notes.md").read_text("utf-8") == "mine"


def test_the_fetched_folder_is_read_by_the_loader_with_the_pages_text(site, into):
    snapshot = fetch(site, into)
    readable, unread = corpus_files(into)
    assert sorted(path.relative_to(into).as_posix() for path in readable) == sorted(snapshot.pages)
    assert unread == []  # the cache file is hidden: neither read nor reported
    loaded = load_document(into / "user-guide" / "installation" / "index.html", into)
    assert loaded.document.title == "Installation"
    texts = [block.text for block in loaded.blocks]
    assert "pip install mkdocs" in texts
    assert any(text.startswith("MkDocs requires a recent version of Python") for text in texts)
    assert not any("Edit on GitHub" in text or "Search" == text for text in texts)  # theme chrome

    # A citation of its "Installing MkDocs" section links to the page as fetched, with the section's id;
    # the page's canonical link (Document.url here) names the public site instead.
    assert loaded.document.url == "https://www.mkdocs.org/user-guide/installation/"
    section = next(block for block in loaded.blocks if block.text == "Installing MkDocs")
    file = "user-guide/installation/index.html"
    place = CitedPlace(f"mkdocs/{file}", anchor=section.anchor, url=snapshot.pages[file])
    link = Links({"mkdocs": LinkRule()}, named=True).link(place)
    assert link == site.url("/user-guide/installation/#installing-mkdocs")


def test_parse_sitemap_reads_urlsets_indexes_gzip_and_text():
    urlset = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc> https://docs.example.org/a/ </loc></url><url><loc>https://docs.example.org/b</loc></url>"
        b"</urlset>"
    )
    assert parse_sitemap(urlset).pages == ("https://docs.example.org/a/", "https://docs.example.org/b")
    assert parse_sitemap(gzip.compress(urlset)).pages == parse_sitemap(urlset).pages
    index = b"<sitemapindex><sitemap><loc>https://docs.example.org/s1.xml</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index).sitemaps == ("https://docs.example.org/s1.xml",)
    assert parse_sitemap(b"https://docs.example.org/a/\nhttps://docs.example.org/b\n").pages == (
        "https://docs.example.org/a/",
        "https://docs.example.org/b",
    )
    with pytest.raises(ValueError, match="not a sitemap"):
        parse_sitemap(b"<html><body>hello</body></html>")
    with pytest.raises(ValueError, match="not well-formed"):
        parse_sitemap(b"<urlset><url><loc>https://x/</loc></url>")
