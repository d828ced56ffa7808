"""The Discord ledger on PostgreSQL (backend: postgres): the question -> answer map and the answers on
their way live in the shared database, so a restart or another replica edits and delivers them."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

from bot import messages
from bot.adapters.discord.client import build_client
from bot.adapters.discord.delivery import RetryPolicy
from bot.adapters.discord.ledger import Answered, Ledger
from bot.state.answered import PostgresAnsweredMessages
from bot.state.claims import PostgresEventClaims
from bot.state.outbox import PostgresOutbox
from tests.conftest import make_settings
from tests.harness.discord_harness import BOT_ID, CHANNEL_ID, REFUSED, USER_ID, DiscordHarness

QUESTION = f"<@{BOT_ID}> how much did Microsoft invest?"
OTHER_QUESTION = f"<@{BOT_ID}> who founded OpenAI?"
MESSAGES = "/channels/{channel_id}/messages"
FAST = RetryPolicy(backoff_s=(0.05, 0.1), give_up_after_s=5.0)


def pg_ledger(pool, in_flight_s: float = 0.0) -> Ledger:
    """A replica's ledger, as bot/adapters/discord/client.ledger builds it for backend postgres."""
    return Ledger(
        None, PostgresEventClaims(pool), PostgresAnsweredMessages(pool), PostgresOutbox(pool), in_flight_s
    )


def pg_client(command_table, seeds_index, tmp_path, database_url, in_flight_s: float | None = None):
    settings = make_settings(seeds_index, tmp_path, backend="postgres", database={"url": database_url})
    client = build_client(settings, command_table)
    client.responder.delivery.policy = FAST
    if in_flight_s is not None:
        client.responder.ledger.in_flight_s = in_flight_s
    return client


# -- the ledger itself ---------------------------------------------------------------------------------
def test_answers_are_shared_by_replicas_and_can_be_forgotten(replica_pools, tmp_path):
    first, second = (pg_ledger(pool) for pool in replica_pools)
    first.record(7, Answered(3, (1_100_000_000_000_000_011, 12), Answered.digest("what is x?")))
    assert second.answered(7) == Answered(3, (1_100_000_000_000_000_011, 12), Answered.digest("what is x?"))
    second.forget(7)
    assert first.answered(7) is None
    assert not (tmp_path / "discord.sqlite3").exists()  # nothing kept beside the feedback file


def test_an_answer_being_sent_is_left_to_its_process_until_in_flight_s(replica_pools):
    sender, starting = pg_ledger(replica_pools[0], in_flight_s=0.5), pg_ledger(replica_pools[1])
    sender.hold(1, 10, 100, [{"content": "on its way"}])
    assert starting.pending() == ([], [])  # another replica is sending it
    sender.hold(2, 10, 100, [{"content": "delivered"}])
    sender.delivered(2)
    time.sleep(0.6)  # the sender died without saying it was delivered
    [ready], expired = starting.pending()
    assert (ready.question_id, ready.channel_id, ready.user_id) == (1, 10, 100)
    assert ready.messages == ({"content": "on its way"},) and expired == []
    assert starting.pending() == ([], [])  # handed out once


def test_status_counts_the_answers_held_for_discord(replica_pools, tmp_path, seeds_index, database_url):
    from bot.backends import held_reply_counts

    pg_ledger(replica_pools[0], in_flight_s=60).hold(1, 10, 100, [{"content": "on its way"}])
    settings = make_settings(seeds_index, tmp_path, backend="postgres", database={"url": database_url})
    assert held_reply_counts(settings) == {"discord": 1}


