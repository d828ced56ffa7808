import pytest

from retrieval.text.datelines import is_dated_heading, is_dateline


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("July 22, 2019", True),
        ("July 22, 2019|Microsoft News Center", True),
        ("22 July 2019", True),
        ("Sept. 3rd, 2021 · 4 min read", True),
        ("2019-07-22", True),
        ("July 2019", False),  # no day: a month, not a dateline
        ("On July 22, 2019 Microsoft and OpenAI announced a multiyear partnership.", False),  # prose
        ("The meeting is on July 22, 2019.", False),
        ("Version 2019-07-22 of the API and every release after it", False),
    ],
)
def test_is_dateline(text, dateline):
    assert is_dateline(text) is dateline


@pytest.mark.parametrize(
    ("text", "dated"),
    [
        ("[2.4.0] - 2024-03-12", True),
        ("Version 3.1 (March 12, 2024)", True),
        ("Released 2021-05-11", True),
        ("2019-07-22", True),
        ("Version 2.0.0", False),  # a version, no date
        ("[Unreleased]", False),
        ("What changed between the releases of 2024-03-12 and 2024-04-02, and why we made them", False),
    ],
)
def test_is_dated_heading(text, dated):
    assert is_dated_heading(text) is dated
