"""Questions as people change them: edited, deleted, with a file attached, or delivered twice across a restart."""

from __future__ import annotations

import logging

import pytest
import pytest_asyncio

from bot import messages
from bot.adapters.discord.client import build_client
from tests.harness.discord_harness import BOT_ID, CHANNEL_ID, DiscordHarness, assert_sent_safely
from tests.harness.libraries import make_settings

QUESTION = f"<@{BOT_ID}> how much did Microsoft invest?"
OTHER_QUESTION = f"<@{BOT_ID}> who founded OpenAI?"
ATTACHMENT = {
    "id": "1100000000000009999",
    "filename": "trace.log",
    "size": 2048,
    "url": "https://cdn.discordapp.com/attachments/1/2/trace.log",
    "proxy_url": "https://media.discordapp.net/attachments/1/2/trace.log",
}


def harness(command_table, seeds_index, tmp_path) -> DiscordHarness:
    return DiscordHarness(build_client(make_settings(seeds_index, tmp_path), command_table))


@pytest_asyncio.fixture
async def discord_bot(command_table, seeds_index, tmp_path):
    async with harness(command_table, seeds_index, tmp_path) as running:
        running.clear()
        yield running


def answer_id(call) -> int:
    return int(call.response["id"])


# -- edits ---------------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_an_edited_question_gets_its_answer_edited_in_place(discord_bot, caplog):
    question = await discord_bot.message(QUESTION, mention_bot=True)
    [first] = discord_bot.channel_messages()
    assert "$1 billion" in first.payload["content"]
    discord_bot.clear()

    await discord_bot.edit(question, OTHER_QUESTION, mention_bot=True)

    assert discord_bot.channel_messages() == []  # no second answer
    [edit] = discord_bot.edits()
    assert edit.url.endswith(f"/channels/{CHANNEL_ID}/messages/{answer_id(first)}")
    content = edit.payload["content"]
    assert content.startswith(f"-# {messages.ANSWER_UPDATED}\n")
    assert content.removeprefix(f"-# {messages.ANSWER_UPDATED}\n") != first.payload["content"]
    assert "found" in content.lower()  # answers who founded OpenAI now
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert edit.payload["allowed_mentions"] == {"parse": []}


@pytest.mark.asyncio
async def test_an_edit_that_leaves_the_question_as_it_was_changes_nothing(discord_bot):
    question = await discord_bot.message(QUESTION, mention_bot=True)
    discord_bot.clear()
    await discord_bot.edit(question, QUESTION, mention_bot=True)  # e.g. Discord unfurled a link
    assert discord_bot.edits() == [] and discord_bot.channel_messages() == []


@pytest.mark.asyncio
async def test_an_edit_that_adds_the_mention_is_answered(discord_bot):
    question = await discord_bot.message("how much did Microsoft invest?")
    assert discord_bot.channel_messages() == []

    await discord_bot.edit(question, QUESTION, mention_bot=True)

    [sent] = discord_bot.channel_messages()
    assert "$1 billion" in sent.payload["content"]
    assert str(sent.payload["message_reference"]["message_id"]) == question["id"]
    assert_sent_safely(discord_bot)


@pytest.mark.asyncio
async def test_an_answered_question_edited_after_a_restart_is_edited_not_answered_again(
    command_table, seeds_index, tmp_path
):
    async with harness(command_table, seeds_index, tmp_path) as before:
        question = await before.message(QUESTION, mention_bot=True)
        [first] = before.channel_messages()
    async with harness(command_table, seeds_index, tmp_path) as after:
        after.clear()
        await after.edit(question, OTHER_QUESTION, mention_bot=True)
        assert after.channel_messages() == []
        [edit] = after.edits()
        assert edit.payload["content"].startswith(f"-# {messages.ANSWER_UPDATED}")
    assert edit.url.endswith(f"/messages/{answer_id(first)}")


# -- deletes -------------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_deleted_question_has_its_answer_taken_down_with_a_note(discord_bot, caplog):
    caplog.set_level(logging.INFO)
    question = await discord_bot.message(QUESTION, mention_bot=True)
    [answer] = discord_bot.channel_messages()
    discord_bot.clear()

    await discord_bot.delete(question)

    [note] = discord_bot.edits()
    assert note.url.endswith(f"/channels/{CHANNEL_ID}/messages/{answer_id(answer)}")
    assert note.payload["content"] == messages.QUESTION_DELETED
    assert note.payload["embeds"] == [] and note.payload["components"] == []  # sources and votes gone
    assert any(f"question {question['id']} was deleted" in r.getMessage() for r in caplog.records)
    discord_bot.clear()
    await discord_bot.delete(question)  # a repeat of the event: nothing left to do
    assert discord_bot.calls == []


