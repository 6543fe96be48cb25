"""Declarative parameter schemas: one description parses requests and documents them.

Each field type turns a decoded value (strings from forms, typed values from JSON) into a
Python value or raises an ``ApiError`` that names the parameter in bracket form, and can
describe itself as an OpenAPI schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connect_support.api.errors import invalid_request, missing_parameter, unknown_parameter

MAX_STRING = 5000


def child(param: str, key: str | int) -> str:
    return f"{param}[{key}]" if param else str(key)


class Field:
    description: str = ""

    def parse(self, value: Any, param: str) -> Any:
        raise NotImplementedError

    def openapi(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass
class String(Field):
    max_length: int = MAX_STRING
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    description: str = ""
    allow_empty: bool = True
    lower: bool = False
    upper: bool = False

    def parse(self, value: Any, param: str) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise invalid_request(f"Invalid string: {param} must be a string.", param=param)
        text = str(value)
        if "\x00" in text:
            raise invalid_request(f"Invalid string: {param} contains a NUL character.", param=param)
        if len(text) > self.max_length:
            raise invalid_request(f"Invalid string: {param} must be at most {self.max_length} characters.", param=param)
        if self.lower:
            text = text.lower()
        if self.upper:
            text = text.upper()
        if not text and not self.allow_empty:
            raise invalid_request(f"Invalid string: {param} must not be empty.", param=param)
        if self.choices and text not in self.choices and not (text == "" and self.allow_empty):
            raise invalid_request(
                f"Invalid {param}: must be one of {', '.join(self.choices)}.", param=param, code="parameter_invalid"
            )
        if self.pattern and text and not re.fullmatch(self.pattern, text):
            raise invalid_request(f"Invalid {param}: {text[:80]!r} is not in the expected format.", param=param)
        return text

    def openapi(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.choices:
            schema["enum"] = list(self.choices) + ([""] if self.allow_empty else [])
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass
class Integer(Field):
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""

    def parse(self, value: Any, param: str) -> int:
        if isinstance(value, bool):
            raise invalid_request(f"Invalid integer: {param} must be an integer.", param=param)
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
            number = int(value.strip())
        else:
            raise invalid_request(f"Invalid integer: {str(value)[:40]!r} for {param}.", param=param)
        if self.minimum is not None and number < self.minimum:
            raise invalid_request(f"Invalid {param}: must be at least {self.minimum}.", param=param)
        if self.maximum is not None and number > self.maximum:
            raise invalid_request(f"Invalid {param}: must be at most {self.maximum}.", param=param)
        return number

    def openapi(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


@dataclass
class Boolean(Field):
    description: str = ""

    def parse(self, value: Any, param: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false"}:
            return value.lower() == "true"
        raise invalid_request(f"Invalid boolean: {str(value)[:40]!r} for {param}; use true or false.", param=param)

    def openapi(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass
class Hash(Field):
    """A nested object with known keys; unknown keys are refused like the Stripe API does."""

    fields: Mapping[str, Field]
    required: tuple[str, ...] = ()
    description: str = ""

    def parse(self, value: Any, param: str) -> dict[str, Any]:
        if value == "" and param:
            return {}
        if not isinstance(value, dict):
            raise invalid_request(f"Invalid object: {param} must be a hash.", param=param)
        parsed: dict[str, Any] = {}
        for key, item in value.items():
            spec = self.fields.get(key)
            if spec is None:
                raise unknown_parameter(child(param, key))
            parsed[key] = spec.parse(item, child(param, key))
        for key in self.required:
            if key not in parsed:
                raise missing_parameter(child(param, key))
        return parsed

    def openapi(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {key: spec.openapi() for key, spec in self.fields.items()},
            "additionalProperties": False,
        }
        if self.required:
            schema["required"] = list(self.required)
        return schema


@dataclass
class Metadata(Field):
    """Up to 50 string keys and values; an empty value unsets the key."""

    def parse(self, value: Any, param: str) -> dict[str, str]:
        if value == "":
            return {}
        if not isinstance(value, dict):
            raise invalid_request(f"Invalid object: {param} must be a hash.", param=param)
        if len(value) > 50:
            raise invalid_request(f"Invalid {param}: at most 50 keys.", param=param)
        parsed: dict[str, str] = {}
        for key, item in value.items():
            if len(key) > 40:
                raise invalid_request(f"Invalid {param}: keys are at most 40 characters.", param=child(param, key[:40]))
            parsed[key] = String(max_length=500).parse(item, child(param, key))
        return parsed

    def openapi(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": {"type": "string", "maxLength": 500}, "maxProperties": 50}


@dataclass
class MapOf(Field):
    """A hash whose keys come from a fixed list and whose values share one schema."""

    keys: tuple[str, ...]
    value: Field
    key_label: str = "key"

    def parse(self, value: Any, param: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise invalid_request(f"Invalid object: {param} must be a hash.", param=param)
        parsed: dict[str, Any] = {}
        for key, item in value.items():
            if key not in self.keys:
                raise unknown_parameter(child(param, key))
            parsed[key] = self.value.parse(item, child(param, key))
        return parsed

    def openapi(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {key: self.value.openapi() for key in self.keys},
            "additionalProperties": False,
        }


@dataclass
class OneOf(Field):
    """A string (such as a token) or a hash (the details themselves)."""

    text: String
    hash: Hash

    def parse(self, value: Any, param: str) -> Any:
        if isinstance(value, dict):
            return self.hash.parse(value, param)
        return self.text.parse(value, param)

    def openapi(self) -> dict[str, Any]:
        return {"anyOf": [self.text.openapi(), self.hash.openapi()]}


@dataclass
class Params:
    """The top-level parameters of one operation."""

    fields: dict[str, Field] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    # Parameters every request may carry and handlers ignore (the SDKs send ``expand``).
    ignored: tuple[str, ...] = ("expand",)

    def parse(self, values: Mapping[str, Any]) -> dict[str, Any]:
        parsed: dict[str, Any] = {}
        for key, item in values.items():
            if key in self.ignored:
                continue
            spec = self.fields.get(key)
            if spec is None:
                raise unknown_parameter(key)
            parsed[key] = spec.parse(item, key)
        for key in self.required:
            if key not in parsed:
                raise missing_parameter(key)
        return parsed

    def openapi(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {key: spec.openapi() for key, spec in self.fields.items()},
        }
        if self.required:
            schema["required"] = list(self.required)
        return schema
