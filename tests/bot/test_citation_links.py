"""Every citation carries the link that opens its exact place, and every adapter shows it.

The index is built from a corpus whose top-level folders are the sources (the keys "<source>/<path>" of
the sources contract): `handbook/`, a GitHub repository published with MkDocs (Material for MkDocs' own
getting-started page and an mkdocs.yml), and `site/`, a page fetched from a Docsy site (its canonical URL
and its headings' ids). Both pages are real, from the docs zoo.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot import cli
from bot.adapters.console.render import render_answer as console_answer
from bot.adapters.discord.render import render_answer as discord_answer
from bot.adapters.slack.render import render_answer as slack_answer
from bot.core.citation_links import citation_links
from bot.core.models import Answer, Citation, Location
from bot.core.service import QAService
from bot.settings import CONFIG_ENV, Settings
from retrieval import CitedPlace, Manifest
from retrieval.manifest import SourceRecord

ZOO = Path(__file__).resolve().parent.parent / "data" / "docs_zoo"
HANDBOOK = "https://github.com/squidfunk/mkdocs-material/blob/{commit}/docs/getting-started.md?plain=1"
SOURCES = {
    "sources": [
        {"name": "handbook", "git": "https://github.com/squidfunk/mkdocs-material.git", "branch": "master"},
        {"name": "site", "sitemap": "https://solinia.github.io/sitemap.xml"},
    ]
}


@pytest.fixture(scope="module")
def sources_index(tmp_path_factory, embedder) -> Path:
    from tests.harness.libraries import build_index

    root = tmp_path_factory.mktemp("sources")
    handbook = root / "corpus" / "handbook"
    (handbook / "docs").mkdir(parents=True)
    (handbook / "mkdocs.yml").write_text("site_name: Material for MkDocs\n")
    shutil.copy(ZOO / "source" / "mkdocs-material" / "getting-started.md", handbook / "docs")
    (root / "corpus" / "site" / "docs").mkdir(parents=True)
    shutil.copy(ZOO / "html" / "hugo-docsy" / "getting-started.html", root / "corpus" / "site" / "docs")
    build_index(root / "corpus", root / "index", embedder, show_progress=False)
    return root / "index"


@pytest.fixture(scope="module")
def service(sources_index, embedder) -> QAService:
    return QAService(Settings.model_validate({**SOURCES, "index": str(sources_index)}), embedder)


def _cited(answer: Answer) -> list[Citation]:
    return [*answer.citations, *answer.see_also]


def test_a_git_source_on_github_links_to_the_cited_lines(service):
    answer = service.ask("How do I pull the Material for MkDocs docker image?")
    cited = next(c for c in _cited(answer) if c.source == "handbook/docs/getting-started.md")
    lines = f"#L{cited.location.line_start}-L{cited.location.line_end}"
    assert cited.link == HANDBOOK.format(commit="master") + lines  # no commit recorded yet: the branch
    text = (ZOO / "source" / "mkdocs-material" / "getting-started.md").read_text("utf-8").splitlines()
    quoted = "\n".join(text[cited.location.line_start - 1 : cited.location.line_end])
    assert "docker pull squidfunk/mkdocs-material" in quoted  # the link's lines hold what was cited


def test_a_website_page_links_to_its_url_and_the_cited_section(service):
    answer = service.ask("What are the system requirements and prerequisites for using the project?")
    cited = next(c for c in _cited(answer) if c.source == "site/docs/getting-started.html")
    assert cited.url == "https://solinia.github.io/docs/getting-started/"
    assert cited.link == "https://solinia.github.io/docs/getting-started/#prerequisites"


def test_the_generation_s_commit_fills_the_template():
    settings = Settings.model_validate(
        {
            "sources": [
                *SOURCES["sources"],
                {"name": "wiki", "path": ".", "link": "https://w.example/{stem}#{anchor}"},
            ]
        }
    )
    record = SourceRecord("handbook", "git", SOURCES["sources"][0]["git"], revision="5b36f2a")
    manifest = Manifest("m", 384, 120, 1, "flat", "", sources={"handbook": record})
    links = citation_links(settings, manifest)
    place = CitedPlace("handbook/docs/getting-started.md", 100, 104, anchor="with-docker")
    assert links.link(place) == HANDBOOK.format(commit="5b36f2a") + "#L100-L104"
    assert (
        links.link(CitedPlace("wiki/ops/backup.md", 3, 9, anchor="restore"))
        == "https://w.example/ops/backup#restore"
    )
    assert links.link(CitedPlace("wiki/ops/backup.md", 3, 9)) == "https://w.example/ops/backup"
    assert links.link(CitedPlace("site/docs/x.html", 3, 9)) is None  # a page without its URL: no link


def test_ask_json_carries_the_link(service, sources_index, monkeypatch, capsys, tmp_path):
    config = tmp_path / "citebot.yaml"
    config.write_text(json.dumps({**SOURCES, "index": str(sources_index)}), "utf-8")  # JSON is YAML
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.setattr(cli, "_service", lambda settings: service)
    code = cli.main(
        ["ask", "--config", str(config), "--json", "How do I pull the Material for MkDocs docker image?"]
    )
    reply = json.loads(capsys.readouterr().out.splitlines()[0])
    assert code == 0
    cited = [*reply["citations"], *reply["see_also"]]
    assert cited and all("link" in c for c in cited)
    handbook = next(c for c in cited if c["source"] == "handbook/docs/getting-started.md")
    assert handbook["link"].startswith(HANDBOOK.format(commit="master") + "#L")


LINK = "https://github.com/acme/handbook/blob/c0ffee/docs/configuration.md?plain=1#L40-L52"


def _answer(link: str | None, url: str | None = None) -> Answer:
    citation = Citation(
        1, "handbook/docs/configuration.md#3", "handbook/docs/configuration.md", "Configuration", url,
        "Retention is 15 days by default.", 0.9, Location("handbook/docs/configuration.md", 40, 52),
        quote="Retention is 15 days by default.", link=link,
    )  # fmt: skip
    return Answer("How long is retention?", "Retention is 15 days by default [1].", False, (citation,))


def test_each_adapter_opens_the_exact_place_from_the_citation():
    answer = _answer(LINK, url="https://docs.acme.dev/configuration/")
    slack = json.dumps(slack_answer(answer).blocks)
    assert f"<{LINK}|Configuration>" in slack
    assert LINK in slack_answer(answer).text  # the notification's plain text too
    discord = discord_answer(answer)[0].embeds[0]["fields"][0]["value"]
    assert f"[Configuration](<{LINK}>)" in discord
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(console_answer(answer))
    assert LINK in console.export_text()


def test_without_a_link_adapters_keep_the_document_url():
    answer = _answer(None, url="https://docs.acme.dev/configuration/")
    assert "<https://docs.acme.dev/configuration/|Configuration>" in json.dumps(slack_answer(answer).blocks)
    assert answer.citations[0].to_json()["link"] is None


def test_source_lookups_and_listings_carry_the_link_too(
    service, sources_index, monkeypatch, capsys, tmp_path
):
    """`/source ID` and `/sources QUERY` open the passage's place as a citation of it does."""
    from bot.core.models import SourceList, SourceLookup

    listing = service.sources("docker image Material for MkDocs")
    assert isinstance(listing, SourceList)
    handbook = next(h for h in listing.hits if h.source == "handbook/docs/getting-started.md")
    assert (
        handbook.link.startswith(HANDBOOK.format(commit="master") + "#L") and handbook.href == handbook.link
    )
    lookup = service.source(handbook.passage_id)
    assert isinstance(lookup, SourceLookup) and lookup.passage.link == handbook.link
    config = tmp_path / "citebot.yaml"
    config.write_text(json.dumps({**SOURCES, "index": str(sources_index)}), "utf-8")
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.setattr(cli, "_service", lambda settings: service)
    assert cli.main(["sources", "--config", str(config), "--json", "docker image Material for MkDocs"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert any(h["link"] == handbook.link for h in hits)
