"""The committed AsyncAPI document and JSON Schemas are generated from the code."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import yaml

from shared.events import asyncapi
from shared.events.registry import all_specs
from shared.events.topics import ALL_TOPICS, dlq

ROOT = Path(__file__).resolve().parents[2]


def _committed_asyncapi() -> dict[str, Any]:
    return yaml.safe_load((ROOT / asyncapi.ASYNCAPI_PATH).read_text(encoding="utf-8"))


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from ([value] if key == "$ref" else _refs(value))
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_committed_contract_docs_match_the_code() -> None:
    differences = asyncapi.diff(ROOT)
    assert not differences, (
        "event contract docs are out of date:\n  " + "\n  ".join(differences)
        + f"\nregenerate with `{asyncapi.REGENERATE}` and commit the result")


def test_rendering_is_deterministic() -> None:
    assert asyncapi.render() == asyncapi.render()


def test_asyncapi_has_every_topic_and_its_dead_letter_topic() -> None:
    addresses = {channel["address"] for channel in _committed_asyncapi()["channels"].values()}
    assert set(ALL_TOPICS) | {dlq(topic) for topic in ALL_TOPICS} <= addresses


def test_asyncapi_has_every_registered_event_type_on_its_topic() -> None:
    document = _committed_asyncapi()
    for spec in all_specs():
        assert spec.type in document["components"]["messages"]
        assert spec.type in document["channels"][spec.topic]["messages"]


def test_every_reference_in_the_asyncapi_document_resolves() -> None:
    document = _committed_asyncapi()
    for ref in set(_refs(document)):
        assert ref.startswith("#/") and _resolve(document, ref) is not None, ref


def test_each_schema_file_is_identified_by_its_event_type() -> None:
    files = asyncapi.render()
    for spec in all_specs():
        schema = json.loads(files[f"{asyncapi.SCHEMA_DIR}/{spec.type}.json"])
        assert (schema["title"], schema["x-topic"]) == (spec.type, spec.topic)
        assert schema["$id"].endswith(spec.type)
