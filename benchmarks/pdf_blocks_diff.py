"""Compares the PDF blocks two checkouts parse from the same files: which files changed, and how.

Run: .venv/bin/python benchmarks/pdf_blocks_diff.py OLD_CHECKOUT NEW_CHECKOUT FOLDER [FOLDER ...]
(e.g. /work/main . tests/data). Each checkout's retrieval.ingest.formats.pdf parses every *.pdf under the
folders in a subprocess of this interpreter; the output is one line a file and a unified diff of
"kind pPAGE-PAGE gGROUP: text" lines where they differ.
"""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path

_DUMP = """
import json, logging, sys
logging.disable(logging.WARNING)
from retrieval.ingest.formats import pdf
out = {}
for path in sys.argv[1:]:
    try:
        blocks = pdf.parse(open(path, "rb").read(), path).blocks
        out[path] = [f"{b.kind} p{b.page_start}-{b.page_end} g{b.group}: {b.text}" for b in blocks]
    except ValueError as error:
        out[path] = [f"ValueError: {error}"]
print(json.dumps(out))
"""


def blocks_by_file(checkout: Path, files: list[str]) -> dict[str, list[str]]:
    """Each file's blocks as lines, parsed by the checkout's code (its folder is the working directory)."""
    run = subprocess.run(
        [sys.executable, "-c", _DUMP, *files], capture_output=True, text=True, cwd=checkout, check=True
    )
    return json.loads(run.stdout)


def main(old: str, new: str, *folders: str) -> None:
    files = sorted(str(p.resolve()) for folder in folders for p in Path(folder).rglob("*.pdf"))
    before, after = blocks_by_file(Path(old), files), blocks_by_file(Path(new), files)
    for path in files:
        diff = list(difflib.unified_diff(before[path], after[path], "old", "new", lineterm="", n=0))
        print(f"== {path}: {len(before[path])} -> {len(after[path])} blocks, {'changed' if diff else 'same'}")
        for line in diff[2:]:
            print("   ", line[:200])


if __name__ == "__main__":
    main(*sys.argv[1:])
