"""The products a corpus documents, by its top-level folders, and the one a question names.

A team's corpus often holds several projects side by side (`requests/` and `httpx/`, `traefik/` and
`h2o/`): each top-level folder is a product. A question that names one of them ("does requests have a
default timeout?") is about that product's pages; quoting another product's page that uses the same
words ("httpx's client default is 5 seconds") answers a question nobody asked, and where the named
product's pages do not say, the honest answer is an abstention.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from retrieval.answering.question import QuestionTerms, zipf
from retrieval.text.tokens import stem, tokenize

# A folder is a product when it holds at least this many documents and its name is no everyday word:
# Zipf < 4.5 (wordfreq) keeps project names ("httpx" 0, "h2o" 3.2, "django" 3.1, "requests" 4.3) and
# leaves out the folders that divide one product's pages ("guide" 4.8, "blog" 4.7, "reference" 4.7,
# "user" 4.7), whose names questions use as plain words. One document is enough: a project's whole manual
# may be one PDF (blind trial 49: with two needed, "does kahip build on windows with msvc?" was answered
# from Scrapy's install page beside KaHIP's manual, at 0.96; no set's answer changed with one).
PRODUCT_MIN_DOCUMENTS = 1
PRODUCT_MAX_ZIPF = 4.5


def products_of(sources: Iterable[str]) -> dict[str, frozenset[str]]:
    """Top-level folder -> the stems of its name, for the folders that are products; {} unless at least
    two are (one folder is the whole corpus, not a choice between products). Shapes: `sources` are
    corpus-relative paths ("httpx/advanced/timeouts.md")."""
    counts = Counter(folder for folder in map(product_of, sources) if folder)
    products = {}
    for folder, documents in counts.items():
        words = tokenize(folder)
        if documents >= PRODUCT_MIN_DOCUMENTS and words and all(zipf(w) < PRODUCT_MAX_ZIPF for w in words):
            products[folder] = frozenset(stem(words))
    return products if len(products) >= 2 else {}


def named_product(terms: QuestionTerms, products: Mapping[str, frozenset[str]]) -> str | None:
    """The one product (folder) the question names by all its name's words; None when it names none or
    several ("does httpx retry like requests does?" compares them)."""
    named = [folder for folder, stems in products.items() if stems and stems <= terms.weights.keys()]
    return named[0] if len(named) == 1 else None


def product_of(source: str) -> str:
    """The top-level folder of a corpus-relative source ("" for a file at the top)."""
    return source.split("/", 1)[0] if "/" in source else ""
