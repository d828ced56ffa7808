"""OpenAPI 3 and Swagger 2 descriptions (.yaml, .yml, .json) into blocks; other YAML and JSON files decline.

PyYAML (already a dependency) reads both YAML and JSON, and its node tree gives every key's lines, so a
citation names the lines of the operation or parameter it quotes; JSON that YAML 1.1 rejects is read
with the json module, without lines. No OpenAPI library is used: validators (openapi-spec-validator,
prance) check a document rather than read it, and $refs are resolved here only within the file.

A file is read only when its top level has an `openapi:` or `swagger:` key; any other YAML or JSON file
(configuration, data) raises NoReaderError and is reported as not read, not indexed as noise.
Operations are headings ("GET /pets/{petId}") with their summary and description; parameters are
definitions ("limit (query, integer, optional): How many items to return"); request bodies and responses
are definitions; schemas are headings with a definition per property. Descriptions are CommonMark and
go through the Markdown reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

import yaml

from retrieval.ingest.formats import markdown
from retrieval.ingest.formats.base import LineMap, Parsed, block, decode
from retrieval.ingest.formats.errors import not_read
from retrieval.models import Block

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when PyYAML has it: ~10x faster
KeyPath = tuple  # a key path into the document: ("paths", "/pets", "get"); keys as str, indexes as int


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of an OpenAPI/Swagger document; title from info.title.

    Raises NoReaderError for YAML or JSON that is not an OpenAPI document, ValueError for a file that
    is neither YAML nor JSON.
    """
    if b"openapi" not in raw and b"swagger" not in raw:  # cheap: most data files are declined unparsed
        raise not_read(source, NOT_OPENAPI)
    text, note = decode(raw)
    lines = LineMap(text)
    document, spans = _load(text, lines)
    if not isinstance(document, dict) or not ({"openapi", "swagger"} & set(document)):
        raise not_read(source, NOT_OPENAPI)
    reader = _Reader(document, spans, lines, source)
    reader.read()
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    parsed = Parsed(reader.blocks, _string(info.get("title")))
    if note:
        parsed.notes.append(note)
    return parsed


NOT_OPENAPI = "not an OpenAPI or Swagger document"


def _load(text: str, lines: LineMap) -> tuple[object, dict[KeyPath, tuple[int, int]]]:
    """The document and the (first, last) 1-based lines of each key path; JSON that YAML cannot read
    comes without lines. Raises ValueError when the text is neither."""
    loader = _LOADER(text)  # what yaml.safe_load does, keeping the node tree for its lines
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as yaml_error:
        try:
            return json.loads(text), {}
        except ValueError:
            raise ValueError(f"neither YAML nor JSON ({yaml_error.__class__.__name__})") from None
    finally:
        loader.dispose()
    spans: dict[KeyPath, tuple[int, int]] = {}
    if node is not None:
        _record_spans(node, (), spans, lines)
    return document, spans