def test_replicas_asking_at_once_never_get_the_same_held_answer(replica_pools):
    holder = pg_ledger(replica_pools[0])
    for question_id in range(1, 41):
        holder.hold(question_id, 10, 100, [{"content": f"answer {question_id}"}])
    replicas = [pg_ledger(pool) for pool in replica_pools]
    taken: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def take(n: int) -> None:
        start.wait()
        for _ in range(5):
            ready, _ = replicas[n].pending()
            taken[n].extend(p.question_id for p in ready)

    threads = [threading.Thread(target=take, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken[0] + taken[1]) == list(range(1, 41))  # each delivered by exactly one replica


# -- through the adapter -------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_an_answer_is_edited_in_place_after_a_restart(
    command_table, seeds_index, tmp_path, database_url
):
    async with DiscordHarness(pg_client(command_table, seeds_index, tmp_path, database_url)) as before:
        question = await before.message(QUESTION, mention_bot=True)
        [first] = before.channel_messages()
    async with DiscordHarness(
        pg_client(command_table, seeds_index, tmp_path / "other", database_url)
    ) as after:
        after.clear()
        await after.edit(question, OTHER_QUESTION, mention_bot=True)
        assert after.channel_messages() == []  # not answered a second time
        [edit] = after.edits()
        assert edit.url.endswith(f"/channels/{CHANNEL_ID}/messages/{first.response['id']}")
        assert edit.payload["content"].startswith(f"-# {messages.ANSWER_UPDATED}")
        assert "found" in edit.payload["content"].lower()  # answers who founded OpenAI now
        after.clear()
        await after.delete(question)  # and its deletion takes the answer down
        [note] = after.edits()
        assert note.payload["content"] == messages.QUESTION_DELETED


@pytest.mark.asyncio
async def test_an_answer_held_when_the_bot_stopped_is_delivered_by_the_next_start(
    command_table, seeds_index, tmp_path, database_url, caplog
):
    caplog.set_level(logging.INFO)
    before = DiscordHarness(pg_client(command_table, seeds_index, tmp_path, database_url, in_flight_s=0.2))
    await before.start()
    before.outage = REFUSED
    question = await before.message(QUESTION, mention_bot=True, settle=False)
    await before.until_requested("POST", MESSAGES)  # the answer is ready and Discord refused it once
    await before.kill()  # the process stops with the answer undelivered
    assert before.channel_messages() == []
    await asyncio.sleep(0.3)  # past the stopped process's in-flight time

    async with DiscordHarness(pg_client(command_table, seeds_index, tmp_path / "b", database_url)) as after:
        [sent] = after.channel_messages()  # delivered on READY
        assert str(sent.payload["message_reference"]["message_id"]) == question["id"]
        assert "$1 billion" in sent.payload["content"]
        after.clear()
        await after.feed("MESSAGE_CREATE", question)  # Discord delivers the question again: answered once
        assert after.channel_messages() == []
    assert any("held over a restart" in r.getMessage() for r in caplog.records)


@pytest.mark.asyncio
async def test_two_replicas_starting_together_deliver_a_held_answer_once(
    command_table, seeds_index, tmp_path, database_url, replica_pools
):
    pg_ledger(replica_pools[0]).hold(
        1_100_000_000_000_009_001, CHANNEL_ID, USER_ID, [{"content": "held answer"}]
    )
    first = DiscordHarness(pg_client(command_table, seeds_index, tmp_path / "a", database_url))
    second = DiscordHarness(pg_client(command_table, seeds_index, tmp_path / "b", database_url))
    await asyncio.gather(first.start(), second.start())
    try:
        sent = [call for h in (first, second) for call in h.channel_messages()]
    finally:
        await second.close()  # in reverse: each harness restores what it patched
        await first.close()
    assert [call.payload["content"] for call in sent] == ["held answer"]
    assert str(sent[0].payload["message_reference"]["message_id"]) == "1100000000000009001"


@pytest.mark.asyncio
async def test_a_running_replica_delivers_what_a_stopped_one_was_sending(
    command_table, seeds_index, tmp_path, database_url, replica_pools
):
    client = pg_client(command_table, seeds_index, tmp_path, database_url)
    client.responder.sweep_s = 0.1
    async with DiscordHarness(client) as running:
        pg_ledger(replica_pools[0], in_flight_s=0.3).hold(
            1_100_000_000_000_009_002, CHANNEL_ID, USER_ID, [{"content": "held answer"}]
        )
        await asyncio.sleep(0.2)
        assert running.channel_messages() == []  # the other replica may still be sending it
        for _ in range(40):
            if running.channel_messages():
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # more sweeps: still delivered once
        [sent] = running.channel_messages()
        assert sent.payload["content"] == "held answer"
    assert client.responder.sweep is not None and client.responder.sweep.done()  # stopped with the client
