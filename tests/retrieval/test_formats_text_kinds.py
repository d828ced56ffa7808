"""Readers for notebooks, e-mail, OpenAPI descriptions and AsciiDoc: the text a question is answered from
is in the blocks, markup and chrome are not, and lines point at the file's own lines. Parse level, no model.
Real files come from tests/data/formats_text (SOURCE.md); the e-mails are built here."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from retrieval.ingest.formats import PARSERS, asciidoc, eml, notebook, openapi
from retrieval.ingest.formats.errors import NoReaderError
from retrieval.models import Block
from tests.harness.libraries import DATA

FILES = DATA / "formats_text"


def texts(blocks: list[Block], kind: str | None = None) -> list[str]:
    return [b.text for b in blocks if kind is None or b.kind == kind]


def file_line(path_or_text, number: int) -> str:
    text = path_or_text if isinstance(path_or_text, str) else path_or_text.read_text("utf-8")
    return text.split("\n")[number - 1]


def test_each_kind_is_registered_by_suffix():
    expected = {
        ".ipynb": notebook.parse,
        ".eml": eml.parse,
        ".adoc": asciidoc.parse,
        ".asciidoc": asciidoc.parse,
    }
    expected |= {suffix: openapi.parse for suffix in (".yaml", ".yml", ".json")}
    assert {suffix: PARSERS[suffix] for suffix in expected} == expected


# -- notebooks -------------------------------------------------------------------------------------
def test_notebook_v4_markdown_code_and_printed_output():
    parsed = notebook.parse((FILES / "notebook" / "test4.ipynb").read_bytes(), "test4.ipynb")
    assert parsed.title == "nbconvert latex test"
    assert texts(parsed.blocks, "heading") == [
        "nbconvert latex test",
        "Printed Using Python",
        "Pyout",
        "Image",
    ]
    prose = texts(parsed.blocks, "paragraph")[0]
    assert prose.startswith("Lorem ipsum dolor sit amet") and "**" not in prose  # through the Markdown reader
    code = [b for b in parsed.blocks if b.kind == "code"]
    assert code[0].language == "python" and code[0].text.endswith('print("hello")')
    # what the cell printed, marked output in its text too (the language does not reach a quote)
    assert (code[1].language, code[1].text) == ("output", f"{notebook.OUTPUT_MARK}\nhello")
    everything = "\n".join(texts(parsed.blocks))
    assert "IPython.core.display" not in everything  # object reprs of HTML, JS and image outputs
    assert "iVBORw0KGgo" not in everything  # the PNG's base64
    assert all(b.line_start is None for b in parsed.blocks)  # a cell's lines are not the file's


def test_notebook_v3_worksheets_heading_cells_and_stream_output():
    parsed = notebook.parse((FILES / "notebook" / "test3.ipynb").read_bytes(), "test3.ipynb")
    assert texts(parsed.blocks, "heading")[:2] == ["nbconvert latex test", "Printed Using Python"]
    assert [b.level for b in parsed.blocks if b.kind == "heading"][:2] == [1, 2]
    code = [(b.language, b.text) for b in parsed.blocks if b.kind == "code"]
    assert ("python", 'print("hello")') in code and ("output", "Output:\nhello") in code


def make_notebook(cells: list[dict], language: str = "python") -> bytes:
    metadata = {"kernelspec": {"name": "ir", "display_name": "R", "language": language}}
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": cells}).encode()


def markdown_cell(*lines: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": [line + "\n" for line in lines]}


def code_cell(source: str, *outputs: dict) -> dict:
    return {
        "cell_type": "code",
        "metadata": {},
        "source": source,
        "outputs": list(outputs),
        "execution_count": 1,
    }


def test_notebook_kernel_language_tables_in_two_cells_and_dropped_outputs():
    raw = make_notebook(
        [
            markdown_cell("| model | accuracy |", "|---|---|", "| glm | 0.81 |"),
            markdown_cell("| model | recall |", "|---|---|", "| glm | 0.64 |"),
            code_cell(
                "summary(fit)",
                {"output_type": "stream", "name": "stderr", "text": "Warning: 3 rows removed\n"},
                {"output_type": "error", "ename": "E", "evalue": "x", "traceback": ["Traceback boom"]},
                {
                    "output_type": "execute_result",
                    "data": {"text/plain": "\n".join(f"row {i}" for i in range(50))},
                },
                {"output_type": "display_data", "data": {"text/plain": "<Figure size 640x480 with 1 Axes>"}},
            ),
            {"cell_type": "raw", "metadata": {}, "source": "\\begin{raw}"},
        ],
        language="R",
    )
    blocks = notebook.parse(raw, "fit.ipynb").blocks
    rows = [b for b in blocks if b.kind == "table_row"]
    assert [r.text for r in rows] == ["glm | 0.81", "glm | 0.64"]
    assert len({r.group for r in rows}) == 2  # each cell's table is its own
    code = [b for b in blocks if b.kind == "code"]
    assert code[0].language == "r"
    assert len(code) == 2 and code[1].language == "output"
    assert code[1].text.startswith("Output:\nrow 0\nrow 1") and code[1].text.endswith("row 29\n…")  # cut
    everything = "\n".join(texts(blocks))
    assert "Warning" not in everything and "Traceback" not in everything and "Figure size" not in everything
    assert "begin{raw}" not in everything


def test_a_file_that_is_not_a_notebook_is_a_value_error():
    with pytest.raises(ValueError, match="not a Jupyter notebook"):
        notebook.parse(b"{not json", "broken.ipynb")
    with pytest.raises(ValueError, match="no cells"):
        notebook.parse(b'{"metadata": {}}', "empty.ipynb")


# -- e-mail ----------------------------------------------------------------------------------------
REPLY = """Hi Bob,

