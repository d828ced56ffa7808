"""A corpus of two sources for the channel-scope tests: `handbook/` (public) and `runbooks/` (private).

Its top-level folders give exactly the keys named sources give ("handbook/expenses.md"), so one index
built from it holds both sources, as `citebot index` builds one over `sources:`. Only the runbooks say
how to promote the database replica; the handbook has twelve passages on other things, so a channel
that sees only the handbook has a full top-k of them and still nothing that answers it.
"""

from __future__ import annotations

from pathlib import Path

QUESTION = "How do I promote the standby database replica when the primary fails?"
ANSWER_WORDS = "pg_ctl promote"  # in the runbooks' answer, nowhere in the handbook
RUNBOOK = "runbooks/database-failover.md"
RUNBOOK_TITLE = "Database failover"
HANDBOOK_QUESTION = "How many days of paid holiday does an employee get?"
HANDBOOK_ANSWER = "27 days"

# channels: C0SUPPORT sees the handbook; C0ONCALL the handbook and the runbooks (private: only there).
CONFIG = {
    "sources": [
        {"name": "handbook", "path": "./handbook"},
        {"name": "runbooks", "path": "./runbooks", "private": True},
    ],
    "channels": {"C0SUPPORT": ["handbook"], "C0ONCALL": ["handbook", "runbooks"]},
}
SUPPORT, ONCALL = "C0SUPPORT", "C0ONCALL"

DOCUMENTS = {
    "handbook/holidays.md": """# Holidays

## Paid holiday
Every employee gets 27 days of paid holiday a year, plus the public holidays of their country.
Unused days carry over to the next year, up to five of them.

## Booking time off
Book time off in the HR portal at least two weeks ahead. Your manager approves it within three working days.

## Sick leave
Tell your manager before ten in the morning on the first day of sickness. From the fourth day a doctor's note is needed.
""",
    "handbook/expenses.md": """# Expenses

## Submitting expenses
Submit expense claims within thirty days, with a photo of each receipt attached in the finance app.

## Meals while travelling
Meals on business trips are reimbursed up to fifty euros a day, alcohol excluded.

## Train or plane
Take the train for any journey under five hours; book flights through the travel desk only.
""",
    "handbook/equipment.md": """# Equipment

## Your laptop
New starters choose a laptop on their first day: a fourteen-inch or a sixteen-inch model.
Return the laptop to the office manager when you leave the company.

## Home office allowance
Each employee may claim a one-off home office allowance of three hundred euros for a chair or a desk.

## Lost or stolen devices
Report a lost phone or laptop to the service desk within an hour so it can be locked remotely.
""",
    "handbook/onboarding.md": """# Onboarding

## Your first week
In your first week you meet your buddy, set up your accounts and join the team's weekly planning.

## Mentors
Every new starter is given a mentor from another team for their first six months.

## Probation
The probation period lasts three months; it ends with a review meeting with your manager.
""",
    RUNBOOK: """# Database failover

## Promoting the replica
When the primary database fails, promote the standby replica: run `pg_ctl promote` on db-replica-2
as the postgres user. The promoted replica accepts writes within about a minute.

## Checking replication lag before promoting
Before you promote the replica, check its replication lag with `SELECT now() - pg_last_xact_replay_timestamp()`.
A standby replica more than a minute behind the primary database may lose recent writes.

## Repointing the connection pooler
After the replica is promoted, point pgbouncer at db-replica-2 and reload it, so the applications reach the new primary database.

## Rebuilding the old primary
Rebuild the failed primary as a new standby replica with `pg_basebackup` from the promoted database.
""",
}


def write_corpus(folder: Path) -> Path:
    """The two sources' files under `folder` (handbook/..., runbooks/...); `folder`."""
    for key, text in DOCUMENTS.items():
        path = folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return folder


def scoped_settings(location: str, backend: str = "files", **sections):
    """Settings over an index of this corpus (a folder, or a database URL for postgres) with the two
    sources and the two channels of CONFIG; `sections` (slack=..., feedback=...) added as given."""
    from bot.settings import Settings

    where = {"backend": "postgres", "database": {"url": location}} if backend == "postgres" else {}
    index = {} if backend == "postgres" else {"index": location}
    return Settings.model_validate({**CONFIG, **index, **where, **sections})
