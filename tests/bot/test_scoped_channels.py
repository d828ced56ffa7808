"""Channels see what they are meant to: the command table works out each request's sources from where
it came from (`channels:`), and answers, follow-ups, /source, /sources, autocomplete, suggestions and the
empty-question hint stay inside them. Both backends."""

from __future__ import annotations

import pytest
import yaml

from bot import messages
from bot.core.commands import CommandTable
from bot.core.models import Answer, Notice, Origin, SourceList, SourceLookup
from bot.core.service import QAService
from bot.state.conversations import MEMORY, SqliteConversationStore
from tests.harness.libraries import BACKENDS, build_library, new_location
from tests.harness.two_sources import (
    ANSWER_WORDS,
    CONFIG,
    HANDBOOK_ANSWER,
    HANDBOOK_QUESTION,
    ONCALL,
    QUESTION,
    RUNBOOK,
    RUNBOOK_TITLE,
    SUPPORT,
    scoped_settings,
    write_corpus,
)

SUPPORT_ORIGIN = Origin("slack", SUPPORT, "U1", "t1")
ONCALL_ORIGIN = Origin("slack", ONCALL, "U1", "t2")


@pytest.fixture(scope="module", params=BACKENDS)
def service(request, tmp_path_factory, embedder) -> QAService:
    backend = request.param
    location = new_location(request, backend)
    build_library(backend, write_corpus(tmp_path_factory.mktemp("two-sources")), location, embedder)
    service = QAService(scoped_settings(location, backend), embedder)
    service.warm_up()
    return service


@pytest.fixture
def table(service) -> CommandTable:
    return CommandTable(service, conversations=SqliteConversationStore(MEMORY, 5, 3600))


def cited(reply) -> set[str]:
    return {c.source for c in reply.citations} | {c.source for c in reply.see_also}


def test_the_same_question_is_answered_on_call_and_not_in_support(table):
    oncall = table.dispatch(QUESTION, ONCALL_ORIGIN)
    assert isinstance(oncall, Answer) and not oncall.abstained and ANSWER_WORDS in oncall.text
    assert cited(oncall) == {RUNBOOK}
    support = table.dispatch(QUESTION, SUPPORT_ORIGIN)
    assert isinstance(support, Answer) and support.abstained and ANSWER_WORDS not in support.text
    assert not any(source.startswith("runbooks/") for source in cited(support))
    handbook = table.dispatch(HANDBOOK_QUESTION, SUPPORT_ORIGIN)  # what support may see, it is told
    assert not handbook.abstained and HANDBOOK_ANSWER in handbook.text


def test_a_follow_up_stays_in_its_channels_sources(table):
    table.dispatch(HANDBOOK_QUESTION, SUPPORT_ORIGIN)
    follow_up = table.dispatch("and what about promoting the replica?", SUPPORT_ORIGIN)
    assert not any(source.startswith("runbooks/") for source in cited(follow_up))


@pytest.mark.parametrize("key", [RUNBOOK, f"{RUNBOOK}#1", "runbooks/database-failover.md#9"])
def test_source_outside_the_channel_reads_as_not_found_without_its_title(table, key):
    reply = table.run("source", key, SUPPORT_ORIGIN)
    assert isinstance(reply, Notice) and reply.text.startswith(messages.unknown_source(key, [])[:-1])
    assert RUNBOOK_TITLE not in reply.text and "runbooks/" not in reply.text.replace(repr(key), "")
    seen = table.run("source", RUNBOOK, ONCALL_ORIGIN)
    assert isinstance(seen, SourceLookup) and seen.document.title == RUNBOOK_TITLE


def test_source_words_search_only_the_channels_sources(table):
    reply = table.run("source", "promote standby replica", SUPPORT_ORIGIN)
    listed = reply.hits if isinstance(reply, SourceList) else ()
    assert not any(h.source.startswith("runbooks/") for h in listed)
    assert "runbooks/" not in getattr(reply, "text", "")