@pytest.mark.asyncio
async def test_a_long_answer_deleted_with_its_question_keeps_one_note(command_table, seeds_index, tmp_path):
    from bot.core.models import Notice

    class LongTable(type(command_table)):
        def dispatch(self, text, origin=None):
            return Notice("word " * 900)  # 4,500 characters: three messages

    table = LongTable(command_table.service, command_table.feedback)
    async with harness(table, seeds_index, tmp_path) as running:
        question = await running.message(QUESTION, mention_bot=True)
        parts = running.channel_messages()
        assert len(parts) == 3
        running.clear()
        await running.delete(question)
        [note] = running.edits()
        assert note.payload["content"] == messages.QUESTION_DELETED
        assert note.url.endswith(f"/messages/{answer_id(parts[0])}")
        deleted = sorted(c.url.rsplit("/", 1)[-1] for c in running.deletions())
        assert deleted == sorted(str(answer_id(p)) for p in parts[1:])


@pytest.mark.asyncio
async def test_deleting_a_message_the_bot_never_answered_does_nothing(discord_bot):
    chatter = await discord_bot.message("lunch?")
    await discord_bot.delete(chatter)
    assert discord_bot.calls == []


# -- attachments ---------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_question_with_an_attachment_is_answered_and_the_attachment_acknowledged(discord_bot):
    await discord_bot.message(QUESTION, mention_bot=True, attachments=[ATTACHMENT])

    [sent] = discord_bot.channel_messages()
    content = sent.payload["content"]
    assert content.startswith(f"-# {messages.ATTACHMENTS_NOT_READ}\n")
    assert "$1 billion" in content
    assert_sent_safely(discord_bot)


@pytest.mark.asyncio
async def test_an_attachment_alone_is_acknowledged_not_dropped(discord_bot):
    await discord_bot.message(f"<@{BOT_ID}>", mention_bot=True, attachments=[ATTACHMENT])
    [sent] = discord_bot.channel_messages()
    assert messages.ATTACHMENTS_NOT_READ in sent.payload["content"]


# -- duplicates ----------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_message_delivered_twice_is_answered_once(discord_bot):
    question = await discord_bot.message(QUESTION, mention_bot=True)
    await discord_bot.feed("MESSAGE_CREATE", question)
    assert len(discord_bot.channel_messages()) == 1


@pytest.mark.asyncio
async def test_a_message_delivered_again_after_a_restart_is_answered_once(
    command_table, seeds_index, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    async with harness(command_table, seeds_index, tmp_path) as before:
        question = await before.message(QUESTION, mention_bot=True)
        assert len(before.channel_messages()) == 1
    async with harness(command_table, seeds_index, tmp_path) as after:
        after.clear()
        await after.feed("MESSAGE_CREATE", question)
        assert after.channel_messages() == []
    assert any(
        f"skipping a repeat delivery of message {question['id']}" in r.getMessage() for r in caplog.records
    )


@pytest.mark.asyncio
async def test_an_edit_whose_old_answer_was_deleted_gets_a_fresh_answer(discord_bot, caplog):
    from tests.harness.discord_harness import Failure

    question = await discord_bot.message(QUESTION, mention_bot=True)
    discord_bot.clear()
    discord_bot.fail(
        "PATCH",
        "/channels/{channel_id}/messages/{message_id}",
        Failure(404, code=10008, message="Unknown Message"),
    )

    await discord_bot.edit(question, OTHER_QUESTION, mention_bot=True)

    [sent] = discord_bot.channel_messages()
    assert str(sent.payload["message_reference"]["message_id"]) == question["id"]
    assert sent.payload["content"].startswith(f"-# {messages.ANSWER_UPDATED}")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.asyncio
async def test_a_state_file_that_fails_does_not_stop_answers(discord_bot, tmp_path, caplog):
    state = tmp_path / "discord.sqlite3"
    state.unlink()
    state.mkdir()  # SQLite cannot open a directory: every ledger call now fails
    await discord_bot.message(QUESTION, mention_bot=True)
    [sent] = discord_bot.channel_messages()
    assert "$1 billion" in sent.payload["content"]
    assert any("state file could not be used" in r.getMessage() for r in caplog.records)
