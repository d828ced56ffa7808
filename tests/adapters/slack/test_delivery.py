"""Issue 19 on Slack: answers never wait on 👀, nothing is silently lost (response URL fallbacks, replies
held through an outage), Retry-After is honoured, and a retry after a restart is answered once.

Black-box: a signed request into the Bolt app, a fake Slack that fails the way the real one does, and
assertions on what the asker sees and on the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.adapters.slack.app import build_app
from tests.adapters.slack.conftest import BOT_TOKEN, send_command, send_event, settings_with
from tests.adapters.slack.failing_slack import FailingSlack
from tests.adapters.slack.tables import RecordingTable
from tests.harness.fake_slack import command_form, mention_event

QUESTION = "how much did Microsoft invest?"


@pytest.fixture
def slack() -> Iterator[FailingSlack]:
    with FailingSlack() as fake:
        yield fake


@pytest.fixture(autouse=True)
def info_logs(caplog) -> None:
    caplog.set_level(logging.INFO)


@pytest.fixture
def table() -> RecordingTable:
    return RecordingTable()


@pytest.fixture
def settings(seeds_index, tmp_path, slack):
    return settings_with(seeds_index, tmp_path, slack)


@pytest.fixture
def app(settings, table, slack):
    return build_app(settings, table, client=WebClient(base_url=slack.url, token=BOT_TOKEN))


def _posts(slack: FailingSlack, text: str) -> list[dict]:
    return [b for b in slack.bodies("chat.postMessage") if text in b.get("text", "")]


def _lines(caplog, fragment: str, level: int | None = None) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if fragment in r.getMessage() and (level is None or r.levelno == level)
    ]


def _wait_lines(caplog, fragment: str, count: int, timeout: float = 10.0) -> list[str]:
    """The log lines holding `fragment`, once there are `count` (the listener logs after it posts)."""
    deadline = time.monotonic() + timeout
    while len(lines := _lines(caplog, fragment)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return lines


# -- 1. answering never waits on decoration ---------------------------------------------------------
def test_rate_limited_reactions_do_not_hold_up_answers(app, slack, caplog):
    """Reactions answer 429 Retry-After 10: all eight answers arrive at once, none waits the 10 s out."""
    slack.rate_limit("reactions.add", retry_after=10, times=8)
    for n in range(8):
        send_event(app, mention_event(f"{QUESTION} {n}", ts=f"1700000000.{n:06d}"), event_id=f"EvR{n}")
    # Waiting out one Retry-After would take 10 s: every answer is in well before that.
    slack.wait_for("chat.postMessage", 8, timeout=5)
    assert sorted(b["text"] for b in slack.bodies("chat.postMessage")) == [
        f"ask: {QUESTION} {n}" for n in range(8)
    ]
    # No reaction was retried after its Retry-After (each message tried at most once), none removed
    # that was never added.
    tried = [b["timestamp"] for b in slack.bodies("reactions.add")]
    assert len(tried) == len(set(tried)) and not slack.bodies("reactions.remove")
    timings = _wait_lines(caplog, "answered a message in ", 8)
    assert len(timings) == 8
    assert all("(wait " in t and ", deliver " in t and "asker U0001" in t for t in timings)


def test_the_timing_line_names_the_stages_of_a_real_answer(
    seeds_index, tmp_path, slack, command_table, caplog
):
    app = build_app(
        settings_with(seeds_index, tmp_path, slack),
        command_table,
        client=WebClient(base_url=slack.url, token=BOT_TOKEN),
    )
    send_event(app, mention_event(QUESTION))
    slack.wait_for("reactions.remove")
    (line,) = _wait_lines(caplog, "answered a message in ", 1)
    for stage in ("wait", "search", "compose", "render", "deliver"):
        assert f"{stage} " in line
    (posted,) = slack.bodies("chat.postMessage")
    answer_id = posted["blocks"][-1]["elements"][0]["value"]  # the 👍 button carries the answer id
    assert f"reference {answer_id}" in line


# -- 2. nothing silently lost -----------------------------------------------------------------------
def test_expired_response_url_falls_back_to_an_ephemeral_post(app, slack, caplog):
    slack.fail_response_url("ask1", 404, "expired_url")
    send_command(app, command_form("/ask", QUESTION, slack.response_url("ask1"), user="U0042"))
    (ephemeral,) = slack.wait_for("chat.postEphemeral")
    assert ephemeral["user"] == "U0042" and ephemeral["channel"] == "C0001"
    assert ephemeral["text"] == f"ask: {QUESTION}"
    (line,) = _lines(caplog, "expired_url", logging.WARNING)
    assert "asker U0042" in line and "chat.postEphemeral" in line
    (timing,) = _wait_lines(caplog, "answered /ask in", 1)
    reference = timing.split("(reference ")[1].split(",")[0]
    assert f"reference {reference}" in line


def test_expired_response_url_of_a_public_answer_is_posted_in_the_channel(
    seeds_index, tmp_path, slack, command_table, caplog
):
    app = build_app(
        settings_with(seeds_index, tmp_path, slack),
        command_table,
        client=WebClient(base_url=slack.url, token=BOT_TOKEN),
    )
    slack.fail_response_url("ask2", 404, "expired_url")
    send_command(app, command_form("/ask", QUESTION, slack.response_url("ask2")))
    (posted,) = slack.wait_for("chat.postMessage")
    assert posted["channel"] == "C0001" and "$1 billion" in posted["text"] and posted["blocks"]
    assert _lines(caplog, "expired_url", logging.WARNING)


def test_blocks_refused_by_the_response_url_are_resent_as_text(app, slack, caplog):
    slack.fail_response_url("ask3", 400, "invalid_blocks")
    send_command(app, command_form("/ask", QUESTION, slack.response_url("ask3")))
    first, second = slack.wait_for("ask3", 2)
    assert first.get("blocks") and "blocks" not in second
    assert second["text"] == f"ask: {QUESTION}"
    (line,) = _lines(caplog, "invalid_blocks", logging.WARNING)
    assert "asker U0001" in line and "reference " in line


@pytest.mark.slow  # waits out an outage: ~2 s each
@pytest.mark.parametrize("failure", ["503", "connection refused"])
def test_answers_asked_during_an_outage_are_delivered_once_it_ends(app, slack, caplog, failure):
    """A mention and an /ask while Slack is down: both answered once it is back; one warning, one
    recovery line, no tracebacks, a line per held answer naming its reference and asker."""
    slack.down() if failure == "503" else slack.refuse()
    send_event(app, mention_event(QUESTION, user="U0007"), event_id="EvDown")
    send_command(app, command_form("/ask", "during the outage", slack.response_url("askdown"), user="U0008"))
    held = _wait_lines(caplog, "held the answer to", 2)
    assert sorted(line.split("asker ")[1][:5] for line in held) == ["U0007", "U0008"]
    slack.up() if failure == "503" else slack.restore()
    (posted,) = slack.wait_for("chat.postMessage", timeout=15)
    (responded,) = slack.wait_for("askdown", timeout=15)
    assert posted["text"] == f"ask: {QUESTION}" and posted["thread_ts"] == "1700000000.000100"
    assert responded["text"] == "ask: during the outage"
    assert len(_wait_lines(caplog, "delivered held reply", 2)) == 2
    assert len(_posts(slack, QUESTION)) == 1 and len(slack.bodies("askdown")) == 1
    assert len(_lines(caplog, "unavailable", logging.WARNING)) == 1
    assert len(_lines(caplog, "available again", logging.WARNING)) == 1
    # no tracebacks, and nothing above INFO but the two lines (the SDK's per-call errors are DEBUG)
    assert not [r for r in caplog.records if r.exc_info]
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(loud) == 2, loud


@pytest.mark.slow
def test_repeated_429s_wait_out_retry_after_before_posting(app, slack):
    """Four 429s on chat.postMessage: the answer goes out whole (blocks and all) after Retry-After,
    not as plain text at once."""
    slack.rate_limit("chat.postMessage", retry_after=1, times=4)
    send_event(app, mention_event(QUESTION))
    calls = slack.wait_until(lambda calls: sum(c.name == "chat.postMessage" for c in calls) == 5)
    posts = [c for c in calls if c.name == "chat.postMessage"]
    for before, after in zip(posts, posts[1:], strict=False):
        assert after.at - before.at >= 0.9  # Retry-After: 1, each time
    assert posts[-1].body["text"] == f"ask: {QUESTION}" and posts[-1].body.get("blocks")


# -- event claims survive a restart -----------------------------------------------------------------
def test_a_retry_after_a_restart_is_answered_once(settings, slack):
    client = WebClient(base_url=slack.url, token=BOT_TOKEN)
    before = build_app(settings, RecordingTable(), client=client)
    send_event(before, mention_event(QUESTION), event_id="EvLate")
    slack.wait_for("chat.postMessage")
    # A new app over the same state folder: what a restarted `citebot run` builds.
    after_table = RecordingTable()
    after = build_app(settings, after_table, client=client)
    assert send_event(after, mention_event(QUESTION), event_id="EvLate", retry_num=1).status == 200
    send_event(after, mention_event("a new question", ts="1700000000.000900"), event_id="EvNew")
    slack.wait_for("chat.postMessage", 2)
    assert [c[1] for c in after_table.calls] == ["a new question"]
    assert len(_posts(slack, QUESTION)) == 1


@pytest.mark.slow
def test_an_answer_that_expires_in_an_outage_is_replaced_by_a_note_to_the_asker(
    seeds_index, tmp_path, slack, table, caplog
):
    settings = settings_with(seeds_index, tmp_path, slack, held_replies_expiry_minutes=0.02)  # 1.2 s
    app = build_app(settings, table, client=WebClient(base_url=slack.url, token=BOT_TOKEN))
    slack.down()
    send_event(app, mention_event(QUESTION, user="U0009"), event_id="EvExpire")
    _wait_lines(caplog, "held the answer to", 1)
    time.sleep(1.5)
    slack.up()
    (told,) = slack.wait_for("chat.postMessage", timeout=15)
    assert told["channel"] == "U0009"  # the asker's DM with the bot
    assert "expired" in told["text"] and QUESTION in told["text"]
    assert not _posts(slack, f"ask: {QUESTION}")  # the stale answer itself is not posted
    (line,) = _wait_lines(caplog, "expired undelivered", 1)
    assert "asker U0009" in line and "the asker was told" in line


def test_a_channel_that_refuses_the_answer_sends_it_to_the_askers_dm(app, slack, caplog):
    slack.fail("chat.postMessage", "not_in_channel")
    send_event(app, mention_event(QUESTION, user="U0010"), event_id="EvNotIn")
    refused, dm = slack.wait_for("chat.postMessage", 2)
    assert refused["channel"] == "C0001"
    assert dm["channel"] == "U0010" and dm["text"].endswith(f"ask: {QUESTION}") and "<#C0001>" in dm["text"]
    (line,) = _lines(caplog, "not_in_channel", logging.WARNING)
    assert "asker U0010" in line and "reference " in line


def test_an_answer_delivered_after_an_outage_is_updated_in_place_when_its_question_is_edited(app, slack):
    """A held answer, once sent, is recorded like any other: editing the question updates it, it is not
    answered a second time beside it."""
    slack.down()
    send_event(app, mention_event(QUESTION, ts="1700000000.000900"), event_id="EvHeld")
    slack.up()
    (posted,) = slack.wait_for("chat.postMessage", timeout=15)
    assert "question" not in posted and "answer_key" not in posted  # the outbox's own fields stay home
    deadline = time.monotonic() + 10
    edited = {
        **mention_event("how much did Microsoft put in?", ts="1700000000.000900"),
        "edited": {"user": "U0001", "ts": "1700000050.000000"},
    }
    while not slack.bodies("chat.update") and time.monotonic() < deadline:  # recorded right after sending
        send_event(app, edited, event_id=f"EvEdit{time.monotonic()}")
        time.sleep(0.2)
    (update, *_) = slack.wait_for("chat.update")
    assert update["text"] == "ask: how much did Microsoft put in?" and update["ts"] != "1700000000.000900"
    assert len(slack.bodies("chat.postMessage")) == 1


def test_with_backend_postgres_answers_are_held_in_the_database(
    seeds_index, tmp_path, slack, caplog, database_url
):
    import psycopg

    from bot.backends import close_pools
    from tests.harness.libraries import make_settings

    values = {
        "mode": "http",
        "bot_token": BOT_TOKEN,
        "signing_secret": "test-signing-secret",
        "api_url": slack.url,
    }
    settings = make_settings(
        seeds_index, tmp_path, slack=values, backend="postgres", database={"url": database_url}
    )
    try:
        app = build_app(settings, RecordingTable(), client=WebClient(base_url=slack.url, token=BOT_TOKEN))
        slack.down()
        send_event(app, mention_event(QUESTION, user="U0011"), event_id="EvPg")
        _wait_lines(caplog, "held the answer to", 1)
        with psycopg.connect(database_url) as connection:
            query = "SELECT asker, payload->>'text' FROM held_replies"
            assert connection.execute(query).fetchall() == [("U0011", f"ask: {QUESTION}")]
        slack.up()
        (posted,) = slack.wait_for("chat.postMessage", timeout=15)
        assert posted["text"] == f"ask: {QUESTION}"
        assert len(_wait_lines(caplog, "delivered held reply", 1)) == 1
    finally:
        close_pools()