def test_sources_lists_only_the_channels_documents_and_passages(table):
    support = table.run("sources", "", SUPPORT_ORIGIN)
    assert support.documents and all(d.source.startswith("handbook/") for d in support.documents)
    assert RUNBOOK in [d.source for d in table.run("sources", "", ONCALL_ORIGIN).documents]
    hits = table.run("sources", "promote the standby replica", SUPPORT_ORIGIN).hits
    assert hits and all(h.source.startswith("handbook/") and not h.also_in for h in hits)
    assert table.run("sources", "promote the standby replica", ONCALL_ORIGIN).hits[0].source == RUNBOOK


def test_autocomplete_offers_only_the_channels_sources(table):
    assert table.complete("failover", origin=SUPPORT_ORIGIN) == []
    assert table.complete("failover", origin=ONCALL_ORIGIN)[0][0] == RUNBOOK
    assert all(key.startswith("handbook/") for key, _ in table.complete("", origin=SUPPORT_ORIGIN))


def test_the_empty_question_hint_names_a_document_the_channel_sees(table, service):
    assert service.example_title(frozenset({"runbooks"})) == RUNBOOK_TITLE  # the hint follows the scope
    reply = table.dispatch("   ", SUPPORT_ORIGIN)
    assert reply.text == messages.empty_question(service.example_title(frozenset({"handbook"})))
    assert RUNBOOK_TITLE not in reply.text


@pytest.mark.parametrize(
    ("origin", "sees_runbooks"),
    [
        (Origin("console", "console", "local"), False),  # the console: channel None, the public sources
        (Origin("cli", "batch", ""), False),
        (Origin("cli", "batch", "", parent=ONCALL), True),  # `citebot ask --channel C0ONCALL`
        (Origin("slack", "D0DM", "U1", direct=True), False),  # a DM: no `dm` entry, the public sources
        (Origin("slack", "C0ELSEWHERE", "U1"), False),  # an unlisted channel: likewise (no `default`)
        (Origin("discord", "555", "U1", parent=ONCALL), True),  # a thread in the on-call channel
    ],
)
def test_where_a_request_comes_from_decides_its_sources(table, origin, sees_runbooks):
    reply = table.dispatch(QUESTION, origin)
    assert (ANSWER_WORDS in reply.text) is sees_runbooks


def test_the_scope_is_worked_out_per_call_from_the_settings(service):
    scopes = CommandTable(service).scope_of
    assert scopes(SUPPORT_ORIGIN) == {"handbook"} and scopes(ONCALL_ORIGIN) == {"handbook", "runbooks"}
    assert scopes(Origin("discord", ONCALL, "U1", parent="C0SOMEWHERE")) == {"handbook", "runbooks"}


@pytest.mark.parametrize(("channel", "sees_runbooks"), [((), False), (("--channel", ONCALL), True)])
def test_the_cli_answers_lists_and_looks_up_as_the_console_or_as_a_channel(
    service, embedder, monkeypatch, capsys, tmp_path, channel, sees_runbooks
):
    from bot import cli
    from bot.settings import CONFIG_ENV

    settings = service.settings
    config = {"sources": CONFIG["sources"], "channels": CONFIG["channels"], "backend": settings.backend}
    config.update({"database": {"url": settings.database.url}} if settings.backend == "postgres" else {})
    config.update({"index": settings.index} if settings.backend == "files" else {})
    path = tmp_path / "citebot.yaml"
    path.write_text(yaml.safe_dump(config), "utf-8")
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.setattr(cli, "_service", lambda settings: QAService(settings, embedder))

    def citebot(*args: str) -> str:
        cli.main(["--config", str(path), *args])
        return capsys.readouterr().out

    assert (ANSWER_WORDS in citebot("ask", "--json", *channel, QUESTION)) is sees_runbooks
    assert (RUNBOOK in citebot("sources", "--json", *channel)) is sees_runbooks
    assert (RUNBOOK_TITLE in citebot("source", "--json", *channel, RUNBOOK)) is sees_runbooks
