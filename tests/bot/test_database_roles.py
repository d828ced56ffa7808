"""The least-privilege roles of config/postgres-roles.sql, on a real server: the bot answers and records its
state but cannot write the index; the indexer builds the index but cannot touch the bot's state."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from bot.core.service import QAService
from bot.state.claims import PostgresEventClaims
from bot.state.database import open_pool
from bot.state.feedback import PostgresFeedbackStore
from tests.harness.libraries import ROOT, SEEDS, backend_settings, build_library

ROLES_SQL = ROOT / "config" / "postgres-roles.sql"


@pytest.fixture
def roles(postgres, database_url):
    """(indexer URL, bot URL) for roles made by the shipped SQL (names made unique: roles are server-wide)."""
    suffix = uuid.uuid4().hex[:8]
    names = {"citebot_bot": f"bot_{suffix}", "citebot_indexer": f"indexer_{suffix}"}
    sql = ROLES_SQL.read_text("utf-8")
    for name, unique in names.items():
        sql = sql.replace(name, unique)
    with psycopg.connect(database_url, autocommit=True) as owner:
        owner.execute(sql)
    database = database_url.rsplit("/", 1)[1]
    return (
        postgres.url_for(database, user=names["citebot_indexer"], password="CHANGE-ME-indexer"),
        postgres.url_for(database, user=names["citebot_bot"], password="CHANGE-ME-bot"),
    )


def test_the_indexer_builds_and_the_bot_answers_and_records(roles, embedder, tmp_path):
    indexer_url, bot_url = roles
    build_library("postgres", SEEDS, indexer_url, embedder, sentence_vectors=False)
    service = QAService(backend_settings("postgres", bot_url), embedder)
    answer = service.ask("How much did Microsoft invest in OpenAI?")
    assert not answer.abstained and "$1 billion" in answer.text
    pool = open_pool(bot_url, wait_s=5)
    try:
        feedback = PostgresFeedbackStore(pool)
        answer_id = feedback.record_answer("slack", "C1", "q", "a", False, ("x#1",))
        assert feedback.record_vote(answer_id, "U1", "up")
        assert PostgresEventClaims(pool).first_time("event:Ev1")
    finally:
        pool.close()


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM passages", "UPDATE live_generation SET generation_id = 0", "INSERT INTO generations (name) VALUES ('x')",
     "DROP TABLE answers", "CREATE TABLE mine (id int)"],
)  # fmt: skip
def test_the_bot_cannot_change_the_index_or_the_schema(roles, statement):
    with (
        psycopg.connect(roles[1], autocommit=True) as bot,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        bot.execute(statement)


@pytest.mark.parametrize(
    "statement", ["SELECT * FROM answers", "DELETE FROM event_claims", "DROP TABLE passages"]
)
def test_the_indexer_cannot_touch_the_bots_state(roles, statement):
    with (
        psycopg.connect(roles[0], autocommit=True) as indexer,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        indexer.execute(statement)
