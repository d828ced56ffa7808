"""YAML config -> validated, frozen settings. Unknown keys are rejected by their path; secrets come
only from ${ENV} references, resolved at load and checked when the adapter that needs them starts."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot import messages

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "default.yaml"
CONFIG_ENV = "CITEBOT_CONFIG"
_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class ConfigError(Exception):
    """Bad config; the message names the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetrievalSettings(_Section):
    chunk_size: int = Field(120, ge=20, le=400, description="Most words in a passage (the model reads ~190).")
    chunk_overlap: int = Field(
        1, ge=0, le=5, description="Sentences repeated at the start of the next passage."
    )
    index_type: Literal["auto", "flat", "hnsw", "hnsw-sq8", "ivf-sq8"] = Field(
        "auto", description="auto: exact (flat) up to exact_limit passages, approximate above."
    )
    exact_limit: int = Field(
        50_000, ge=0, description="Most passages searched exactly when index_type is auto."
    )
    sentence_vectors: bool = Field(
        True, description="Embed every sentence at index time: faster answers, slower builds."
    )
    top_k: int = Field(8, ge=1, le=100, description="Passages retrieved per question.")
    candidates: int = Field(50, ge=5, le=1000, description="Candidates from each retriever before fusion.")
    fusion: Literal["rrf", "blend"] = Field("rrf", description="How dense and keyword rankings combine.")
    rrf_k: int = Field(60, ge=1, le=1000, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(0.5, ge=0, le=1, description="Weight of the dense score in 'blend' fusion.")


class AnswerSettings(_Section):
    min_confidence: float | None = Field(
        None,
        ge=0,
        le=1,
        strict=True,
        description="Abstain when the probability that the answer is right is below this; null: the fitted model's threshold.",
    )
    max_sentences: int = Field(
        3, ge=1, le=5, description="Units (sentences, list items, table rows, code) quoted in an answer."
    )
    max_chars: int = Field(420, ge=80, le=2000, description="Longest answer text.")
    passages_considered: int = Field(
        8, ge=1, le=20, description="Top passages searched for answer sentences."
    )
    max_question_chars: int = Field(
        8000,
        ge=10,
        le=100000,
        description="Longer messages are refused with a message (room for a pasted traceback; search reads its question and error lines).",
    )


class FeedbackSettings(_Section):
    path: str = Field(".citebot/feedback.sqlite3", description="SQLite file for votes and abstentions.")


class DatabaseSettings(_Section):
    url: str | None = Field(
        "${CITEBOT_DATABASE_URL}", description="PostgreSQL URL for backend postgres (from the environment)."
    )
    wait_seconds: float = Field(
        60, ge=0, le=3600, description="How long to retry a database that is down or unreachable at start."
    )
    pool_size: int = Field(
        8,
        ge=1,
        le=200,
        description="Most connections in each of a process's two pools (the index's and the bot state's).",
    )

    def pool_params(self):
        """The one pool policy (a retrieval.PoolParams) both the library's pool and the bot state's follow."""
        from retrieval import PoolParams

        return PoolParams(max_size=self.pool_size)


class ConversationSettings(_Section):
    max_turns: int = Field(
        6, ge=1, le=50, description="Earlier turns of a thread kept as context for follow-ups."
    )
    expiry_minutes: float = Field(
        60,
        gt=0,
        le=60 * 24 * 30,
        description="A thread's turns are forgotten this long after they were asked.",
    )


class ConsoleSettings(_Section):
    color: Literal["auto", "always", "never"] = Field("auto", description="Colour output.")
    history: str = Field("~/.citebot_history", description="Line-editing history file ('' for none).")


class SlackSettings(_Section):
    mode: Literal["socket", "http"] = Field("socket", description="socket: no public URL; http: Events API.")
    bot_token: str | None = Field("${SLACK_BOT_TOKEN}", description="xoxb- token.")
    app_token: str | None = Field("${SLACK_APP_TOKEN}", description="xapp- token (socket mode).")
    signing_secret: str | None = Field("${SLACK_SIGNING_SECRET}", description="Signing secret (http mode).")
    host: str = Field("0.0.0.0", description="HTTP mode listen address.")
    port: int = Field(3000, ge=1, le=65535, description="HTTP mode port.")
    api_url: str = Field(
        "https://slack.com/api/", description="Slack Web API base URL (a proxy, or a test server)."
    )
    ask_visibility: Literal["channel", "private"] = Field("channel", description="Who sees /ask answers.")
    allowed_channels: tuple[str, ...] = Field((), description="Channel ids to answer in; empty means all.")
    held_replies_max: int = Field(
        500, ge=1, description="Replies kept while the Slack API is down (the oldest dropped beyond)."
    )
    held_replies_expiry_minutes: float = Field(
        60, gt=0, description="A held reply not delivered by then is dropped and its asker told."
    )


class DiscordSettings(_Section):
    token: str | None = Field("${DISCORD_TOKEN}", description="Bot token.")
    guild_ids: tuple[int, ...] = Field(
        (), description="Sync slash commands to these guilds (instant); empty: global."
    )
    allowed_channels: tuple[int, ...] = Field((), description="Channel ids to answer in; empty means all.")


class HealthSettings(_Section):
    host: str = Field("127.0.0.1", description="Listen address of the /healthz and /metrics port.")
    port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="Serve /healthz and /metrics on this port (Socket Mode, Discord); HTTP mode serves them on slack.port.",
    )


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    format: Literal["text", "json"] = Field(
        "text", description="text, or json: one JSON object a line for log shippers."
    )


SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
SOURCE_KINDS = ("path", "git", "sitemap", "url")  # where a source's documents come from: exactly one a source


class SourceSettings(_Section):
    """One place documents come from (an entry of `sources:`): a local folder (`path`), a git repository
    (`git`: a URL or local path, `branch`), or a website (`sitemap`, or a start `url` whose same-site links
    are followed). Its documents' keys in the index are "<name>/<path inside the source>"."""

    name: str = Field(description="Short id: lower-case letters, digits, - and _ (a channel names it).")
    path: str | None = Field(None, description="A local folder (relative to the working directory).")
    git: str | None = Field(
        None, description="A git repository: URL or local path; cloned into the state folder."
    )
    branch: str | None = Field(None, description="git: the branch to check out (default: the remote's HEAD).")
    sitemap: str | None = Field(None, description="A website's sitemap.xml URL: its pages are fetched.")
    url: str | None = Field(None, description="A website's start page: same-site links are followed.")
    include: tuple[str, ...] = Field((), description="Globs of paths (or URL paths) to read; empty: all.")
    exclude: tuple[str, ...] = Field((), description="Globs of paths (or URL paths) never read.")
    link: str | None = Field(
        None,
        description="Citation link template: {path} {stem} {commit} {start} {end} {anchor} {page} {url}.",
    )
    refresh_minutes: float | None = Field(
        None,
        gt=0,
        description="Re-read the source this often while the bot runs; null: only on `citebot index`.",
    )
    private: bool = Field(False, description="Answer from it only in channels that name it.")
    max_pages: int = Field(500, ge=1, le=100_000, description="Websites: most pages fetched.")
    max_page_bytes: int = Field(
        5_000_000, ge=1_000, description="Websites: larger pages are not read (reported)."
    )
    crawl_delay_seconds: float = Field(
        0.5,
        ge=0,
        le=60,
        description="Websites: pause between requests (robots.txt Crawl-delay wins when longer).",
    )

    @property
    def kind(self) -> str:
        """ "path", "git", "sitemap" or "url": which location the source names."""
        return next(kind for kind in SOURCE_KINDS if getattr(self, kind))

    @model_validator(mode="after")
    def _one_location(self) -> SourceSettings:
        if not SOURCE_NAME.match(self.name):
            raise ValueError(
                f"source name {self.name!r}: use lower-case letters, digits, - and _ (at most 40)"
            )
        given = [kind for kind in SOURCE_KINDS if getattr(self, kind)]
        if len(given) != 1:
            raise ValueError(
                f"source {self.name!r}: give exactly one of path, git, sitemap, url (got {', '.join(given) or 'none'})"
            )
        if self.branch and self.kind != "git":
            raise ValueError(f"source {self.name!r}: branch is for git sources")
        if self.link:
            from retrieval import check_link_template

            try:
                check_link_template(self.link)
            except ValueError as error:
                raise ValueError(f"source {self.name!r}: link: {error}") from None
        return self


CHANNEL_DEFAULT = "default"  # channels: the sources of any channel not listed
CHANNEL_DM = "dm"  # channels: the sources of direct messages
CHANNEL_CONSOLE = "console"  # channels: the sources the console and the CLI answer from


