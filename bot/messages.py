"""Every user-facing string, in one place (chat replies, CLI errors, console text)."""

from __future__ import annotations

ABSTAIN = "I couldn't find that in the sources."
ABSTAIN_SEE_ALSO = "The closest passages, in case they help:"
EMPTY_QUESTION = "Please ask a question about the documents (/sources lists them)."
CLI_EMPTY_QUESTION = (
    'Please ask a question, like: citebot ask "QUESTION" (citebot sources lists the documents).'
)
CLI_HELP_HINT = (
    "`citebot ask` answers questions about the documents; for help see citebot --help "
    "(commands: index, ask, sources, source, eval, run, status, feedback, gaps, db)."
)
EMPTY_SOURCE_ID = "Give a source id (like `doc.txt#3`) or a few words to look up."
NO_DOCUMENTS = "The index holds no documents yet."
NO_HITS = "No passages match that."
FEEDBACK_THANKS_UP = "Thanks for the feedback!"
FEEDBACK_THANKS_DOWN = "Thanks, noted: we'll use this to improve the sources."
FEEDBACK_UNAVAILABLE = "Feedback isn't being recorded right now."
FEEDBACK_UNKNOWN_ANSWER = "I no longer have that answer on record, so the vote wasn't counted."
CHANNEL_NOT_ALLOWED = "I only answer in the channels I've been set up for."
CONSOLE_WELCOME = "citebot: ask a question about {corpus}. /help lists commands, /quit leaves."
CONSOLE_BYE = "Bye."
CONSOLE_QUIT_SUMMARY = "Leave."
THREADS_NEED_BATCH = (
    '--threads needs --batch FILE (one JSON object a line: {"question": ..., "thread": ...}).'
)


ATTACHMENTS_NOT_READ = "I can't read attachments yet; I answered from the indexed documents."
QUESTION_DELETED = "The question this answered was deleted, so I took the answer down."


def empty_question(title: str | None) -> str:
    """The hint for an empty question, naming a real document of the index when there is one."""
    if not title:
        return EMPTY_QUESTION
    return f"Please ask a question, for example about “{title}” (/sources lists every document)."


INTERRUPTED = "interrupted; stopped."
STOPPED = "stopped (SIGTERM)."


def os_error(error: OSError) -> str:
    where = f": {error.filename}" if error.filename else ""
    return f"{error.strerror or error.__class__.__name__}{where}"


def unexpected_error(error: Exception) -> str:
    return f"unexpected error ({error.__class__.__name__}); run with -v for details."


def corpus_not_a_folder(path: str) -> str:
    return f"The corpus {path} is not a folder of documents."


def index_not_a_folder(path: str) -> str:
    return f"{path} is a file; give --index a folder for the index."


def index_locked(path: str) -> str:
    return f"Another `citebot index` is already building {path}; wait for it to finish."


def index_abandoned(path: str) -> str:
    return f"Stopped: the build was abandoned and the index at {path} left as it was."


def port_unavailable(host: str, port: int, reason: str) -> str:
    return f"Cannot listen on {host}:{port} ({reason}): is another process using that port? Set another port."


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """'1 passage', '2 passages', '1,204 documents'."""
    return f"{count:,} {noun if count == 1 else plural_form or noun + 's'}"