The travel budget for Q3 is capped at 12,000 EUR, as agreed
with finance last week.

Next steps:
- send the revised sheet by Friday
- book the review room

On Fri, 31 May 2024 at 16:40, Bob Ray <bob@example.com>
wrote:
> Can you confirm the travel cap for the Lisbon offsite?
> Thanks.

--
Ann Lee | Finance | +351 21 000 0000
"""


def message(
    body: str, subject: str = "Re: Q3 budget review", subtype: str = "plain", **options
) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = "Ann Lee <ann@example.com>"
    mail["To"] = "Bob Ray <bob@example.com>, team@example.com"
    mail["Date"] = "Mon, 03 Jun 2024 10:02:00 +0200"
    mail.set_content(body, subtype=subtype, **options)
    return mail


def test_email_subject_headers_body_quotes_and_attachments():
    mail = message(REPLY)
    mail.add_attachment(b"PK\x03\x04", maintype="application", subtype="zip", filename="q3-budget.zip")
    raw = bytes(mail)
    parsed = eml.parse(raw, "reply.eml")
    assert (parsed.title, parsed.date) == ("Re: Q3 budget review", "2024-06-03")
    blocks = parsed.blocks
    assert (blocks[0].kind, blocks[0].text) == ("heading", "Re: Q3 budget review")
    assert texts(blocks, "definition") == [
        "From: Ann Lee <ann@example.com>",
        "To: Bob Ray <bob@example.com>, team@example.com",
        "Date: Mon, 03 Jun 2024 10:02:00 +0200",
        "Attachments: q3-budget.zip",
    ]
    assert "The travel budget for Q3 is capped at 12,000 EUR, as agreed with finance last week." in texts(
        blocks, "paragraph"
    )
    assert texts(blocks, "list_item") == ["send the revised sheet by Friday", "book the review room"]
    assert texts(blocks, "quote") == [
        "On Fri, 31 May 2024 at 16:40, Bob Ray <bob@example.com> wrote:",
        "Can you confirm the travel cap for the Lisbon offsite? Thanks.",
    ]
    everything = "\n".join(texts(blocks))
    assert "+351" not in everything and "UEsDB" not in everything  # the signature; the attachment's bytes
    text = raw.decode()
    for found in blocks[:-1]:  # each block's lines are the file's (the attachment list has none)
        first_word = found.text.split()[0].rstrip(":")
        assert first_word in file_line(text, found.line_start), (found.text, found.line_start)


def test_email_html_body_goes_through_the_html_reader():
    body = "<html><body><h2>Release notes</h2><p>Version <b>2.4</b> drops Python 3.8.</p><ul><li>faster sync</li></ul></body></html>"
    parsed = eml.parse(bytes(message(body, subject="Release 2.4", subtype="html")), "notes.eml")
    assert "Version 2.4 drops Python 3.8." in texts(parsed.blocks, "paragraph")
    assert "faster sync" in texts(parsed.blocks, "list_item")
    assert not any("<" in t and ">" in t and "@" not in t for t in texts(parsed.blocks))


def test_email_encoded_subject_and_quoted_printable_body():
    mail = message(
        "Die Lieferung kommt am Dienstag um 9 Uhr. " * 3,
        subject="Lieferung für Müller",
        cte="quoted-printable",
    )
    raw = bytes(mail)
    assert b"=?utf-8?" in raw and b"Lieferung f=C3=BCr" not in raw.split(b"\n\n", 1)[0]
    parsed = eml.parse(raw, "de.eml")
    assert parsed.title == "Lieferung für Müller"
    body = [b for b in parsed.blocks if b.kind == "paragraph"]
    assert body[0].text.startswith("Die Lieferung kommt am Dienstag um 9 Uhr.")
    assert body[0].line_start is None  # quoted-printable: the text is not the file's as written


def test_email_outlook_original_message_is_quoted():
    body = "Approved, go ahead.\n\n-----Original Message-----\nFrom: Bob Ray\nSent: Friday\n\nMay I order 40 chairs?\n"
    blocks = eml.parse(bytes(message(body, subject="RE: chairs")), "chairs.eml").blocks
    assert "Approved, go ahead." in texts(blocks, "paragraph")
    assert "May I order 40 chairs?" in texts(blocks, "quote")
    assert not any("Original Message" in t for t in texts(blocks))


# -- OpenAPI ---------------------------------------------------------------------------------------
def test_openapi_3_yaml_operations_parameters_and_schemas():
    path = FILES / "openapi" / "petstore.yaml"
    parsed = openapi.parse(path.read_bytes(), "petstore.yaml")
    assert parsed.title == "Swagger Petstore"
    headings = texts(parsed.blocks, "heading")
    assert headings[:4] == ["Swagger Petstore", "GET /pets", "POST /pets", "GET /pets/{petId}"]
    assert {"Schemas", "Pet", "Pets", "Error"} <= set(headings)
    definitions = texts(parsed.blocks, "definition")
    assert (
        "limit (query, integer (int32), optional): How many items to return at one time (max 100)"
        in definitions
    )
    assert "petId (path, string, required): The id of the pet to retrieve" in definitions
    assert "Response 200 (Pets): A paged array of pets" in definitions
    assert "Request body (application/json Pet, required)" in definitions
    assert "name (string, required)" in definitions and "Type: array of Pet" in definitions
    assert "List all pets" in texts(parsed.blocks, "paragraph")
    lines = path.read_text("utf-8").split("\n")
    by_text = {b.text: b for b in parsed.blocks}
    assert lines[by_text["GET /pets/{petId}"].line_start - 1] == "    get:"
    assert lines[by_text["GET /pets/{petId}"].line_start - 2] == "  /pets/{petId}:"
    parameter = by_text["petId (path, string, required): The id of the pet to retrieve"]
    region = lines[parameter.line_start - 1 : parameter.line_end]
    assert region[0].strip() == "- name: petId" and region[-1].strip() == "type: string"


def test_swagger_2_json_is_read_with_lines():
    path = FILES / "openapi" / "petstore-simple.json"
    parsed = openapi.parse(path.read_bytes(), "petstore-simple.json")
    headings = texts(parsed.blocks, "heading")
    assert ["GET /pets", "POST /pets", "GET /pets/{id}", "DELETE /pets/{id}"] == headings[1:5]
    definitions = texts(parsed.blocks, "definition")
    assert "id (path, integer (int64), required): ID of pet to delete" in definitions
    assert "tags (query, array of string, optional): tags to filter by" in definitions
    assert "Response 200 (array of Pet): pet response" in definitions
    assert "Server: petstore.swagger.io/api" in definitions
    delete = next(b for b in parsed.blocks if b.text == "DELETE /pets/{id}")
    assert '"delete"' in file_line(path, delete.line_start)


def test_openapi_local_refs_and_markdown_descriptions():
    spec = """openapi: 3.1.0
