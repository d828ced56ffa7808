"""Filled AcroForm fields of a PDF as (page, name, value): values a text extraction never sees.

pypdf reads the fields (a field's value /V, its name /T and its alternate, human-readable name /TU); the
page of a field is the page whose annotations hold one of its widgets. `PdfReader.get_fields()` has the
same values but not their pages, so it only supplies the fields no page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

_RADIO = 1 << 15  # /Ff bit 16: a button field is a radio group (its value names the chosen option)
_PUSH = 1 << 16  # /Ff bit 17: a push button has no value


@dataclass(frozen=True)
class FormValue:
    """A filled field: `page` 1-based (None when no page shows it), `name` as the reader sees it."""

    page: int | None
    name: str
    value: str


def form_values(reader) -> list[FormValue]:
    """Every filled field of a pypdf reader's form, in page order then field order (none without a form)."""
    root = reader.trailer["/Root"]
    if "/AcroForm" not in root:
        return []
    found: list[FormValue] = []
    seen: set[str] = set()
    for number, page in enumerate(reader.pages, start=1):
        annotations = page.get("/Annots")
        for annotation in annotations.get_object() if annotations is not None else []:
            widget = annotation.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            field = widget if "/T" in widget else widget.get("/Parent", widget).get_object()
            _add(found, seen, field, number)
    for name, field in (reader.get_fields() or {}).items():
        if name not in seen:
            _add(found, seen, field, None, name)
    return found


def _add(
    found: list[FormValue], seen: set[str], field, page: int | None, full_name: str | None = None
) -> None:
    name = full_name or _full_name(field)
    if not name or name in seen:
        return
    seen.add(name)
    value = _value(field)
    if value:
        label = str(field.get("/TU") or field.get("/T") or name).strip()
        found.append(FormValue(page, " ".join(label.split()), value))


def _full_name(field) -> str:
    """The field's fully qualified name ("address.city"), as pypdf's get_fields keys it."""
    parts = []
    while field is not None and len(parts) < 32:
        if "/T" in field:
            parts.append(str(field["/T"]))
        field = field.get("/Parent")
        field = field.get_object() if field is not None else None
    return ".".join(reversed(parts))


def _value(field) -> str:
    """A field's value as a reader would say it; "" when unfilled (or a push button, or a box left off)."""
    value = _inherited(field, "/V")
    kind = _inherited(field, "/FT")
    flags = int(_inherited(field, "/Ff") or 0)
    if value is None or (kind == "/Btn" and flags & _PUSH):
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value if str(item).strip())
    text = str(value)
    if kind == "/Btn":
        if text in ("/Off", ""):
            return ""
        return text.lstrip("/") if flags & _RADIO else "Yes"
    return " ".join(text.split())


def _inherited(field, key: str):
    """A field's own entry, or its nearest ancestor's (/FT, /Ff and /V are inheritable)."""
    for _ in range(32):
        if key in field:
            return field[key]
        parent = field.get("/Parent")
        if parent is None:
            return None
        field = parent.get_object()
    return None
