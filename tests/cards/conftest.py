"""Shared by the card tests: the sample cards, and a validator for the vendored AC 1.3 schema."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft6Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "adaptive-card-1.3.schema.json"


def load_validator() -> Draft6Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    # Its refs are all "#/definitions/...": registered under its own id, they resolve here,
    # and nothing is ever fetched.
    resource = Resource.from_contents(schema, default_specification=DRAFT6)
    registry = Registry().with_resource(schema["id"], resource)
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema, registry=registry)


@pytest.fixture(scope="session")
def validator() -> Draft6Validator:
    return load_validator()
