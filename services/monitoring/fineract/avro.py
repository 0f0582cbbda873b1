"""Fineract's Avro schemas, read from a directory at start-up, and the single-object
decoding both levels of a Fineract message use: `C3 01`, the writer schema's CRC-64-AVRO
fingerprint (8 bytes, little-endian), then the Avro binary body.

A fingerprint is taken over the schema's Parsing Canonical Form with every named type it
uses written out where it first occurs (as Fineract's build generates them) and the
`bigdecimal` placeholder replaced by decimal(20,8) bytes."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastavro import schemaless_reader
from fastavro.schema import parse_schema, to_parsing_canonical_form

MAGIC = b"\xc3\x01"
HEADER_BYTES = 10
MESSAGE_V1 = "org.apache.fineract.avro.MessageV1"
BULK_PAYLOAD_V1 = "org.apache.fineract.avro.BulkMessagePayloadV1"
BULK_EVENT_TYPE = "BulkBusinessEvent"
# Fineract's resources/avro-templates/bigdecimal.avsc; used when the template file is absent.
DEFAULT_BIGDECIMAL = {"type": "bytes", "logicalType": "decimal", "precision": 20, "scale": 8}
PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED = frozenset({"record", "enum", "fixed"})


class AvroDecodeError(Exception):
    """A value that cannot be decoded; `reason` is a stable code for the DLQ header."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# CRC-64-AVRO (Rabin), as the Avro specification defines it.
EMPTY64 = 0xC15D213AA4D7A795


def _table() -> list[int]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY64 & -(fp & 1))
        table.append(fp)
    return table


_FP_TABLE = _table()


def rabin_fingerprint(data: bytes) -> int:
    fp = EMPTY64
    for byte in data:
        fp = (fp >> 8) ^ _FP_TABLE[(fp ^ byte) & 0xFF]
    return fp


def fingerprint_bytes(fp: int) -> bytes:
    return fp.to_bytes(8, "little")


@dataclass(frozen=True)
class Schema:
    name: str
    canonical_form: str
    fingerprint: int
    parsed: Any


class SchemaStore:
    """Every `.avsc` under one directory, by full name and by fingerprint."""

    def __init__(self, definitions: dict[str, dict], bigdecimal: dict) -> None:
        self._definitions = definitions
        self._bigdecimal = bigdecimal
        self.by_name: dict[str, Schema] = {}
        self.by_fingerprint: dict[int, Schema] = {}
        for name in sorted(definitions):
            schema = self._build(name)
            self.by_name[name] = schema
            self.by_fingerprint[schema.fingerprint] = schema

    @classmethod
    def from_directory(cls, directory: str | Path) -> "SchemaStore":
        root = Path(directory)
        if not root.is_dir():
            raise FileNotFoundError(f"Fineract schema directory {root} does not exist")
        definitions: dict[str, dict] = {}
        for path in sorted(root.rglob("*.avsc")):
            _collect(json.loads(path.read_text(encoding="utf-8")), None, definitions)
        if MESSAGE_V1 not in definitions:
            raise FileNotFoundError(f"{root} holds no {MESSAGE_V1} schema")
        template = root.parent / "resources" / "avro-templates" / "bigdecimal.avsc"
        bigdecimal = (json.loads(template.read_text(encoding="utf-8")) if template.is_file()
                      else DEFAULT_BIGDECIMAL)
        return cls(definitions, bigdecimal)

    def _build(self, name: str) -> Schema:
        expanded = self._expand(name, None, set())
        canonical = to_parsing_canonical_form(expanded)
        return Schema(name=name, canonical_form=canonical,
                      fingerprint=rabin_fingerprint(canonical.encode("utf-8")),
                      parsed=parse_schema(expanded))

    def _expand(self, node: Any, namespace: str | None, seen: set[str]) -> Any:
        if isinstance(node, list):
            return [self._expand(item, namespace, seen) for item in node]
        if isinstance(node, str):
            if node in PRIMITIVES:
                return node
            if node == "bigdecimal":
                return dict(self._bigdecimal)
            full = _qualify(node, namespace)
            if full in seen:
                return full
            if full not in self._definitions:
                raise ValueError(f"schema references unknown type {full}")
            return self._expand(self._definitions[full], namespace, seen)
        kind = node.get("type")
        if kind in NAMED:
            full = _qualify(node["name"], node.get("namespace", namespace))
            if full in seen:
                return full
            seen.add(full)
            inner = full.rpartition(".")[0] or None
            out = {key: value for key, value in node.items() if key not in ("name", "namespace")}
            out["name"] = full
            if kind == "record":
                out["fields"] = [{**field, "type": self._expand(field["type"], inner, seen)}
                                 for field in node["fields"]]
            return out
        if kind == "array":
            return {**node, "items": self._expand(node["items"], namespace, seen)}
        if kind == "map":
            return {**node, "values": self._expand(node["values"], namespace, seen)}
        if "logicalType" in node:
            return node
        return self._expand(kind, namespace, seen)

    def get(self, name: str) -> Schema:
        try:
            return self.by_name[name]
        except KeyError:
            raise AvroDecodeError("unknown_schema", f"no schema named {name}") from None

    def decode(self, value: bytes | None, *, expect: str | None = None) -> tuple[Schema, dict]:
        """Decode one single-object encoded value; `expect` names the schema it must have."""
        if not value:
            raise AvroDecodeError("empty_value", "record has no value")
        if len(value) < HEADER_BYTES or value[:2] != MAGIC:
            raise AvroDecodeError("not_single_object",
                                  "value does not start with the Avro single-object marker C3 01")
        fp = int.from_bytes(value[2:HEADER_BYTES], "little")
        schema = self.by_fingerprint.get(fp)
        if schema is None:
            raise AvroDecodeError("unknown_schema",
                                  f"no schema with fingerprint {fp:016x} in the schema directory")
        if expect is not None and schema.name != expect:
            raise AvroDecodeError("schema_mismatch",
                                  f"written with {schema.name}, expected {expect}")
        body = io.BytesIO(value[HEADER_BYTES:])
        try:
            record = schemaless_reader(body, schema.parsed, None)
        except Exception as exc:  # noqa: BLE001 - any reader failure means a corrupt body
            raise AvroDecodeError("invalid_avro",
                                  f"{schema.name} body does not decode: {type(exc).__name__}") from None
        if body.tell() != len(value) - HEADER_BYTES:
            raise AvroDecodeError("invalid_avro", f"{schema.name} body has trailing bytes")
        return schema, record