def status_text(status: dict) -> str:
    """`citebot status` for people: what is indexed, when, how, and what users said."""
    encoder = status["encoder"]
    lines = [
        f"citebot {status['version']}",
        f"index:       {status['index']} (generation {status['generation']})",
        f"built:       {status['built_at']}",
        f"corpus:      {status['corpus']}",
        f"model:       {status['model']} ({encoder['dimension']} dimensions, {encoder['index_type']} index)",
        f"contents:    {plural(status['documents'], 'document')}, {plural(status['passages'], 'passage')}",
    ]
    skipped = status["skipped"]
    if skipped is None:
        lines.append("skipped:     unknown (the index was built by an older citebot; rebuild to record it)")
    elif not skipped:
        lines.append("skipped:     none")
    else:
        lines.append(f"skipped:     {plural(len(skipped), 'file')} at the last build:")
        lines.extend(f"  {item['source']}: {item['reason']}" for item in skipped)
    unread = status.get("unread")
    if unread is None:
        lines.append("not read:    unknown (the index was built by an older citebot; rebuild to record it)")
    elif not unread:
        lines.append("not read:    none")
    else:
        pairs = [(item["source"], item["reason"]) for item in unread]
        lines.extend(unread_files(pairs, "not read:    ", strict_hint=False))
    if status.get("state"):
        lines.append(
            f"state:       {status['state']} (feedback.path: the feedback and threads counted below)"
        )
    feedback = status["feedback"]
    if feedback is None:
        lines.append("feedback:    none recorded yet")
    else:
        lines.append(
            f"feedback:    {plural(feedback['answers'], 'answer')} ({feedback['abstained']:,} abstained), "
            f"{feedback['votes_up']:,} 👍, {feedback['votes_down']:,} 👎"
        )
    lines.append(f"threads:     {plural(status['conversation_turns'], 'turn')} of conversation kept")
    held = status.get("held_replies") or {}
    if held:
        waiting = ", ".join(
            f"{plural(count, 'reply', 'replies')} for {platform}" for platform, count in held.items()
        )
        lines.append(f"held:        {waiting} (the platform's API was down; sent when it is back)")
    return "\n".join(lines)


def follow_up_context(question: str) -> str:
    """The one line under a follow-up answer saying which earlier question it was read with."""
    return f"(Follow-up to: “{question}”)"


def bad_thread_line(file: str, number: int, problem: str) -> str:
    return f"{file}, line {number}: {problem}"


def also_in(sources: list[str]) -> str:
    return "Also in: " + ", ".join(sources)


def question_too_long(length: int, limit: int) -> str:
    return f"That question is {length:,} characters long; please keep it under {limit:,}."


CORPUS_PLACEHOLDER = "DIR"


def _corpus_flag(corpus: str, found: bool) -> tuple[str, str]:
    """`--corpus` as a hint prints it, and the note that goes with it: the folder itself when it exists,
    else a placeholder the user replaces with the folder of their documents."""
    if found:
        return f"--corpus {corpus}", ""
    return f"--corpus {CORPUS_PLACEHOLDER}", f" (DIR: the folder of your documents; {corpus} does not exist)"


def rebuild_hint(corpus: str | None, index: str, config: str | None = None, found: bool = True) -> str:
    """How to build the index the failing command looked for: "Build", not "Rebuild", as a first run has
    none yet and an outdated one is built anew alike (the PostgreSQL hint says the same).
    `corpus` None: the config lists sources (citebot index reads them; --corpus would be refused);
    `config`: the --config file the failing command was given, repeated so the hint works as printed;
    `found`: the corpus folder exists (else the hint asks for the user's folder instead of naming it)."""
    flag = f" --config {config}" if config else ""
    if corpus is None:
        return f"Build it with: citebot index --index {index}{flag} (it reads the configured sources)"
    corpus_flag, note = _corpus_flag(corpus, found)
    return f"Build it with: citebot index {corpus_flag} --index {index}{flag}{note}"


def index_missing(error: str, index_given: bool) -> str:
    """No index where the command looked (`error` says where and how to build one); when the user gave
    no --index, say how to point at one built elsewhere (a first `citebot index --index DIR` elsewhere
    is easily forgotten by the next command)."""
    return error if index_given else f"{error} If your index is elsewhere, pass --index with its folder."


def postgres_rebuild_hint(corpus: str | None, config: str | None = None, found: bool = True) -> str:
    flag = f" --config {config}" if config else ""
    if corpus is None:
        return f"Build it with: citebot index{flag} (with backend: postgres; it reads the configured sources)"
    corpus_flag, note = _corpus_flag(corpus, found)
    return f"Build it with: citebot index {corpus_flag}{flag} (with backend: postgres){note}"


def unknown_source(key: str, suggestions: list[str]) -> str:
    text = f"No source or passage called {key!r}."
    if suggestions:
        text += " Did you mean: " + ", ".join(suggestions) + "?"
    return text


