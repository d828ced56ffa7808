"""Slash commands: ack at once, then the answer through the response_url (in channel or ephemeral)."""

from __future__ import annotations

import threading
import time

from bot import messages
from bot.adapters.slack.app import build_app
from tests.adapters.slack.conftest import send_command, settings_with
from tests.adapters.slack.tables import RecordingTable
from tests.harness.fake_slack import command_form


def test_ask_answers_in_the_channel(slack_app, fake_slack):
    response = send_command(
        slack_app, command_form("/ask", "how much did Microsoft invest?", fake_slack.response_url("ask1"))
    )
    assert response.status == 200
    (reply,) = fake_slack.wait_for("ask1")
    assert reply["response_type"] == "in_channel"
    assert reply["replace_original"] is False
    assert "$1 billion" in reply["text"]
    assert any(b["type"] == "context" and "*[1]*" in b["elements"][0]["text"] for b in reply["blocks"])


def test_ask_is_private_when_configured(seeds_index, tmp_path, fake_slack, web_client, command_table):
    settings = settings_with(seeds_index, tmp_path, fake_slack, ask_visibility="private")
    app = build_app(settings, command_table, client=web_client)
    send_command(app, command_form("/ask", "how much did Microsoft invest?", fake_slack.response_url("ask2")))
    (reply,) = fake_slack.wait_for("ask2")
    assert reply["response_type"] == "ephemeral"
    assert "$1 billion" in reply["text"]


def test_ask_problems_are_shown_only_to_the_asker(slack_app, fake_slack, command_table):
    send_command(slack_app, command_form("/ask", "", fake_slack.response_url("ask3")))
    (reply,) = fake_slack.wait_for("ask3")
    assert reply["response_type"] == "ephemeral"
    # the hint names a document of this index, not a question about some other corpus
    titles = [d.title for d in command_table.service.engine.documents()]
    assert reply["text"] in [messages.empty_question(t) for t in titles]
    assert "Microsoft invest?" not in reply["text"]


def test_source_unknown_id_suggests_close_ids(slack_app, fake_slack):
    send_command(
        slack_app, command_form("/source", "001_5290000ddb37cfaf.txt#77", fake_slack.response_url("s1"))
    )
    (reply,) = fake_slack.wait_for("s1")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith(
        "No source or passage called '001_5290000ddb37cfaf.txt#77'. Did you mean:"
    )
    assert "001_5290000ddb37cfaf.txt#7" in reply["text"]


def test_source_shows_the_full_passage_with_title_and_location(slack_app, fake_slack, command_table):
    passage_id = "003_ba0e6f338863b180.txt#1"
    expected = command_table.run("source", passage_id).passage
    send_command(slack_app, command_form("/source", passage_id, fake_slack.response_url("s2")))
    (reply,) = fake_slack.wait_for("s2")
    assert reply["response_type"] == "ephemeral"
    header = reply["blocks"][0]["text"]["text"]
    assert header.startswith(f"*<{expected.url}|") and f"`{passage_id}`" in header
    shown = " ".join(b["text"]["text"] for b in reply["blocks"][1:] if b["type"] == "section")
    assert shown.split() == expected.text.replace("&", "&amp;").split()
    assert reply["blocks"][-1]["elements"][0]["text"].startswith(expected.location.describe())


def test_sources_lists_documents_and_passages_privately(slack_app, fake_slack):
    send_command(slack_app, command_form("/sources", "", fake_slack.response_url("l1")))
    send_command(slack_app, command_form("/sources", "Azure supercomputer", fake_slack.response_url("l2")))
    (documents,) = fake_slack.wait_for("l1")
    (passages,) = fake_slack.wait_for("l2")
    assert documents["response_type"] == passages["response_type"] == "ephemeral"
    assert documents["blocks"][0]["text"]["text"] == "5 documents:"
    assert "001_5290000ddb37cfaf.txt" in documents["blocks"][1]["text"]["text"]
    assert passages["blocks"][0]["text"]["text"] == "Best passages for “Azure supercomputer”:"
    assert passages["blocks"][1]["accessory"]["text"]["text"] == "Show passage [1]"


def test_ack_returns_before_the_answer_is_computed(slack_settings, fake_slack, web_client):
    gate = threading.Event()
    table = RecordingTable(gate=gate)
    app = build_app(slack_settings, table, client=web_client)
    started = time.monotonic()
    response = send_command(app, command_form("/ask", "slow question", fake_slack.response_url("slow")))
    assert response.status == 200 and time.monotonic() - started < 3
    assert table.calls == [] and fake_slack.bodies("slow") == []  # still thinking, Slack already answered
    gate.set()
    (reply,) = fake_slack.wait_for("slow")
    assert reply["text"] == "ask: slow question"


def test_command_text_is_unescaped(recording_app, recording_table, fake_slack):
    send_command(
        recording_app, command_form("/sources", "R&amp;D &lt;2020&gt;", fake_slack.response_url("u"))
    )
    fake_slack.wait_for("u")
    ((name, argument, origin),) = recording_table.calls
    assert (name, argument, origin.channel, origin.user) == ("sources", "R&D <2020>", "C0001", "U0001")


def test_commands_outside_allowed_channels_are_refused_privately(
    seeds_index, tmp_path, fake_slack, web_client
):
    table = RecordingTable()
    settings = settings_with(seeds_index, tmp_path, fake_slack, allowed_channels=["C0ALLOWED"])
    app = build_app(settings, table, client=web_client)
    send_command(app, command_form("/ask", "q", fake_slack.response_url("no"), channel="C0OTHER"))
    (reply,) = fake_slack.wait_for("no")
    assert reply["response_type"] == "ephemeral"
    assert messages.CHANNEL_NOT_ALLOWED in reply["text"]
    assert table.calls == []


def test_a_failing_command_gets_an_apology(seeds_index, tmp_path, fake_slack, web_client):
    from tests.adapters.slack.tables import ExplodingTable

    app = build_app(settings_with(seeds_index, tmp_path, fake_slack), ExplodingTable(), client=web_client)
    send_command(app, command_form("/ask", "q", fake_slack.response_url("boom")))
    (reply,) = fake_slack.wait_for("boom")
    assert reply["response_type"] == "ephemeral"
    assert "report reference" in reply["text"] and "caught fire" not in reply["text"]
