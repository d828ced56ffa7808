"""The Discord ledger: claims and answers outlive the process (files backend), shared claims are used when given."""

from __future__ import annotations

import sqlite3
import time

from bot.adapters.discord.ledger import Answered, Ledger
from bot.adapters.slack.dedupe import RecentKeys
from bot.state.answered import SqliteAnsweredMessages
from bot.state.claims import SqliteEventClaims
from bot.state.outbox import SqliteOutbox


def test_a_claim_survives_a_restart(tmp_path):
    path = tmp_path / "discord.sqlite3"
    assert Ledger(path).first_time("discord:message:1")
    assert not Ledger(path).first_time("discord:message:1")  # a new process, the same file
    assert Ledger(path).first_time("discord:message:2")


def test_answers_survive_a_restart_and_can_be_forgotten(tmp_path):
    path = tmp_path / "discord.sqlite3"
    Ledger(path).record(7, Answered(3, (11, 12), Answered.digest("what is x?")))
    again = Ledger(path)
    assert again.answered(7) == Answered(3, (11, 12), Answered.digest("what is x?"))
    again.forget(7)
    assert Ledger(path).answered(7) is None


def test_the_question_text_itself_is_not_stored(tmp_path):
    path = tmp_path / "discord.sqlite3"
    Ledger(path).record(7, Answered(3, (11,), Answered.digest("my secret question")))
    dump = "\n".join(sqlite3.connect(path).iterdump())
    assert "secret" not in dump


def test_shared_claims_decide_when_given(tmp_path):
    shared = RecentKeys()
    shared.first_time("discord:message:1")
    ledger = Ledger(tmp_path / "discord.sqlite3", shared)
    assert not ledger.first_time("discord:message:1")
    assert ledger.first_time("discord:message:2") and not shared.first_time("discord:message:2")


def test_without_a_file_everything_is_in_memory():
    ledger = Ledger(None)
    assert ledger.first_time("k") and not ledger.first_time("k")
    ledger.record(1, Answered(2, (3,), "d"))
    assert ledger.answered(1) == Answered(2, (3,), "d")


def test_held_answers_come_back_once_and_expired_ones_are_told_apart(tmp_path):
    path = tmp_path / "discord.sqlite3"
    Ledger(path).hold(1, 10, 100, [{"content": "answer one"}])
    two_hours_ago = Ledger(path, clock=lambda: time.time() - 7200)  # answer two was held two hours ago
    two_hours_ago.hold(2, 10, 100, [{"content": "answer two"}])
    sender = Ledger(path)
    sender.hold(3, 10, 100, [{"content": "delivered"}])
    sender.delivered(3)
    ready, expired = Ledger(path).pending()
    assert [(p.question_id, p.messages) for p in ready] == [(1, ({"content": "answer one"},))]
    assert [p.question_id for p in expired] == [2]
    assert Ledger(path).pending() == ([], [])  # handed out once


def test_a_file_ledger_keeps_its_state_in_the_core_stores(tmp_path):
    """Backend files: the chat-neutral store classes every platform and backend uses, in discord.sqlite3."""
    path = tmp_path / "discord.sqlite3"
    ledger = Ledger(path)
    ledger.first_time("discord:message:1")
    ledger.record(7, Answered(3, (11, 12), "digest"))
    ledger.hold(8, 10, 100, [{"content": "on its way"}])
    assert not SqliteEventClaims(path).first_time("discord:message:1")
    assert SqliteAnsweredMessages(path).find("discord:7").reply == {"channel": "3", "answers": "11,12"}
    assert SqliteOutbox(path).count("discord") == 1
    assert not ledger.shared  # one process per file: nothing to sweep for from other replicas


# discord.sqlite3 as citebot wrote it before the ledger used bot/state's stores.
OLD_FILE = """
CREATE TABLE discord_claims (key TEXT PRIMARY KEY, claimed_at REAL NOT NULL);
CREATE TABLE discord_pending (question_id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL, messages TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE discord_answers (question_id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL,
    answer_ids TEXT NOT NULL, question_digest TEXT NOT NULL, answered_at REAL NOT NULL);
"""


def test_a_file_written_by_the_earlier_ledger_is_carried_over(tmp_path):
    path = tmp_path / "discord.sqlite3"
    now = time.time()
    with sqlite3.connect(path) as db:
        db.executescript(OLD_FILE)
        db.execute("INSERT INTO discord_claims VALUES ('discord:message:1', ?)", (now - 60,))
        db.execute("INSERT INTO discord_answers VALUES (7, 3, '[11, 12]', 'digest', ?)", (now - 60,))
        db.execute(
            'INSERT INTO discord_pending VALUES (8, 10, 100, \'[{"content": "kept"}]\', ?)', (now - 60,)
        )
        db.execute(
            'INSERT INTO discord_pending VALUES (9, 10, 100, \'[{"content": "old"}]\', ?)', (now - 7200,)
        )
    ledger = Ledger(path)
    assert not ledger.first_time("discord:message:1")  # still claimed: not answered twice after the upgrade
    assert ledger.answered(7) == Answered(3, (11, 12), "digest")
    ready, expired = ledger.pending()
    assert [(p.question_id, p.channel_id, p.user_id, p.messages) for p in ready] == [
        (8, 10, 100, ({"content": "kept"},))
    ]
    assert [p.question_id for p in expired] == [9]
    tables = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert not {"discord_claims", "discord_answers", "discord_pending"} & tables
    assert Ledger(path).answered(7) is not None  # a second start finds nothing more to move
