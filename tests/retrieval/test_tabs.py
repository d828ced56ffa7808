"""Tabbed commands: each tab's command is led by the one lead-in above the tab set, and the lead-in is no
answer of its own. In reStructuredText (sphinx-tabs `group-tab`, sphinx-design `tab-item`) the labels are
short paragraphs: flask's CLI page (tests/data/docstrial2) had its lead-in "For example, to set the port
for the run command, instead of flask run --port 8000:" quoted as the answer, the Bash, Fish, CMD and
Powershell commands naming FLASK_RUN_PORT not. In Markdown (MkDocs `=== "Tab"`) the labels are lead
headings, each tab a section, and the lead-in ended the section before with nothing to lead
(watchtower's notification page, tests/data/docstrial5)."""

from __future__ import annotations

from pathlib import Path

from retrieval.answering.compose import _candidates
from retrieval.config import ChunkingParams, ComposerParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.loader import load_document
from retrieval.models import Hit, Passage

PORT_LEAD = "For example, to set the port for the run command, instead of flask run --port 8000:"
INSTALL_LEAD = "To install it, pick your package manager:"
TABBED = """\
Options
=======

Click loads default values for command options from environment variables.
For example, to set the port for the run command, instead of ``flask run --port 8000``:

.. tabs::

   .. group-tab:: Bash

      .. code-block:: text

         $ export FLASK_RUN_PORT=8000
         $ flask run

   .. group-tab:: Powershell

      .. code-block:: text

         > $env:FLASK_RUN_PORT = 8000
         > flask run

To install it, pick your package manager:

.. tab-set::

   .. tab-item:: pip

      .. code-block:: bash

         pip install flask

   .. tab-item:: conda

      .. code-block:: bash

         conda install flask

A command stands under its own short lead-in too:

.. code-block:: bash

   flask routes
"""


def _passages(tmp_path: Path) -> list[Passage]:
    path = tmp_path / "cli.rst"
    path.write_text(TABBED, "utf-8")
    loaded = load_document(path, tmp_path)
    return chunk_document(loaded.document.source, list(loaded.blocks), ChunkingParams())


def test_each_tabbed_command_is_led_by_the_lead_in_above_its_tab_set(tmp_path):
    units = [(p, u) for p in _passages(tmp_path) for u in p.units if u.kind == "code"]
    leads = {p.unit_text(u): u.lead for p, u in units}
    assert leads == {
        "$ export FLASK_RUN_PORT=8000\n$ flask run": PORT_LEAD,
        "> $env:FLASK_RUN_PORT = 8000\n> flask run": PORT_LEAD,
        "pip install flask": INSTALL_LEAD,
        "conda install flask": INSTALL_LEAD,
        "flask routes": "A command stands under its own short lead-in too:",
    }


def test_the_lead_in_over_a_tab_set_is_no_answer_of_its_own(tmp_path):
    passage = next(p for p in _passages(tmp_path) if PORT_LEAD in p.text)
    said = [passage.unit_text(u) for u in passage.units]
    assert said[said.index(PORT_LEAD) + 1] == "Bash"  # the label stands between the lead-in and its command
    # the composer's candidates: the commands, not the lead-ins that lead them (a command's lead is none)
    candidates = [c.text for c in _candidates([Hit(passage, 1.0)], ComposerParams())]
    assert PORT_LEAD not in candidates and INSTALL_LEAD not in candidates
    assert "$ export FLASK_RUN_PORT=8000\n$ flask run" in candidates
    assert "pip install flask" in candidates
    # a sentence followed by a sentence still answers for itself
    assert said[said.index(PORT_LEAD) - 1] in candidates


MKDOCS = """\
# Notifications

Example using a custom report template that always sends a session report after each run:

=== "docker run"

    ```bash
    docker run -d \\
      -e WATCHTOWER_NOTIFICATION_REPORT="true" \\
      containrrr/watchtower
    ```

=== "docker-compose"

    ```yaml
    services:
      watchtower:
        image: containrrr/watchtower
    ```

=== "Help"

    The report is sent after each run.
"""


def test_mkdocs_tabs_are_led_by_the_lead_in_before_the_tab_set(tmp_path):
    path = tmp_path / "notifications.md"
    path.write_text(MKDOCS, "utf-8")
    loaded = load_document(path, tmp_path)
    passages = chunk_document(loaded.document.source, list(loaded.blocks), ChunkingParams())
    code = {p.heading_path: u.lead for p in passages for u in p.units if u.kind == "code"}
    lead = "Example using a custom report template that always sends a session report after each run:"
    assert code == {"Notifications › docker run": lead, "Notifications › docker-compose": lead}
    # a tab of prose is no command: its sentence keeps no lead
    help_tab = next(p for p in passages if p.heading_path.endswith("Help"))
    assert [u.lead for u in help_tab.units] == [""]
