"""The log reader: records (a timestamped line and its continuation lines), grouped by event, not lines."""

from __future__ import annotations

from pathlib import Path

from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.formats import PARSERS, log, text
from retrieval.ingest.loader import load_document

APP_LOG = """\
2024-03-12 10:15:32,101 INFO  [http.server] (req-1a2b3c4d) GET /api/v1/orders/17 completed 200 in 35ms
2024-03-12 10:15:32,140 INFO  [db.pool] (req-9f8e7d6c) connection acquired from pool (active=3, idle=7)
2024-03-12 10:15:33,002 ERROR [billing.invoice] (req-9f8e7d6c) invoice 4711 could not be rendered
Traceback (most recent call last):
  File "/srv/app/billing/invoice.py", line 88, in render
    total = sum(line.amount for line in lines)
TypeError: unsupported operand type(s) for *: 'NoneType' and 'Decimal'
2024-03-12 10:17:45,500 WARN  [scheduler] job nightly-report started late
2024-03-12 10:17:46,000 INFO  [mailer] mail to alice@example.com accepted by relay 10.0.0.7
"""


def _blocks(raw: str, suffix: str = ".log"):
    return PARSERS[suffix](raw.encode("utf-8"), f"app{suffix}").blocks


def test_log_suffix_is_read():
    assert ".log" in PARSERS


def test_a_stack_trace_stays_with_its_record_and_one_request_is_one_block():
    blocks = _blocks(APP_LOG)
    texts = [b.text for b in blocks]
    # req-9f8e7d6c: the pool line and the ERROR with its traceback, one event
    event = next(t for t in texts if "invoice 4711" in t)
    assert "connection acquired from pool" in event
    assert "TypeError: unsupported operand type(s)" in event
    assert event.count("\n") == 5  # verbatim lines, indentation kept
    assert '  File "/srv/app/billing/invoice.py", line 88, in render' in event
    # different request ids, components and minutes stay apart
    assert any(t.startswith("2024-03-12 10:15:32,101 INFO") and "\n" not in t for t in texts)
    assert len(blocks) == 4
    assert all(b.kind == "code" and b.language == "log" for b in blocks)


def test_blocks_point_at_their_lines_and_offsets():
    blocks = _blocks(APP_LOG)
    event = next(b for b in blocks if "invoice 4711" in b.text)
    assert (event.line_start, event.line_end) == (2, 7)
    assert APP_LOG[event.start : event.end] == event.text


def test_same_component_groups_only_within_a_short_span():
    raw = (
        "2024-03-12 10:00:00 INFO [cache.redis] warming keys\n"
        "2024-03-12 10:00:02 INFO [cache.redis] warmed 300 keys\n"
        "2024-03-12 10:05:00 INFO [cache.redis] evicted 12 keys\n"
    )
    texts = [b.text for b in _blocks(raw)]
    assert len(texts) == 2 and "warmed 300 keys" in texts[0] and "evicted" in texts[1]


def test_a_long_event_is_cut_after_the_group_limit():
    raw = "".join(f"2024-03-12 10:00:00 DEBUG [db.pool] (req-abcd1234) step {i}\n" for i in range(30))
    blocks = _blocks(raw)
    assert all(b.text.count("\n") < 12 for b in blocks)
    assert "".join(b.text + "\n" for b in blocks) == raw


def test_syslog_and_bracketed_timestamps_start_records():
    raw = (
        "Mar 12 10:15:32 host sshd[411]: Accepted publickey for deploy\n"
        "[2024-03-12T10:15:33Z] worker started\n"
        "  with 4 threads\n"
    )
    assert log.records(raw.splitlines()) == [(0, 0), (1, 2)]


def test_a_log_saved_as_txt_is_read_as_a_log():
    blocks = _blocks(APP_LOG, ".txt")
    assert len(blocks) == 4 and all(b.kind == "code" for b in blocks)


def test_prose_with_a_date_is_not_a_log():
    prose = (
        "Release notes\n\n2024-03-12 10:00 The release went out on time.\n\n"
        "Every service was upgraded without downtime.\nThe team thanks everyone who tested it.\n"
        "Questions go to the release channel.\nThe next release is planned for April.\n"
    )
    assert not log.looks_like_log(prose.splitlines())
    assert all(b.kind != "code" for b in _blocks(prose, ".txt"))
    assert text.parse(prose.encode(), "notes.txt").blocks == _blocks(prose, ".txt")


def test_a_log_document_is_named_after_its_file(tmp_path: Path):
    (tmp_path / "payments-api.log").write_text(APP_LOG, "utf-8")
    loaded = load_document(tmp_path / "payments-api.log", tmp_path)
    assert loaded.document.title == "payments api"


def test_a_record_is_one_quotable_unit():
    passages = chunk_document("app.log", _blocks(APP_LOG), ChunkingParams())
    units = [passage.unit_text(unit) for passage in passages for unit in passage.units]
    assert len(units) == 4
    assert any(unit.startswith("2024-03-12 10:15:32,140") and unit.endswith("'Decimal'") for unit in units)