info:
  title: Billing API
  version: "2"
  description: |
    Invoices for **all** customers.

    Rate limit: 100 requests per minute.
paths:
  /invoices/{invoiceId}:
    parameters:
      - $ref: '#/components/parameters/invoiceId'
    get:
      summary: Fetch one invoice
      responses:
        '404':
          $ref: '#/components/responses/NotFound'
components:
  parameters:
    invoiceId:
      name: invoiceId
      in: path
      required: true
      description: The invoice number, like INV-2024-001.
      schema: {type: string}
  responses:
    NotFound:
      description: No invoice has that number.
  schemas:
    Invoice:
      type: object
      description: A bill sent to a customer.
      required: [total]
      properties:
        total:
          type: number
          description: Amount due in cents.
        status:
          type: string
          enum: [draft, sent, paid]
"""
    parsed = openapi.parse(spec.encode(), "billing.yml")
    definitions = texts(parsed.blocks, "definition")
    assert "invoiceId (path, string, required): The invoice number, like INV-2024-001." in definitions
    assert "Response 404: No invoice has that number." in definitions
    assert "total (number, required): Amount due in cents." in definitions
    assert "status (string, one of draft, sent, paid)" in definitions
    paragraphs = texts(parsed.blocks, "paragraph")
    assert (
        "Invoices for all customers." in paragraphs and "Rate limit: 100 requests per minute." in paragraphs
    )
    assert "A bill sent to a customer." in paragraphs


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("docker-compose.yaml", b"services:\n  web:\n    image: nginx\n"),
        (".github-workflow.yml", b"on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"),
        ("package.json", b'{"name": "x", "version": "1.0.0"}'),
        (
            "notes.yaml",
            b"title: Why we chose openapi\nbody: the swagger UI is nice\n",
        ),  # the word, not the key
    ],
)
def test_other_yaml_and_json_files_are_declined_as_not_read(name, content):
    suffix = "." + name.rsplit(".", 1)[-1]
    with pytest.raises(
        NoReaderError, match=rf"^no reader for \{suffix} \(not an OpenAPI or Swagger document\)$"
    ):
        openapi.parse(content, name)


def test_broken_openapi_yaml_is_a_value_error_not_a_decline():
    with pytest.raises(ValueError, match="neither YAML nor JSON") as raised:
        openapi.parse(b"openapi: 3.0.0\ninfo: [unclosed\n", "api.yaml")
    assert not isinstance(raised.value, NoReaderError)


# -- AsciiDoc --------------------------------------------------------------------------------------
def test_asciidoc_basic_document():
    path = FILES / "asciidoc" / "basic-example.adoc"
    parsed = asciidoc.parse(path.read_bytes(), "basic-example.adoc")
    assert parsed.title == "Document Title"
    assert texts(parsed.blocks, "heading") == ["Document Title", "Introduction", "Main", "Conclusion"]
    paragraphs = texts(parsed.blocks, "paragraph")
    assert "An example of a basic AsciiDoc document prepared by Doc Writer." in paragraphs  # {author}
    assert paragraphs[1].startswith(
        "A paragraph followed by an unordered list (AsciiDoc supports unordered, ordered, and description lists.)"
    )
    assert texts(parsed.blocks, "list_item") == ["item 1", "item 2", "item 3"]
    code = next(b for b in parsed.blocks if b.kind == "code")
    assert code.language == "ruby" and code.text.startswith("require 'prawn'")
    everything = "\n".join(texts(parsed.blocks))
    assert "doc@example.com" not in everything and ":toc:" not in everything and "Uncomment" not in everything
    for found in parsed.blocks:
        assert (
            found.text.split()[0].strip("{}") in file_line(path, found.line_start)
            or found.kind == "paragraph"
        )


def test_asciidoc_tables_admonitions_descriptions_and_inline_markup():
    path = FILES / "asciidoc" / "chronicles-example.adoc"
    blocks = asciidoc.parse(path.read_bytes(), "chronicles-example.adoc").blocks
    credits = [
        (b.kind, b.text) for b in blocks if b.line_start and b.line_start > 500 and b.kind.startswith("table")
    ]
    assert credits == [
        ("table_header", "Name | Title | Alias"),
        ("table_row", "Sarah White | President | @carbonfray"),
        ("table_row", "Dan Allen | Vice President | @mojavelinux"),
        ("table_row", "Powered by Open Source"),  # one cell spanning three columns
    ]
    paragraphs = texts(blocks, "paragraph")
    assert (
        "CAUTION: The Wolpertingers can smell your procrastination. It's not their fault you can't find your boots."
        in paragraphs
    )
    assert "TIP: Your boots are in your closet." in paragraphs
    assert any(
        t.startswith("Carrot: An orange-colored root eaten as a vegetable.")
        for t in texts(blocks, "definition")
    )
    assert "On pavements and the bark of trees I have found whole worlds." in texts(blocks, "quote")
    assert "Quick, hit Ctrl,Alt,Backspace or select File > Quit and let's bail out of here!" in " ".join(
        paragraphs
    )
    everything = "\n".join(texts(blocks))
    for markup in ("(((", "footnote:", "{url-", "image::", "ifdef::", "[[", "kbd:[", "_Thrilling_"):
        assert markup not in everything, markup
    assert next(b for b in blocks if b.kind == "code" and b.language == "xml").text.startswith(
        '<author id="1">'
    )


def test_asciidoc_includes_comments_and_conditionals_are_dropped():
    text = """= Ops Guide
