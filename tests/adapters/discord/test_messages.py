"""Mentions and DMs, end to end: gateway MESSAGE_CREATE in, recorded REST calls out, the real command table."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot import messages
from bot.adapters.discord.client import build_client
from bot.adapters.discord.markdown import fences_balanced
from bot.core.commands import CommandTable
from bot.core.models import Answer, Origin
from tests.harness.discord_harness import (
    BOT_ID,
    BOT_ROLE_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    OTHER_BOT_ID,
    OTHER_CHANNEL_ID,
    DiscordHarness,
    assert_sent_safely,
    user_payload,
)
from tests.harness.libraries import make_settings
from tests.harness.sample_replies import answers

QUESTION = f"<@{BOT_ID}> how much did Microsoft invest?"

NOWHERE = Origin()


class ScriptedTable(CommandTable):
    """The real table and feedback store, but every request gets the same prepared reply."""

    def __init__(self, table: CommandTable, reply) -> None:
        super().__init__(table.service, table.feedback)
        self.reply = reply
        self.seen: list[str] = []

    def dispatch(self, text: str, origin: Origin = NOWHERE):
        self.seen.append(text)
        return self.reply


@pytest_asyncio.fixture
async def discord_bot(command_table, seeds_index, tmp_path):
    settings = make_settings(seeds_index, tmp_path)
    async with DiscordHarness(build_client(settings, command_table)) as harness:
        harness.clear()
        yield harness


@pytest.mark.asyncio
async def test_mention_gets_a_cited_answer_as_a_reply(discord_bot):
    question = await discord_bot.message(QUESTION, mention_bot=True)

    [sent] = discord_bot.channel_messages()
    assert "$1 billion" in sent.payload["content"]
    assert str(sent.payload["message_reference"]["message_id"]) == question["id"]
    assert sent.url.endswith(f"/channels/{CHANNEL_ID}/messages")
    [embed] = sent.payload["embeds"]
    assert embed["title"] == messages.DISCORD_SOURCES_TITLE
    assert embed["fields"][0]["value"].startswith("[1] ")
    assert "$1 billion" in embed["fields"][0]["value"].lower()  # the quoted passage
    assert_sent_safely(discord_bot)


@pytest.mark.asyncio
async def test_typing_shows_while_working(discord_bot):
    await discord_bot.message(QUESTION, mention_bot=True)
    paths = [(c.method, c.path) for c in discord_bot.calls]
    typing = paths.index(("POST", "/channels/{channel_id}/typing"))
    assert typing < paths.index(("POST", "/channels/{channel_id}/messages"))
    assert discord_bot.calls[typing].url.endswith(f"/channels/{CHANNEL_ID}/typing")


@pytest.mark.asyncio
async def test_answer_carries_vote_buttons_for_its_recorded_id(discord_bot):
    await discord_bot.message(QUESTION, mention_bot=True)
    [sent] = discord_bot.channel_messages()
    buttons = sent.payload["components"][0]["components"]
    ids = [b["custom_id"] for b in buttons]
    assert ids[0].startswith("citebot:vote:up:") and ids[1].startswith("citebot:vote:down:")
    assert ids[0].split(":")[-1] == ids[1].split(":")[-1]
    assert all(len(i) <= 100 for i in ids)


@pytest.mark.asyncio
async def test_a_dm_needs_no_mention(discord_bot):
    await discord_bot.message("how much did Microsoft invest?", dm=True)
    [sent] = discord_bot.channel_messages()
    assert sent.url.endswith(f"/channels/{DM_CHANNEL_ID}/messages")
    assert "$1 billion" in sent.payload["content"]
    assert_sent_safely(discord_bot)


@pytest.mark.asyncio
async def test_the_bots_managed_role_counts_as_a_mention(discord_bot):
    await discord_bot.message(f"<@&{BOT_ROLE_ID}> how much did Microsoft invest?", mention_role=True)
    [sent] = discord_bot.channel_messages()
    assert "$1 billion" in sent.payload["content"]


@pytest.mark.asyncio
async def test_channel_chatter_without_a_mention_is_ignored(discord_bot):
    await discord_bot.message("how much did Microsoft invest?")
    assert discord_bot.calls == []


@pytest.mark.asyncio
@pytest.mark.parametrize("author_id", [OTHER_BOT_ID, BOT_ID])
async def test_bots_including_itself_get_no_reply(discord_bot, author_id):
    await discord_bot.message(QUESTION, mention_bot=True, author=user_payload(author_id, "bot", bot=True))
    await discord_bot.message("a DM from a bot", dm=True, author=user_payload(author_id, "bot", bot=True))
    assert discord_bot.calls == []


@pytest.mark.asyncio
async def test_a_command_can_follow_the_mention(discord_bot):
    await discord_bot.message(f"<@{BOT_ID}> /sources", mention_bot=True)
    [sent] = discord_bot.channel_messages()
    assert sent.payload["embeds"][0]["title"] == messages.discord_documents_title(5)
    assert "000_a62311b28d2cec3e.txt" in sent.payload["embeds"][0]["description"]


@pytest.mark.asyncio
async def test_a_bare_mention_asks_for_a_question(discord_bot, command_table):
    await discord_bot.message(f"<@{BOT_ID}>", mention_bot=True)
    [sent] = discord_bot.channel_messages()
    # the example names a real document of the index, not a question about the sample corpus
    titles = [d.title for d in command_table.service.engine.documents()]
    assert sent.payload["content"] in [messages.empty_question(title) for title in titles]


@pytest.mark.asyncio
async def test_mass_mentions_in_the_question_do_not_ping(discord_bot):
    await discord_bot.message(f"<@{BOT_ID}> @everyone @here what is Azure?", mention_bot=True)
    for payload in discord_bot.message_payloads():
        assert "@everyone" not in str(payload) and "@here" not in str(payload)
    assert_sent_safely(discord_bot)


@pytest.mark.asyncio
async def test_only_allowed_channels_are_answered(command_table, seeds_index, tmp_path):
    settings = make_settings(seeds_index, tmp_path, discord={"allowed_channels": [CHANNEL_ID]})
    async with DiscordHarness(build_client(settings, command_table)) as harness:
        harness.clear()
        await harness.message(QUESTION, mention_bot=True, channel_id=OTHER_CHANNEL_ID)
        assert harness.calls == []
        await harness.message(QUESTION, mention_bot=True, channel_id=CHANNEL_ID)
        assert len(harness.channel_messages()) == 1


@pytest.mark.asyncio
async def test_a_long_answer_is_split_into_messages_outside_code_blocks(command_table, seeds_index, tmp_path):
    code = "```python\n" + "\n".join(f"total += {n}  # step {n}" for n in range(60)) + "\n```"
    long_text = "\n\n".join(["Opening sentence. " * 60, code, "Middle sentence. " * 80, "Closing words [1]."])
    reply = Answer("long?", long_text, False, answers()["plain"].citations, answer_id="abc123")
    table = ScriptedTable(command_table, reply)
    async with DiscordHarness(build_client(make_settings(seeds_index, tmp_path), table)) as harness:
        harness.clear()
        question = await harness.message(QUESTION, mention_bot=True)
        sent = [c.payload for c in harness.channel_messages()]

    assert len(sent) >= 3
    assert all(len(p.get("content", "")) <= 2000 and fences_balanced(p.get("content", "")) for p in sent)
    assert any(code in p.get("content", "") for p in sent)  # the block fits a message, so it is whole
    assert str(sent[0]["message_reference"]["message_id"]) == question["id"]
    assert all("message_reference" not in p for p in sent[1:])
    assert sent[-1]["embeds"] and sent[-1]["components"]
    assert all(p["allowed_mentions"] == {"parse": []} for p in sent)
    assert table.seen == ["how much did Microsoft invest?"]  # the mention is not part of the question


@pytest.mark.asyncio
async def test_a_message_claimed_in_the_shared_database_is_answered_once(
    command_table, seeds_index, tmp_path, database_url
):
    """Replicas with one token all receive each message; with claims in PostgreSQL only the first answers."""
    from bot.state.claims import PostgresEventClaims
    from bot.state.database import open_pool

    pool = open_pool(database_url, wait_s=10)
    table = CommandTable(
        command_table.service, command_table.feedback, claims=PostgresEventClaims(pool, "replica-a")
    )
    settings = make_settings(seeds_index, tmp_path)
    try:
        async with DiscordHarness(build_client(settings, table)) as harness:
            harness.clear()
            question = await harness.message(QUESTION, mention_bot=True)
            await harness.feed("MESSAGE_CREATE", question)  # the same message, as another replica gets it
            assert len(harness.channel_messages()) == 1
    finally:
        pool.close()
