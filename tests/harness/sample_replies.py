"""Hand-made replies that stress every renderer: huge passages, markup, mention tricks, no URL."""

from __future__ import annotations

from bot.core.models import (
    Answer,
    Citation,
    CommandHelp,
    DocumentView,
    HelpText,
    Location,
    Notice,
    PassageView,
    SourceList,
    SourceLookup,
)

LONG_PASSAGE = ("This sentence is part of a very long passage about Azure. " * 180).strip()  # ~10,400 chars
MARKUP_PASSAGE = (
    "Costs rose 5% & margins < 10% > 2%; *bold* _italic_ ~strike~ `code` **md** __under__ "
    "[link](http://evil.example) <https://x.example|click> <@U123> <#C123> <!subteam^S1>."
)
MENTION_PASSAGE = (
    "Ping <!channel> and <!here> and <!everyone> and @everyone and @here and <@U999> and <@&123>."
)
CODE_PASSAGE = "Run this:\n```\nfor i in range(3):\n    print('@everyone', i)\n```\nThen stop."


def _citation(
    number: int, passage: str, url: str | None = "https://example.com/doc", title: str = "Doc"
) -> Citation:
    return Citation(
        number=number,
        passage_id=f"doc{number}.txt#{number}",
        source=f"doc{number}.txt",
        title=title,
        url=url,
        passage=passage,
        score=0.5,
        location=Location(f"doc{number}.txt", 3, 7),
        quote=passage[:80],
    )


def answers() -> dict[str, Answer]:
    """Named answers every renderer must handle within its platform's limits."""
    return {
        "plain": Answer(
            "How much?",
            "Microsoft invested $1 billion [1].",
            False,
            (_citation(1, "Microsoft has invested $1 billion in OpenAI."),),
            answer_id="a1",
        ),
        "long_passage": Answer(
            "Long?", "It is long [1].", False, (_citation(1, LONG_PASSAGE),), answer_id="a2"
        ),
        "markup": Answer(
            "Markup? 5 < 6 & 7 > 3",
            "Margins < 10% & *bold* [1].",
            False,
            (_citation(1, MARKUP_PASSAGE, title="Q&A <draft>"),),
            answer_id="a3",
        ),
        "mentions": Answer(
            "Who? <!channel> @everyone",
            "Ping <!channel> @everyone @here <@U1> [1].",
            False,
            (_citation(1, MENTION_PASSAGE, title="<!everyone> @here"),),
            answer_id="a4",
        ),
        "code": Answer("Code?", "Run the loop [1].", False, (_citation(1, CODE_PASSAGE),), answer_id="a5"),
        "inline_code": Answer(
            "Flag?",
            "Set --api.insecure=true or --api & <x> to serve it; --api.dashboard needs --api [1].",
            False,
            (_citation(1, "Set --api.insecure=true or --api & <x> to serve it."),),
            answer_id="a9",
            inline_code=("--api.insecure=true", "--api & <x>", "--api.dashboard"),
        ),
        "no_url": Answer(
            "No url?", "Nothing to link [1].", False, (_citation(1, "Plain text.", url=None),), answer_id="a6"
        ),
        "many": Answer(
            "Many?",
            " ".join(f"Fact {n} [{n}]." for n in range(1, 13)),
            False,
            tuple(_citation(n, LONG_PASSAGE[: 300 * n]) for n in range(1, 13)),
            answer_id="a7",
        ),
        "long_answer": Answer(
            "Long answer?",
            ("A sentence of the answer. " * 200).strip() + " [1]",
            False,
            (_citation(1, "Short."),),
            answer_id="a8",
        ),
        "abstained": Answer(
            "Who won the World Cup?",
            "I couldn't find that in the sources.",
            True,
            (),
            (_citation(1, "Closest passage."), _citation(2, MENTION_PASSAGE, url=None)),
            answer_id="a9",
        ),
    }


def other_replies() -> dict[str, object]:
    passage = PassageView(
        "doc1.txt#1",
        "doc1.txt",
        "Doc & <b>",
        "https://example.com/doc",
        LONG_PASSAGE,
        Location("doc1.txt", 1, 4),
    )
    mention = PassageView(
        "doc2.txt#2", "doc2.txt", "Doc 2", None, MENTION_PASSAGE, Location("doc2.txt", 9, 9), 0.4
    )
    documents = tuple(
        DocumentView(f"folder/doc{n}.txt", f"Document <{n}> & co", None, n) for n in range(1, 80)
    )
    return {
        "passage": SourceLookup("doc1.txt#1", passage=passage),
        "document": SourceLookup(
            "doc1.txt",
            document=DocumentView("doc1.txt", "Doc", None, 2),
            document_passages=(passage, mention),
        ),
        "document_list": SourceList(None, documents=documents),
        "hit_list": SourceList("azure", hits=(passage, mention)),
        "help": HelpText(
            (CommandHelp("ask", "/ask QUESTION", "Ask."), CommandHelp("help", "/help", "Help."))
        ),
        "notice": Notice("No source called 'x <!channel>'.", reference=None),
        "apology": Notice("Sorry, something went wrong. Reference abc123.", reference="abc123"),
    }
