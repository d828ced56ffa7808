"""Which link each source's citations get: the settings' `link` templates and the commits a generation read.

A named source uses its `link` template; without one, a git repository on GitHub or GitLab gets the file
view at the commit read (retrieval's `default_link_template`) and every other source the document's own
URL plus the cited section's anchor. The `corpus:` shorthand links by the front matter's `url:`.
`{commit}` is the commit the live generation's manifest records for the source, else its branch, else
`HEAD` (a git source indexed before commits were recorded).
"""

from __future__ import annotations

from bot.settings import Settings, SourceSettings
from retrieval import LinkRule, Links, Manifest, default_link_template


def citation_links(settings: Settings, manifest: Manifest | None) -> Links:
    """The link rules for citations from the generation `manifest` describes (None: no manifest read)."""
    if not settings.sources:
        return Links({}, named=False)
    records = manifest.sources if manifest is not None else {}
    rules = {}
    for source in settings.sources:
        record = records.get(source.name)
        rules[source.name] = _rule(source, record.revision if record is not None else None)
    return Links(rules, named=True)


def _rule(source: SourceSettings, revision: str | None) -> LinkRule:
    git = source.kind == "git"
    template = source.link or (default_link_template(source.git) if git else None)
    commit = revision or ((source.branch or "HEAD") if git else None)
    return LinkRule(template, commit)