class Settings(_Section):
    corpus: str = Field(
        "seeds",
        description="Folder of documents (relative to the working directory); shorthand for one folder source.",
    )
    sources: tuple[SourceSettings, ...] = Field(
        (), description="Where documents come from: folders, git repositories, websites (replaces corpus)."
    )
    channels: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Channel id (or default, dm, console) -> the source names it answers from; empty: every source not private.",
    )
    index: str = Field(".index", description="Folder for the built index.")
    model: str = Field("all-MiniLM-L6-v2", description="sentence-transformers model name or path.")
    device: str | None = Field(
        None, description="cpu or cuda (onnx: needs onnxruntime-gpu); empty picks automatically."
    )
    encoder: Literal["onnx", "onnx-int8", "torch"] = Field(
        "onnx",
        description="Runs the model: onnx (onnxruntime, no torch when serving), onnx-int8 (quantized), torch.",
    )
    index_runtime: Literal["auto", "openvino", "onnxruntime"] = Field(
        "auto",
        description="Embeds documents for encoder onnx on the CPU: auto/openvino (OpenVINO, embeds ~13% faster) or onnxruntime.",
    )
    backend: Literal["files", "postgres"] = Field(
        "files",
        description="Where the index and state live: files (index folder, SQLite) or postgres (database.url).",
    )
    composer: Literal["extractive"] = Field(
        "extractive", description="Writes answers: extractive (every word quoted from a cited passage)."
    )
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    database: DatabaseSettings = DatabaseSettings()
    conversation: ConversationSettings = ConversationSettings()
    console: ConsoleSettings = ConsoleSettings()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    health: HealthSettings = HealthSettings()
    logging: LoggingSettings = LoggingSettings()
    # Filled by load_settings: secret path -> environment variable that was not set.
    missing_env: dict[str, str] = Field(default_factory=dict, exclude=True)
    # Filled by load_settings: the --config file it was given (None: the default or $CITEBOT_CONFIG).
    config_file: str | None = Field(None, exclude=True)

    @field_validator("channels", mode="before")
    @classmethod
    def _channel_ids_as_text(cls, value: Any) -> Any:
        """Discord channel ids read from YAML are numbers: keep them as text, like Slack's."""
        if isinstance(value, dict):
            return {
                str(channel): [names] if isinstance(names, str) else names for channel, names in value.items()
            }
        return value

    @model_validator(mode="after")
    def _sources_agree(self) -> Settings:
        names = [source.name for source in self.sources]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"sources: the name {twice[0]!r} is used twice")
        if self.sources and "corpus" in self.model_fields_set:
            raise ValueError("give either corpus (one folder) or sources, not both")
        if self.channels and not self.sources:
            raise ValueError(
                "channels: name sources, so list them under sources (corpus is one unnamed folder)"
            )
        for channel, scoped in self.channels.items():
            unknown = [name for name in scoped if name not in names]
            if unknown:
                raise ValueError(
                    f"channels.{channel}: no source named {unknown[0]!r} (sources: {', '.join(names)})"
                )
        return self

    def source_scope(self, channel: str | None, direct: bool = False) -> frozenset[str] | None:
        """The source names a channel may answer from, by `channels:`: the channel's own entry, else `dm`
        for a direct message, else `default`, else every source not private. None when there are no named
        sources (the `corpus` shorthand): everything. `channel` None means the console and the CLI (the
        `console` entry, then the same fallbacks)."""
        if not self.sources:
            return None
        keys = [channel if channel is not None else CHANNEL_CONSOLE]
        if direct:
            keys.append(CHANNEL_DM)
        keys.append(CHANNEL_DEFAULT)
        for key in keys:
            if key in self.channels:
                return frozenset(self.channels[key])
        return frozenset(source.name for source in self.sources if not source.private)

    def require(self, *paths: str) -> None:
        """Fail fast when a secret an adapter needs is not set: one ConfigError naming every one missing
        (with its variable), not only the first."""
        missing = []
        for path in paths:
            if self.lookup(path) in (None, ""):
                variable = self.missing_env.get(path)
                missing.append(messages.missing_env(path, variable) if variable else f"{path}: not set")
        if missing:
            raise ConfigError("; ".join(missing))

    def engine_config(self):
        """The retrieval.EngineConfig these settings describe (retrieval's own defaults live there)."""
        from retrieval import ChunkingParams, ComposerParams, EngineConfig, SearchParams

        r, a = self.retrieval, self.answer
        postgres = self.backend == "postgres"
        corpus = None if self.sources else self.corpus  # with sources, `citebot index` reads them
        found = Path(self.corpus).is_dir()  # else the rebuild hint asks for the user's folder
        return EngineConfig(
            index=(self.database.url or "") if postgres else self.index,
            corpus=self.corpus,
            backend=self.backend,
            encoder=self.encoder,
            index_runtime=self.index_runtime,
            composer=self.composer,
            model=self.model,
            device=self.device,
            top_k=r.top_k,
            search=SearchParams(r.candidates, r.fusion, r.rrf_k, r.dense_weight),
            answer=ComposerParams(
                passages_considered=a.passages_considered,
                max_sentences=a.max_sentences,
                max_chars=a.max_chars,
                min_confidence=a.min_confidence,
            ),
            chunking=ChunkingParams(r.chunk_size, r.chunk_overlap),
            index_type=r.index_type,
            exact_limit=r.exact_limit,
            sentence_vectors=r.sentence_vectors,
            pool=self.database.pool_params(),
            rebuild_hint=messages.postgres_rebuild_hint(corpus, self.config_file, found)
            if postgres
            else messages.rebuild_hint(corpus, self.index, self.config_file, found),
        )

    def lookup(self, path: str) -> Any:
        value: Any = self
        for part in path.split("."):
            value = getattr(value, part)
        return value


