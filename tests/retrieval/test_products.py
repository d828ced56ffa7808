"""Which top-level folders of a corpus are products, and which one a question names."""

from __future__ import annotations

from retrieval.answering.products import named_product, product_of, products_of
from retrieval.answering.question import QuestionTerms


def test_top_level_folders_with_project_names_are_products():
    sources = ["httpx/a.md", "httpx/advanced/b.md", "requests/c.rst", "requests/user/d.rst", "README.md"]
    assert products_of(sources) == {"httpx": frozenset({"httpx"}), "requests": frozenset({"request"})}


def test_one_folder_everyday_names_and_single_files_are_no_products():
    assert products_of(["httpx/a.md", "httpx/b.md"]) == {}  # one folder is the whole corpus
    # "guide" and "blog" divide one product's pages; a question's "guide" is a plain word.
    assert products_of(["guide/a.md", "guide/b.md", "blog/c.md", "blog/d.md"]) == {}


def test_a_folder_holding_one_manual_is_a_product():
    """Blind trial 49: KaHIP's one PDF manual beside Scrapy's pages; needing two documents per product,
    "does kahip build on windows with msvc?" was answered from Scrapy's Windows install steps at 0.96."""
    assert products_of(["scrapy/intro/install.rst", "scrapy/faq.rst", "kahip/manual/kahip.pdf"]) == {
        "scrapy": frozenset({"scrapi"}),
        "kahip": frozenset({"kahip"}),
    }


def test_a_question_names_one_product_or_none():
    products = {"httpx": frozenset({"httpx"}), "requests": frozenset({"request"}), "h2o": frozenset({"h2o"})}
    assert named_product(QuestionTerms({"request": 1.0, "timeout": 2.0}, None), products) == "requests"
    assert named_product(QuestionTerms({"httpx": 1.0, "request": 1.0}, None), products) is None  # compares
    assert named_product(QuestionTerms({"timeout": 1.0}, None), products) is None
    assert product_of("h2o/docs/configure.html") == "h2o" and product_of("README.md") == ""