def unknown_command(name: str, known: list[str]) -> str:
    return f"Unknown command /{name}. Try: " + ", ".join(f"/{k}" for k in known)


def apology(reference: str) -> str:
    return f"Sorry, something went wrong on my side. If it keeps happening, report reference {reference}."


def index_unavailable(reference: str) -> str:
    """Chat's version of a missing or damaged index: no paths (those are in the log, by the reference)."""
    return (
        "I can't read my document index right now: it needs to be (re)built by whoever runs me "
        f"(`citebot index`). Reference {reference}."
    )


def retrieval_failed(reference: str) -> str:
    return f"I couldn't search the documents for that. If it keeps happening, report reference {reference}."


def missing_env(path: str, variable: str) -> str:
    return f"{path}: environment variable {variable} is not set"


def files_backend_needs_no_migration(index: str, state: str) -> str:
    """`citebot db migrate` with `backend: files` and no database.url: nothing to do (exit status 0)."""
    return (
        f"backend: files keeps its state in files (the index at {index}, feedback and conversations in {state}) and "
        "needs no migration; `citebot db migrate` is for backend: postgres (database.url)."
    )


RUNTIME_NAMES = {"openvino": "OpenVINO", "onnxruntime": "onnxruntime"}


def index_built(
    files: int, passages: int, embedded: int, reused: int, removed: int, seconds: float, runtimes=()
) -> str:
    """The `citebot index` summary; `runtimes`: what embedded the texts ("openvino", "onnxruntime")."""
    used = [RUNTIME_NAMES.get(r, r) for r in dict.fromkeys(runtimes)]
    return (
        f"Indexed {plural(files, 'document')} ({plural(passages, 'passage')}) in {seconds:.1f}s: "
        f"{embedded} re-embedded, {reused} unchanged, {removed} removed"
        + (f" (embedded with {' and '.join(used)})." if used else ".")
    )


def skipped_file(source: str, reason: str) -> str:
    return f"warning: skipped {source}: {reason}"


STRICT_HELP = "fail, publishing nothing, when any file is not read (no reader for it, binary, damaged, empty)"
CHANNEL_OPTION_HELP = (
    "answer from the sources this Slack/Discord channel id sees (channels:); default: the console's"
)
UNREAD_NAMES_SHOWN = 3  # names listed per kind of unread file; the rest are counted
HIDDEN_IGNORED = "hidden files and folders, like .git, are ignored"


