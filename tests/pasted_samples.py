"""Messages as people paste them, for tests/retrieval/test_pasted.py and tests/bot/test_pasted_questions.py."""

TRACEBACK = """I upgraded the report builder this morning and now every build stops. How do I fix this?

Traceback (most recent call last):
  File "/home/dana/venvs/reports/lib/python3.11/site-packages/reportctl/cli.py", line 88, in main
    settings = load_settings(args.config)
  File "/home/dana/venvs/reports/lib/python3.11/site-packages/reportctl/settings.py", line 12, in load_settings
    import yaml
ModuleNotFoundError: No module named 'yaml'
"""

LONG_STORY = (
    "Hi everyone, hope you all had a good weekend. I'm new on the finance team and I was asked to "
    "produce the quarterly numbers for my manager, so I followed the wiki page step by step, exported "
    "the sheet from the accounting tool, copied it into the input folder and ran the build like the "
    "page says. It ran for a while and then it printed ValueError: could not convert string to float "
    "and stopped without writing anything, which is a bit worrying because the deadline is tomorrow "
    "morning and my manager is travelling. I also tried restarting my laptop and running it again "
    "from a fresh terminal window, with the same result. What should I change so the build "
    "goes through?"
)

LOG_PASTE = """why can't the builder reach the database?
2026-12-01T09:14:03.221Z ERROR [builder-7] ledger.client - connect to 10.2.3.4:5432 failed: Connection refused
2026-12-01T09:14:03.222Z INFO  [builder-7] reportctl - retrying in 5s
"""

TWO_PARTS = "what's a posting and when does the service desk close on Fridays?"
ONE_PART_UNKNOWN = "what's a posting and when does the canteen close on Fridays?"

SAMPLES = {
    "traceback": TRACEBACK,
    "long_story": LONG_STORY,
    "log_paste": LOG_PASTE,
    "two_parts": TWO_PARTS,
    "one_part_unknown": ONE_PART_UNKNOWN,
}