def _qualify(name: str, namespace: str | None) -> str:
    return name if "." in name or not namespace else f"{namespace}.{name}"


def _collect(node: Any, namespace: str | None, into: dict[str, dict]) -> None:
    """Index every named type, including ones defined inline inside another schema."""
    if isinstance(node, list):
        for item in node:
            _collect(item, namespace, into)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in NAMED:
        full = _qualify(node["name"], node.get("namespace", namespace))
        into[full] = {**node, "name": full, "namespace": full.rpartition(".")[0]}
        for field in node.get("fields", ()):
            _collect(field["type"], full.rpartition(".")[0], into)
    elif kind == "array":
        _collect(node["items"], namespace, into)
    elif kind == "map":
        _collect(node["values"], namespace, into)
    elif isinstance(kind, (dict, list)):
        _collect(kind, namespace, into)


@dataclass(frozen=True)
class Item:
    """One business event: the message itself, or one entry of a bulk message."""

    id: int
    type: str
    category: str
    dataschema: str
    data: bytes


def decode_message(store: SchemaStore, value: bytes | None) -> tuple[dict, list[Item]]:
    """Decode a `MessageV1` and unwrap a bulk message into its items."""
    _, message = store.decode(value, expect=MESSAGE_V1)
    if message["type"] != BULK_EVENT_TYPE:
        return message, [Item(id=message["id"], type=message["type"],
                              category=message["category"], dataschema=message["dataschema"],
                              data=message["data"])]
    if message["dataschema"] != BULK_PAYLOAD_V1:
        raise AvroDecodeError("schema_mismatch",
                              f"bulk message names {message['dataschema']}, expected {BULK_PAYLOAD_V1}")
    _, payload = store.decode(message["data"], expect=BULK_PAYLOAD_V1)
    return message, [Item(id=d["id"], type=d["type"], category=d["category"],
                          dataschema=d["dataschema"], data=d["data"]) for d in payload["datas"]]


def loan_id_from_key(key: bytes | None) -> int | None:
    """Fineract keys loan events by the loan id as an 8-byte big-endian long."""
    if key is None or len(key) != 8:
        return None
    return int.from_bytes(key, "big", signed=True)
