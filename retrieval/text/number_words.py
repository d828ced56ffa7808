"""English number words ("three", "nineteen", "forty"), for readers and rules that take a number in
either form: a chapter labelled "Chapter Three" (retrieval/ingest/formats/pdf_chapters.py), a question's
"3 little birds" asked of "Three Little Birds" (retrieval/answering/question.py `identifier_forms`).

Hand-written: thirty-odd fixed words, where a library (num2words) would add a dependency to spell them.
"""

UNITS = tuple("one two three four five six seven eight nine".split())
TEENS = tuple("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())
TENS = tuple("twenty thirty forty fifty sixty seventy eighty ninety".split())
UP_TO_TWENTY = ("zero", *UNITS, *TEENS, TENS[0])  # 0 to 20, each at its value's index
