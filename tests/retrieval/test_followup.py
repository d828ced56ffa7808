"""Reading a question in its conversation: elliptical follow-ups get context, self-contained ones are left alone."""

from __future__ import annotations

import pytest

from retrieval.answering.followup import FollowUp, Turn, contextualise, is_elliptical, remember

INVEST = Turn("How much did Microsoft invest in OpenAI?", topic=("microsoft", "invest", "openai"))


def asked(question: str, answer: str = "") -> Turn:
    """The turn a self-contained question leaves behind."""
    return remember(FollowUp(question), answer=answer)


@pytest.mark.parametrize(
    "question",
    [
        "and when was that announced?",  # opening "and", demonstrative
        "when was it announced?",  # pronoun
        "what about Windows?",  # "what about X"
        "and the default?",
        "does he still work there?",
        "which of the two is older?",  # a group named earlier
        "can I change that code?",
        "how do I switch that to local time?",
        "is there a cost to turning that on?",
        "ok, and what about Windows?",  # a chat opener before the continuation
        "which one is faster?",
    ],
)
def test_elliptical_questions_are_recognised(question):
    assert is_elliptical(question)


@pytest.mark.parametrize(
    "question",
    [
        "Who is OpenAI's chief scientist?",
        "How long does h2o wait for an incoming HTTP/1 request before timing out?",
        "Is it possible to rotate Traefik's access logs?",  # an empty "it"
        "Is there a limit on request body size in Traefik's retry middleware?",  # existential "there"
        "Which middleware that compresses responses supports Brotli?",  # a relative "that"
        "Does the documentation say that the ping endpoint needs TLS?",  # "that" opening a clause
    ],
)
def test_self_contained_questions_are_not(question):
    assert not is_elliptical(question)


def test_a_question_without_history_is_left_alone():
    follow_up = contextualise("and when was that announced?", [])
    assert follow_up == FollowUp("and when was that announced?")
    assert follow_up.search_text == "and when was that announced?"


def test_a_follow_up_carries_the_subject_of_the_previous_question():
    follow_up = contextualise("and when was that announced?", [asked(INVEST.question)])
    assert follow_up.context is not None and follow_up.context.question == INVEST.question
    assert {"microsoft", "invest", "openai"} <= set(follow_up.carried)
    assert follow_up.search_text.startswith("and when was that announced? ")


def test_a_topic_switch_is_not_polluted():
    history = [asked("What are Microsoft and OpenAI going to build together?")]
    follow_up = contextualise("Who is OpenAI's chief scientist?", history)
    assert follow_up == FollowUp("Who is OpenAI's chief scientist?")


def test_short_questions_of_common_words_only_lean_on_context():
    shares = {"default": 0.4, "port": 0.01}
    history = [asked("How do I enable the status page?")]
    assert contextualise("what's the default?", history, shares).is_follow_up
    assert not contextualise("what's the port?", history, shares).is_follow_up  # a specific word stands alone


def test_one_everyday_word_the_corpus_lacks_still_leans_on_context():
    """ "What was the date?" after "When was the partnership announced?": the corpus never says "date",
    yet the question asks about the announcement; two such words ("dress code") or a rare one name a
    topic of their own."""
    shares = {"partnership": 0.3, "announc": 0.1}
    history = [asked("When was the partnership announced?")]
    assert contextualise("What was the date?", history, shares).is_follow_up
    assert contextualise("and the price?", history, shares).is_follow_up
    assert not contextualise("What is the dress code?", history, shares).is_follow_up
    assert not contextualise("What is a quokka?", history, shares).is_follow_up


@pytest.mark.parametrize(
    "question",
    [
        "What is AGI?",
        "what is Azure?",
        "Thanks! Who is Satya Nadella?",
        "what’s h2olog?",
        "what does ECMP stand for?",
    ],
)
def test_asking_what_a_named_thing_is_stands_alone_however_common_the_name(question):
    """In a corpus about one deal "Azure" and "AGI" are in most passages; the question still names them."""
    shares = {"azur": 0.6, "agi": 0.4, "satya": 0.3, "nadella": 0.3, "h2olog": 0.5, "ecmp": 0.3, "stand": 0.2}
    assert not contextualise(question, [INVEST], shares).is_follow_up


@pytest.mark.parametrize(
    "question",
    ["what is the mission?", "what is better?", "what is an alternative?", "and what is AGI?", "what is it?"],
)
def test_asking_what_the_discussed_thing_is_still_leans_on_context(question):
    shares = {"mission": 0.4, "better": 0.3, "altern": 0.3, "agi": 0.4}
    assert contextualise(question, [INVEST], shares).is_follow_up


def test_the_subject_of_the_thread_survives_several_follow_ups():
    history = [asked("What is h2olog?")]
    second = contextualise("what Linux kernel version does it need?", history)
    history.append(remember(second))
    third = contextualise("does it have to run as root?", history)
    assert third.context.question == "what Linux kernel version does it need?"
    assert third.carried[0] == "h2olog"


def test_a_pronoun_for_a_person_carries_the_name_the_answer_gave():
    history = [
        asked("Who is Microsoft's chief executive?", answer="Satya Nadella, CEO of Microsoft, said so.")
    ]
    follow_up = contextualise("what does he think AI could help with?", history)
    assert follow_up.carried[:2] == ("satya", "nadella")


def test_coming_back_to_an_earlier_topic_takes_that_turn_as_context():
    history = [
        asked(
            "What status code does Traefik's inFlightReq middleware send when too many requests are in progress?"
        ),
        asked("How long does h2o wait for an incoming HTTP/1 request before timing out?"),
    ]
    follow_up = contextualise("back to that Traefik middleware: how does it group requests?", history)
    assert follow_up.context is history[0]
    assert "inflightreq" in follow_up.carried
