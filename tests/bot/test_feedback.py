"""The feedback store: answers given, 👍/👎 votes (a changed vote replaces the old one), and the gaps report."""

from __future__ import annotations

import threading

import pytest

from bot.state.feedback import FeedbackStore, SqliteFeedbackStore


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    """The SQLite store (backend: files) and the PostgreSQL one (backend: postgres): the same behaviour."""
    if request.param == "sqlite":
        return SqliteFeedbackStore(tmp_path / "nested" / "feedback.sqlite3")
    from bot.state.database import open_pool
    from bot.state.feedback import PostgresFeedbackStore

    pool = open_pool(request.getfixturevalue("database_url"), wait_s=10)
    request.addfinalizer(pool.close)
    return PostgresFeedbackStore(pool)


def answer(store: FeedbackStore, question: str, abstained: bool = False, ids=("a.txt#1",)) -> str:
    return store.record_answer("slack", "C1", question, "Some answer [1].", abstained, tuple(ids))


def test_store_creates_its_folder_and_starts_empty(store):
    assert not isinstance(store, SqliteFeedbackStore) or store.path.exists()
    assert store.feedback() == []
    assert store.gaps() == []


def test_vote_is_recorded_with_its_answer(store):
    answer_id = answer(store, "How much did Microsoft invest?", ids=("001.txt#2", "003.txt#1"))
    assert store.record_vote(answer_id, "U1", "up") is True
    [record] = store.feedback()
    assert (record.platform, record.channel, record.user, record.vote) == ("slack", "C1", "U1", "up")
    assert record.question == "How much did Microsoft invest?"
    assert record.answer == "Some answer [1]."
    assert record.abstained is False
    assert record.passage_ids == ("001.txt#2", "003.txt#1")


def test_answer_ids_are_unique(store):
    assert len({answer(store, "same question") for _ in range(20)}) == 20


def test_changed_vote_replaces_the_old_one(store):
    answer_id = answer(store, "Who is the CEO?")
    store.record_vote(answer_id, "U1", "up")
    store.record_vote(answer_id, "U1", "down")
    assert [(r.user, r.vote) for r in store.feedback()] == [("U1", "down")]


def test_each_user_has_their_own_vote(store):
    answer_id = answer(store, "Who is the CEO?")
    store.record_vote(answer_id, "U1", "up")
    store.record_vote(answer_id, "U2", "down")
    assert sorted((r.user, r.vote) for r in store.feedback()) == [("U1", "up"), ("U2", "down")]


def test_vote_on_an_unknown_answer_is_refused(store):
    assert store.record_vote("no-such-answer", "U1", "up") is False
    assert store.feedback() == []


def test_invalid_vote_is_an_error(store):
    answer_id = answer(store, "q")
    with pytest.raises(ValueError, match="vote"):
        store.record_vote(answer_id, "U1", "sideways")


def test_gaps_are_abstentions_and_down_votes_most_frequent_first(store):
    for _ in range(3):
        answer(store, "What is the share price?", abstained=True)
    answer(store, "what is the SHARE price?  ", abstained=True)  # same question, case and spacing folded
    down = answer(store, "Who is the CTO?")
    store.record_vote(down, "U1", "down")
    store.record_vote(down, "U2", "down")
    liked = answer(store, "Who is the CEO?")
    store.record_vote(liked, "U1", "up")
    answer(store, "Where is OpenAI based?")  # answered, no votes: not a gap
    gaps = store.gaps()
    assert [(g.times, g.abstentions, g.down_votes) for g in gaps] == [(4, 4, 0), (2, 0, 2)]
    assert gaps[0].question.lower().strip() == "what is the share price?"
    assert gaps[1].question == "Who is the CTO?"


def test_up_vote_after_down_vote_closes_the_gap(store):
    answer_id = answer(store, "Who is the CTO?")
    store.record_vote(answer_id, "U1", "down")
    assert len(store.gaps()) == 1
    store.record_vote(answer_id, "U1", "up")
    assert store.gaps() == []


def test_gaps_limit(store):
    for n in range(5):
        answer(store, f"unanswerable question {n}", abstained=True)
    assert len(store.gaps(limit=2)) == 2


def test_store_survives_reopening(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    first = SqliteFeedbackStore(path)
    answer_id = answer(first, "q", abstained=True)
    second = SqliteFeedbackStore(path)
    assert second.record_vote(answer_id, "U1", "down") is True
    assert second.gaps()[0].times == 2  # abstained and voted down


def test_concurrent_writers(store):
    ids: list[str] = []

    def work():
        for _ in range(10):
            answer_id = answer(store, "busy question", abstained=True)
            ids.append(answer_id)
            store.record_vote(answer_id, "U1", "down")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.feedback()) == 40
    assert store.gaps()[0].times == 80


def test_gaps_fold_inner_spacing_and_non_ascii_case(store):
    answer(store, "Où est   le bureau?", abstained=True)
    answer(store, "OÙ EST LE BUREAU?", abstained=True)
    answer(store, "où est le\tbureau?", abstained=True)
    [gap] = store.gaps()
    assert (gap.times, gap.abstentions) == (3, 3)