def load_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Read a YAML file (the --config flag, else $CITEBOT_CONFIG, else config/default.yaml)."""
    named = path  # a --config flag: hints that print a command repeat it
    path = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    try:
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"Config file {path} does not exist.") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"Config file {path} is not valid YAML: {yaml_problem(error)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"Config file {path} must hold a mapping of keys, not {type(raw).__name__}.")
    for key, value in (overrides or {}).items():
        if value is not None:
            raw[key] = value
    missing: dict[str, str] = {}
    resolved = _resolve_env(raw, "", missing)
    try:
        settings = Settings.model_validate(resolved)
    except ValidationError as error:
        raise ConfigError(_describe(error, path)) from None
    loaded = _with_env_defaults(settings, missing)
    if named is not None and Path(named).resolve() != DEFAULT_CONFIG:
        object.__setattr__(loaded, "config_file", str(named))
    return loaded


def yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's error in one line: what, and where (line and column, 1-based)."""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem


def _secret_paths() -> list[str]:
    return ["slack.bot_token", "slack.app_token", "slack.signing_secret", "discord.token", "database.url"]


def _with_env_defaults(settings: Settings, missing: dict[str, str]) -> Settings:
    """Secret defaults are ${VAR} references too: resolve them from the environment."""
    updates: dict[str, dict[str, Any]] = {}
    for path in _secret_paths():
        section, key = path.split(".")
        value = settings.lookup(path)
        if isinstance(value, str) and (match := _ENV_REF.match(value)):
            resolved = os.environ.get(match.group(1)) or None
            if resolved is None:
                missing[path] = match.group(1)
            updates.setdefault(section, {})[key] = resolved
    changed = {s: getattr(settings, s).model_copy(update=u) for s, u in updates.items()}
    result = settings.model_copy(update=changed)
    object.__setattr__(result, "missing_env", dict(missing))
    return result


def _resolve_env(value: Any, path: str, missing: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _resolve_env(v, f"{path}.{k}" if path else str(k), missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_env(v, path, missing) for v in value]
    if isinstance(value, str) and (match := _ENV_REF.match(value)):
        resolved = os.environ.get(match.group(1))
        if not resolved:
            missing[path] = match.group(1)
        return resolved or None
    return value


def _describe(error: ValidationError, path: Path) -> str:
    lines = []
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"])
        if problem["type"] == "extra_forbidden":
            message = f"unknown key{_suggestion(problem['loc'])}"
        elif problem["type"] == "value_error":  # our own validators' text, without pydantic's prefix
            message = str(problem.get("ctx", {}).get("error") or problem["msg"].removeprefix("Value error, "))
        elif problem["type"] in ("tuple_type", "list_type"):
            message = "should be a list (e.g. [a, b])"
        else:
            message = problem["msg"]
        lines.append(f"{key}: {message}" if key else message)
    return f"Invalid config {path}: " + "; ".join(lines)


def _suggestion(location: tuple) -> str:
    model: type[BaseModel] = Settings
    for part in location[:-1]:
        if isinstance(part, int):  # an item of a list of sections (sources.0.inlcude)
            continue
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if field and get_origin(annotation) is tuple:  # sources: a tuple of sections
            annotation = get_args(annotation)[0]
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ""
        model = annotation
    close = difflib.get_close_matches(str(location[-1]), list(model.model_fields), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def documented_keys() -> dict[str, str]:
    """Every setting path with its description: feeds the config reference and its test."""
    keys: dict[str, str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            if name in ("missing_env", "config_file"):
                continue
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}{name}.")
            else:
                keys[f"{prefix}{name}"] = field.description or ""

    walk(Settings, "")
    return keys
