"""Rebuilds this case's PDF with the test harness (reportlab). Run from the repository root:
python tests/data/cases/pdf-layout/make_pdf.py"""

from pathlib import Path

from tests.harness.pdf import Contents, Field, Grid, Lines, Note, write_layout_pdf

HERE = Path(__file__).parent

PLANS = (
    ("Plan", "Storage", "Price per month", "Users"),
    ("Basic", "100 GB", "EUR 6", "3"),
    ("Plus", "2 TB", "EUR 24", "25"),
    ("Pro", "10 TB", "EUR 79", "unlimited"),
)
pages = [
    [
        Lines(("Harbor Storage customer handbook",)),
        Contents((("About Harbor Storage", 2), ("Plans and prices", 2), ("Uptime", 2), ("Your application", 3))),
    ],
    [
        Lines(("About Harbor Storage",
               "Harbor Storage keeps business files in two data centres in Rotterdam and copies",
               "every file to both within a minute.")),
        Lines(("Plans and prices", "Every plan is billed monthly; prices exclude VAT.")),
        Grid(PLANS),
        Lines(("Uptime", "Harbor Storage was available 99.97%^1 of the time in 2025.")),
        Note("1", "Measured by Northwind Assurance, an independent auditor, over twelve months."),
    ],
    [
        Lines(("Your application", "The details below were filled in when the account was opened.")),
        Field("applicant", "Jonas Berger", "Applicant name"),
        Field("account_no", "HS-20417", "Account number"),
        Field("plan", "Plus", "Chosen plan"),
        Field("start", "1 March 2026", "Start date"),
    ],
]
write_layout_pdf(HERE / "corpus" / "harbor-handbook.pdf", pages, title="Harbor Storage customer handbook")