def _record_spans(node, path: KeyPath, spans: dict[KeyPath, tuple[int, int]], lines: LineMap) -> None:
    """Lines of every mapping key and sequence item under `node`, by key path (aliases followed)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                spans[(*path, key.value)] = (key.start_mark.line + 1, _last_line(value, lines))
                _record_spans(value, (*path, key.value), spans, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            spans[(*path, index)] = (item.start_mark.line + 1, _last_line(item, lines))
            _record_spans(item, (*path, index), spans, lines)


def _last_line(node, lines: LineMap) -> int:
    """1-based last line of a node: a block node ends where the next key starts, on a later line."""
    end = node.end_mark
    before_end = lines.line(end.line + 1)[: end.column] if end.line < len(lines.starts) else ""
    ended_before = end.line > node.start_mark.line and not before_end.strip()
    return end.line if ended_before else end.line + 1


def _string(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass
class _Reader:
    document: dict
    spans: dict[KeyPath, tuple[int, int]]
    lines: LineMap
    source: str
    blocks: list[Block] = field(default_factory=list)

    def read(self) -> None:
        info = self.document.get("info") if isinstance(self.document.get("info"), dict) else {}
        title = _string(info.get("title"))
        version = _string(str(info.get("version", "")))
        if title:
            self._add("heading", title, ("info", "title"), level=1)
        if version:
            self._add("definition", f"Version: {version}", ("info", "version"))
        self._describe(info, ("info",), level=1)
        for position, server in enumerate(self._list(self.document.get("servers"))):
            if isinstance(server, dict) and _string(server.get("url")):
                text = f"Server: {server['url']}" + _after(" - ", server.get("description"))
                self._add("definition", text, ("servers", position))
        if _string(self.document.get("host")):  # Swagger 2
            base = self.document.get("basePath") or ""
            self._add("definition", f"Server: {self.document['host']}{base}", ("host",))
        for route, item in self._dict(self.document.get("paths")).items():
            if isinstance(item, dict):
                self._path(str(route), item)
        schemas = self._dict(self._dict(self.document.get("components")).get("schemas"))
        where: KeyPath = ("components", "schemas")
        if not schemas:  # Swagger 2
            schemas, where = self._dict(self.document.get("definitions")), ("definitions",)
        if schemas:
            self._add("heading", "Schemas", where, level=2, one_line=True)
        for name, schema in schemas.items():
            self._schema(str(name), schema, (*where, str(name)))

    # -- operations ------------------------------------------------------------------------------
    def _path(self, route: str, item: dict) -> None:
        shared = self._list(item.get("parameters"))
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            path: KeyPath = ("paths", route, method)
            self._add("heading", f"{method.upper()} {route}", path, level=2, one_line=True)
            summary = _string(operation.get("summary"))
            if summary:
                self._add("paragraph", summary, (*path, "summary"))
            self._describe(operation, path, level=2)
            if _string(operation.get("operationId")):
                self._add("definition", f"operationId: {operation['operationId']}", (*path, "operationId"))
            parameters = [(("paths", route, "parameters", i), p) for i, p in enumerate(shared)]
            parameters += [((*path, "parameters", i), p) for i, p in enumerate(self._list(operation.get("parameters")))]  # fmt: skip
            for where, parameter in parameters:
                self._parameter(parameter, where)
            self._request_body(operation.get("requestBody"), (*path, "requestBody"))
            for status, response in self._dict(operation.get("responses")).items():
                self._response(str(status), response, (*path, "responses", str(status)))

    def _parameter(self, parameter, where: KeyPath) -> None:
        parameter, where = self._resolve(parameter, where)
        if not isinstance(parameter, dict) or not _string(parameter.get("name")):
            return
        schema = parameter.get("schema") if isinstance(parameter.get("schema"), dict) else parameter
        facts = [str(parameter.get("in") or "?"), self._type(schema)]
        facts.append("required" if parameter.get("required") else "optional")
        text = f"{parameter['name']} ({', '.join(f for f in facts if f)})"
        self._add("definition", text + _after(": ", parameter.get("description")), where)

    def _request_body(self, body, where: KeyPath) -> None:
        body, where = self._resolve(body, where)
        if not isinstance(body, dict):
            return
        content = self._dict(body.get("content"))
        kinds = ", ".join(f"{media} {self._type(self._dict(c).get('schema'))}".strip() for media, c in content.items())  # fmt: skip
        required = "required" if body.get("required") else "optional"
        text = f"Request body ({', '.join(x for x in (kinds, required) if x)})"
        self._add("definition", text + _after(": ", body.get("description")), where)

    def _response(self, status: str, response, where: KeyPath) -> None:
        response, where = self._resolve(response, where)
        if not isinstance(response, dict):
            return
        schemas = [self._dict(c).get("schema") for c in self._dict(response.get("content")).values()]
        schemas += [response.get("schema")] if response.get("schema") else []  # Swagger 2
        returned = ", ".join(dict.fromkeys(t for t in (self._type(s) for s in schemas) if t))
        text = f"Response {status}" + (f" ({returned})" if returned else "")
        self._add("definition", text + _after(": ", response.get("description")), where)

    # -- schemas ---------------------------------------------------------------------------------
    def _schema(self, name: str, schema, where: KeyPath) -> None:
        if not isinstance(schema, dict):
            return
        self._add("heading", name, where, level=3, one_line=True)
        self._describe(schema, where, level=3)
        if not schema.get("properties") and not schema.get("allOf") and self._type(schema):
            self._add("definition", f"Type: {self._type(schema)}", where)
        parts = [(where, schema)] + [
            ((*where, "allOf", i), part) for i, part in enumerate(self._list(schema.get("allOf")))
        ]
        for part_where, part in parts:
            part, part_where = self._resolve(part, part_where, follow=False)
            if isinstance(part, dict) and "$ref" in part:
                self._add("paragraph", f"Includes {self._type(part)}.", part_where)
                continue
            required = set(self._list(self._dict(part).get("required")))
            for prop, spec in self._dict(self._dict(part).get("properties")).items():
                self._property(str(prop), spec, prop in required, (*part_where, "properties", str(prop)))

    def _property(self, name: str, spec, required: bool, where: KeyPath) -> None:
        spec = spec if isinstance(spec, dict) else {}
        facts = [self._type(spec), "required" if required else ""]
        if isinstance(spec.get("enum"), list):
            facts.append("one of " + ", ".join(str(v) for v in spec["enum"]))
        text = f"{name} ({', '.join(f for f in facts if f)})"
        self._add("definition", text + _after(": ", spec.get("description")), where)

    def _type(self, schema) -> str:
        """A schema's type as a reader says it: "integer (int32)", "array of Pet", "Error"."""
        if not isinstance(schema, dict):
            return ""
        if isinstance(schema.get("$ref"), str):
            return schema["$ref"].rsplit("/", 1)[-1]
        kind = schema.get("type")
        kind = " or ".join(map(str, kind)) if isinstance(kind, list) else str(kind or "")
        if kind == "array":
            inner = self._type(schema.get("items"))
            return f"array of {inner}" if inner else "array"
        if not kind and isinstance(schema.get("allOf"), list):
            return " and ".join(t for t in (self._type(p) for p in schema["allOf"]) if t)
        return f"{kind} ({schema['format']})" if kind and schema.get("format") else kind

    # -- helpers ---------------------------------------------------------------------------------
    def _resolve(self, value, where: KeyPath, follow: bool = True) -> tuple[object, KeyPath]:
        """A local "$ref: '#/components/parameters/limit'" replaced by what it names, with its path."""
        if not follow or not isinstance(value, dict) or not isinstance(value.get("$ref"), str):
            return value, where
        reference = value["$ref"]
        if not reference.startswith("#/"):
            return value, where
        target: object = self.document
        path = tuple(part.replace("~1", "/").replace("~0", "~") for part in reference[2:].split("/"))
        for part in path:
            target = target.get(part) if isinstance(target, dict) else None
        return (target, path) if target is not None else (value, where)

    def _describe(self, owner: dict, where: KeyPath, level: int) -> None:
        """An object's description (CommonMark) as blocks; its headings sit below `level`."""
        description = _string(owner.get("description"))
        if not description:
            return
        span = self.spans.get((*where, "description"))
        for found in markdown.parse(description.encode("utf-8"), self.source).blocks:
            found = replace(found, level=min(found.level + level, 6)) if found.kind == "heading" else found
            made = block(found.kind, found.text, self.lines if span else None, *(span or (None, None)),
                         level=found.level, group=found.group, language=found.language)  # fmt: skip
            self.blocks.extend([made] if made else [])

    def _add(self, kind: str, text: str, where: KeyPath, one_line: bool = False, **extra) -> None:
        span = self.spans.get(where)
        first, last = span if span else (None, None)
        made = block(kind, text, self.lines if span else None, first, first if one_line else last, **extra)
        if made is not None:
            self.blocks.append(made)

    @staticmethod
    def _dict(value) -> dict:
        return value if isinstance(value, dict) else {}

    @staticmethod
    def _list(value) -> list:
        return value if isinstance(value, list) else []


def _after(separator: str, value) -> str:
    """`separator + value` for a non-empty string value (whitespace collapsed), else ""."""
    text = _string(value)
    return separator + " ".join(text.split()) if text else ""