:product: Relay

include::shared/attributes.adoc[]

// a comment nobody should read
////
A comment block.
////
ifdef::backend-html5[]
{product} restarts itself after a crash.
endif::[]

[NOTE]
====
Backups run at 02:00 UTC.
====

[cols="1,2"]
|===
|Port |Use
|8080 |HTTP API
|===
"""
    parsed = asciidoc.parse(text.encode(), "ops.adoc")
    assert texts(parsed.blocks, "paragraph") == [
        "Relay restarts itself after a crash.",
        "NOTE: Backups run at 02:00 UTC.",
    ]
    assert texts(parsed.blocks, "table_row") == ["Port | Use", "8080 | HTTP API"]  # no blank line: no header
    assert "include::" not in "\n".join(texts(parsed.blocks)) and "comment" not in "\n".join(
        texts(parsed.blocks)
    )
    backups = next(b for b in parsed.blocks if "Backups" in b.text)
    assert file_line(text, backups.line_start) == "Backups run at 02:00 UTC."


def test_asciidoc_fenced_code_blocks_are_code_with_their_comment_lines():
    """Asciidoctor reads a Markdown-style fence as a listing: its lines are code, a "//" line in it is the
    code's own (jbang's `//DEPS`), not an AsciiDoc comment, and `__token__` is no italic markup."""
    text = """= Dependencies

