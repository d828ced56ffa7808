import pytest

from retrieval.text.datelines import is_dateline


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