def _by_reason(files: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Sources grouped by reason, reasons in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for source, reason in files:
        groups.setdefault(reason, []).append(source)
    return groups


def _some_names(sources: list[str]) -> str:
    """'a.xyz, b.xyz' or 'a.xyz, b.xyz, c.xyz and 4 more'."""
    shown = ", ".join(sources[:UNREAD_NAMES_SHOWN])
    rest = len(sources) - UNREAD_NAMES_SHOWN
    return f"{shown} and {rest:,} more" if rest > 0 else shown


def unread_kind(reason: str, sources: list[str]) -> str:
    """One kind of file not read: 'no reader for .xyz: 2 files (a.xyz, b.xyz)'."""
    return f"{reason}: {plural(len(sources), 'file')} ({_some_names(sources)})"


def unread_files(
    files: list[tuple[str, str]], lead: str = "not read: ", strict_hint: bool = True
) -> list[str]:
    """The `citebot index` (and `status`) lines for files no reader takes: a count, then one line per
    reason ("no reader for .xyz") with the first few names. `files`: (source, reason) pairs."""
    hint = "; `citebot index --strict` makes this an error" if strict_hint else ""
    head = f"{lead}{plural(len(files), 'file')} with no reader, not in the index ({HIDDEN_IGNORED}{hint}):"
    return [head] + [f"  {unread_kind(reason, sources)}" for reason, sources in _by_reason(files).items()]


def strict_failure(
    unread: list[tuple[str, str]], skipped: list[tuple[str, str]], index: str, new_index: bool = False
) -> list[str]:
    """`citebot index --strict` refusing to publish: one line per kind of file not read, then the outcome
    (`new_index`: there was no index at `index` before, and none was made)."""
    lines = [unread_kind(reason, sources) for reason, sources in _by_reason(unread).items()]
    lines += [f"skipped, {unread_kind(reason, sources)}" for reason, sources in _by_reason(skipped).items()]
    total = len(unread) + len(skipped)
    outcome = f"no index was made at {index}" if new_index else f"the index at {index} is left as it was"
    lines.append(f"--strict: {plural(total, 'file')} not read, so nothing was published; {outcome}.")
    return lines


def eval_summary(passed: int, total: int) -> str:
    return f"score: {passed}/{total} passed ({passed / max(total, 1):.0%})"


# -- Slack ---------------------------------------------------------------------------------------
SLACK_VOTE_UP = "👍 Helpful"
SLACK_VOTE_DOWN = "👎 Not helpful"
SLACK_HELP_INTRO = "Mention me with a question in a channel, or send me a direct message. Commands:"
SLACK_SOURCES_HEADER = "Sources:"


def slack_show_passage(number: int) -> str:
    return f"Show passage [{number}]"


def slack_documents(count: int) -> str:
    return f"{plural(count, 'document')}:"


def slack_best_passages(query: str) -> str:
    return f"Best passages for “{query}”:"


def slack_document_summary(source: str, passages: int, date: str | None) -> str:
    text = f"{source} · {plural(passages, 'passage')}"
    return f"{text} · {date}" if date else text


def slack_omitted(count: int) -> str:
    return f"…and {count} more not shown. Narrow it down with a few words."


def held_reply_expired(reference: str, question: str) -> str:
    """To the asker, when Slack could not be reached long enough that their answer expired undelivered."""
    asked = f" to “{question}”" if question else ""
    return (
        f"Sorry, Slack was unreachable when I answered you, and the answer{asked} expired before it could be"
        f" delivered. Please ask again. (reference {reference})"
    )


def slack_fallback_post(channel: str) -> str:
    """Above an answer sent to the asker's DM because it could not be posted where they asked."""
    return f"I couldn't reply in <#{channel}>, so here is my answer:"


def slack_token_rejected(reason: str) -> str:
    return f"Slack rejected the bot token (slack.bot_token): {reason}"


def slack_unreachable(url: str, reason: str) -> str:
    return f"Cannot reach the Slack Web API at {url} (slack.api_url): {reason}"


# -- Discord adapter ---------------------------------------------------------------------------------
DISCORD_SOURCES_TITLE = "Sources"
DISCORD_SEE_ALSO_TITLE = "Places to look"
DISCORD_HELP_TITLE = "**Commands**"
DISCORD_HELP_MENTION = "You can also mention me with a question, or send me a direct message."
DISCORD_ASK_QUESTION = "What you want to know"
DISCORD_SOURCE_ID = "A passage id (like doc.txt#3) or a file name"
DISCORD_SOURCES_QUERY = "Words to search for; leave empty to list the documents"
DISCORD_VOTE_UP = "👍"
DISCORD_VOTE_DOWN = "👎"
DISCORD_LOGIN_FAILED = (
    "Discord rejected the bot token: check DISCORD_TOKEN "
    "(Developer Portal > your application > Bot > Reset Token)."
)


def discord_documents_title(count: int) -> str:
    return f"Documents ({count:,})"


def discord_matches_title(query: str) -> str:
    return f"Passages matching “{query}”"


def discord_passage_count(count: int) -> str:
    return plural(count, "passage")


def discord_more_passages(count: int) -> str:
    return f"…and {plural(count, 'more passage')}. Open one with /source ID."


def discord_more_documents(count: int) -> str:
    return f"…and {plural(count, 'more document')}."


def discord_sync_failed(guild_id: int, error: str) -> str:
    return (
        f"Could not sync slash commands to guild {guild_id} ({error}): is the bot in that guild, invited "
        "with the applications.commands scope?"
    )


# -- the postgres backend ----------------------------------------------------------------------------
DATABASE_URL_MISSING = (
    "backend is postgres, but CITEBOT_DATABASE_URL is not set "
    "(e.g. postgresql://citebot:PASSWORD@db.example.com:5432/citebot)."
)


def database_lost(reference: str) -> str:
    return (
        f"Sorry, I lost my connection to the database. Please ask again in a moment (reference {reference})."
    )


def database_unreachable(where: str, seconds: float, detail: str) -> str:
    return (
        f"Cannot reach PostgreSQL at {where} (tried for {seconds:.0f} s): {detail}. "
        "Is the server running, and are the host and port in CITEBOT_DATABASE_URL right?"
    )


def database_retrying(where: str, wait_s: float, detail: str) -> str:
    return f"PostgreSQL at {where} is not reachable ({detail}); retrying with back-off for up to {wait_s:g} s"


def database_auth_failed(user: str, where: str) -> str:
    return (
        f"PostgreSQL at {where} refused the password for user {user!r}. "
        "Check the password in CITEBOT_DATABASE_URL (it is never printed)."
    )


def database_missing(name: str, where: str) -> str:
    return f"PostgreSQL at {where} has no database {name!r}. Create it: CREATE DATABASE {name};"


def database_error(where: str, detail: str) -> str:
    return f"PostgreSQL at {where}: {detail}"


def pgvector_missing(where: str) -> str:
    return (
        f"PostgreSQL at {where} lacks the pgvector extension. Install it on the server (Debian/Ubuntu: "
        "apt install postgresql-NN-pgvector; managed clouds: enable 'vector'), then as an administrator run "
        "CREATE EXTENSION vector; in the database, and citebot db migrate."
    )


def schema_not_migrated(where: str, have: int, want: int) -> str:
    return (
        f"The database at {where} is at schema version {have}; this citebot needs {want}. "
        "Run: citebot db migrate"
    )


def schema_newer(where: str, have: int, want: int) -> str:
    return (
        f"The database at {where} is at schema version {have}, newer than this citebot knows ({want}): "
        "a newer citebot migrated it. Upgrade citebot; an older one must not write to it."
    )


def migrated(where: str, applied: list[str], version: int) -> str:
    if not applied:
        return f"Database at {where} is up to date (schema version {version})."
    return f"Database at {where} migrated to schema version {version}: " + "; ".join(applied) + "."


# -- the command table ------------------------------------------------------------------------------
COMMAND_SUMMARIES = {
    "ask": "Answer a question from the sources, with citations.",
    "source": "Show a cited passage or a whole document by its id.",
    "sources": "List the documents, or the passages best matching WORDS.",
    "help": "List the commands.",
}


# -- CLI output -------------------------------------------------------------------------------------
NO_FEEDBACK_YET = "No feedback yet."
NO_GAPS_YET = "No gaps recorded yet."


def eval_file_not_yaml(path: str, problem: str) -> str:
    """`problem`: bot.settings.yaml_problem's one line (what, line and column)."""
    return f"Question file {path} is not valid YAML: {problem}"


def eval_unknown_kind(path: str, question_id: str, kind: str, kinds: tuple[str, ...]) -> str:
    return f"{path}: question {question_id}: unknown kind {kind!r} (kinds: {', '.join(kinds)})"


def eval_no_answers(path: str, question_id: str, kind: str) -> str:
    return (
        f"{path}: question {question_id} (kind {kind}) has no 'answers:' (the words a right answer holds); "
        "if it has no answer in the documents, give it kind: unanswerable"
    )


def eval_below_minimum(score: float, minimum: float) -> str:
    return f"score {score:.0%} is below --min-score {minimum:g} ({minimum:.0%})"


MIN_SCORE_HELP = (
    "exit with status 1 when the share of questions passed is below FRACTION (0 to 1, like 0.8); "
    "without it eval exits 0 whatever the score"
)


def eval_miss(question_id: str, kind: str, question: str, misses: list[str]) -> str:
    """A question `citebot eval` scored as missed, with what was missing."""
    return "\n".join([f"MISS {question_id} ({kind}) {question}", *(f"     - {miss}" for miss in misses)])


def feedback_line(
    created_at: str, vote: str, platform: str, channel: str, user: str, question: str, answer: str
) -> str:
    mark = "👍" if vote == "up" else "👎"
    return f"{created_at} {mark} {platform}/{channel} {user}: {question}\n    answer: {answer[:160]}"


def gap_line(times: int, question: str, abstentions: int, down_votes: int) -> str:
    return f"{times:>4}x  {question}  ({abstentions} abstained, {down_votes} 👎)"


# -- delivery: attachments, edits, permissions (Discord and Slack adapters) ---------------------------
ANSWER_UPDATED = "Updated after the question was edited."


def discord_reply_forbidden(channel: str) -> str:
    """DMed to an asker whose question could not be answered where it was asked (a missing permission)."""
    return (
        f"I couldn't reply in #{channel}: I'm missing a permission there (an admin can grant View Channel, "
        "Send Messages, Send Messages in Threads, Read Message History and Embed Links). Here is my answer:"
    )


def discord_reply_not_delivered(reference: str) -> str:
    """DMed to an asker when the reply to their slash command could not be posted where they asked."""
    return (
        "I couldn't post the answer where you asked, so here it is. If it keeps happening, tell an admin "
        f"(reference {reference})."
    )


def discord_answer_expired(reference: str) -> str:
    """A reply to a question whose answer was held while Discord was unreachable, until it was too old."""
    return (
        "Sorry, I couldn't reach Discord when I answered this, and the answer expired before it could be "
        f"delivered. Please ask again. (reference {reference})"
    )


# -- questions as pasted (several questions in one message, very long ones) ---------------------------
def part_heading(question: str) -> str:
    """The line that opens one part's answer when a message asked several things."""
    return f"On “{question}”:"


def part_not_found(question: str) -> str:
    """One part of a message with several questions that the sources don't answer."""
    return f"I found nothing on: {question}"


def words_read(read: int, total: int) -> str:
    """A question too long to read whole: how much of it was searched (its question and error lines)."""
    return (
        f"Your message was long: I searched only its first {read:,} of {total:,} words "
        "(the question and the error lines). Ask the key part on its own for a better answer."
    )


# -- named sources (sources: in the config): index, index --watch, status ------------------------------
WATCH_NEEDS_SCHEDULE = (
    "index --watch re-reads sources on their refresh_minutes: give at least one source refresh_minutes "
    "in the config's sources:."
)


def watching(names: list[str]) -> str:
    """`citebot index --watch` after its first build: what it keeps fresh, and how to stop it."""
    return f"Watching {', '.join(names)} for changes (Ctrl-C stops)."


def sources_not_read(count: int) -> str:
    """After `citebot index`'s summary, when sources failed (each has printed its own line)."""
    return (
        f"{plural(count, 'source')} could not be read; the index keeps what it had of "
        f"{'it' if count == 1 else 'them'} (see `citebot status`)."
    )


def source_indexed(
    name: str, documents: int, revision: str | None, pages: int | None, failed: bool = False
) -> str:
    """After `citebot index`'s summary: what one named source gave the index (`failed`: it could not be
    read now, so this is what an earlier read left; its error follows on stderr)."""
    held = [plural(documents, "document")]
    if revision:
        held.append(f"commit {revision[:12]}")
    if pages is not None:
        held.append(plural(pages, "page") + (" kept" if failed else " fetched"))
    if failed:
        held.append("NOT read now: kept from the last read (see the error below)")
    return f"  {name}: {', '.join(held)}"


def source_status_lines(sources: list[dict]) -> list[str]:
    """`citebot status` per named source: where it is, what the index holds of it, its last refresh."""
    if not sources:
        return []
    lines = ["sources:"]
    for source in sources:
        held = [plural(source["documents"], "document")]
        if source["commit"]:
            held.append(f"commit {source['commit'][:12]}")
        if source["pages"] is not None:
            held.append(plural(source["pages"], "page"))
        lines.append(f"  {source['name']} ({source['kind']} {source['location']}): {', '.join(held)}")
        read = source["last_success"] or "never"
        lines.append(f"    last read: {read}")
        if source["last_error"]:
            lines.append(f"    last error ({source['last_error_at']}): {source['last_error']}")
    return lines