Declare a bill of materials first:

```java
//DEPS io.quarkus:quarkus-bom:2.11.2.Final@pom
//DEPS io.quarkus:quarkus-resteasy
```
Then the versions can be left out.

```
machine gitlab.mycompany.com
login __token__
```
"""
    parsed = asciidoc.parse(text.encode(), "dependencies.adoc")
    code = [b for b in parsed.blocks if b.kind == "code"]
    assert [b.text for b in code] == [
        "//DEPS io.quarkus:quarkus-bom:2.11.2.Final@pom\n//DEPS io.quarkus:quarkus-resteasy",
        "machine gitlab.mycompany.com\nlogin __token__",
    ]
    assert code[0].language == "java" and code[1].language is None
    assert file_line(text, code[0].line_start) == "//DEPS io.quarkus:quarkus-bom:2.11.2.Final@pom"
    assert texts(parsed.blocks, "paragraph") == [
        "Declare a bill of materials first:",
        "Then the versions can be left out.",
    ]
    assert "```" not in "\n".join(b.text for b in parsed.blocks)


def test_asciidoc_triple_backticks_inside_a_line_open_no_fence():
    """A paragraph opening with inline backticks ("```__token__``` is ...") is a paragraph: read as a fence,
    it would have taken every line after it, to the file's end, as code."""
    text = "= Auth\n\n```__token__``` is a word, not a fence.\n\nThe end.\n"
    parsed = asciidoc.parse(text.encode(), "auth.adoc")
    assert not [b for b in parsed.blocks if b.kind == "code"]
    assert texts(parsed.blocks, "paragraph")[-1] == "The end."


def test_email_headers_are_quoted_as_the_file_writes_them():
    # A Date whose weekday is wrong for its day (4 June 2026 is a Thursday), an address in quotes, a folded
    # header and an encoded name: the passage holds what the file says, so a quote of it is the file's
    # text; only an RFC 2047 word is decoded.
    raw = (
        b'From: "Ann Lee" <ann@example.com>\n'
        b"To: =?utf-8?q?J=C3=B6rg?= <j@example.com>\n"
        b"Date: Tue, 04 Jun 2026\n 10:00:00 +0000\n"
        b"Subject: DB outage\n\nThe outage lasted 40 minutes.\n"
    )
    parsed = eml.parse(raw, "outage.eml")
    assert texts(parsed.blocks, "definition") == [
        'From: "Ann Lee" <ann@example.com>',
        "To: Jörg <j@example.com>",
        "Date: Tue, 04 Jun 2026 10:00:00 +0000",
    ]
    assert parsed.date == "2026-06-04"
