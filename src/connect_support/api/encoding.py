"""Request bodies: form encoding with bracket nesting (``a[b][0]=x``) or JSON.

The result is nested dicts and lists of strings (form) or JSON values. Indexed keys
(``a[0]``, ``a[1]``) and ``a[]`` become lists; everything else becomes dicts. Conflicting
shapes (``a=1&a[b]=2``) are refused with the parameter named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from connect_support.api.errors import ApiError, invalid_request

MAX_DEPTH = 8
MAX_PARAMS = 1000
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def _parts(key: str) -> list[str]:
    match = _KEY.match(key)
    if not match:
        raise invalid_request(f"Invalid parameter name: {key[:100]}", param=key[:100])
    head, rest = match.groups()
    parts = [head, *re.findall(r"\[([^\[\]]*)\]", rest)]
    if len(parts) > MAX_DEPTH:
        raise invalid_request(f"Parameter nested too deeply: {key[:100]}", param=key[:100])
    return parts


def _insert(root: dict[str, Any], key: str, value: str) -> None:
    parts = _parts(key)
    node: Any = root
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        name = "".join([parts[0], *(f"[{p}]" for p in parts[1 : depth + 1])])
        if isinstance(node, list):
            if part == "":
                index = len(node)
            elif part.isdigit() and len(part) < 5:
                index = int(part)
            else:
                raise invalid_request(f"Invalid array index in {key[:100]}", param=name)
            while len(node) <= index:
                node.append(None)
            if last:
                node[index] = value
            else:
                if node[index] is None:
                    node[index] = [] if parts[depth + 1] in {""} or parts[depth + 1].isdigit() else {}
                node = node[index]
            continue
        if last:
            if isinstance(node.get(part), (dict, list)):
                raise invalid_request(f"Parameter {name} was given both as a value and as a hash.", param=name)
            node[part] = value
            return
        child = node.get(part)
        wants_list = parts[depth + 1] == "" or parts[depth + 1].isdigit()
        if child is None:
            child = [] if wants_list else {}
            node[part] = child
        elif isinstance(child, str):
            raise invalid_request(f"Parameter {name} was given both as a value and as a hash.", param=name)
        elif isinstance(child, list) and not wants_list:
            raise invalid_request(f"Parameter {name} was given both as an array and as a hash.", param=name)
        elif isinstance(child, dict) and wants_list:
            # a[0]=x on an existing hash: treat numeric keys as hash keys (Stripe does).
            pass
        node = child


def _compact(value: Any) -> Any:
    if isinstance(value, list):
        return [_compact(item) for item in value if item is not None]
    if isinstance(value, dict):
        return {key: _compact(item) for key, item in value.items()}
    return value


def decode_form(raw: str) -> dict[str, Any]:
    return decode_pairs(parse_qsl(raw, keep_blank_values=True, max_num_fields=MAX_PARAMS, errors="strict"))


def decode_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nest already-split ``(name, value)`` pairs (from a query string or a multipart form)."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        _insert(root, key, value)
    compacted: dict[str, Any] = _compact(root)
    return compacted


def decode_body(body: bytes, content_type: str) -> dict[str, Any]:
    """Decode a request body by its content type; raise ``ApiError`` when it cannot be."""
    if not body.strip():
        return {}
    media_type = content_type.split(";", maxsplit=1)[0].strip().lower()
    if media_type == "application/json":
        try:
            value = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise invalid_request(f"Invalid JSON body: {exc}", code="parameter_invalid") from exc
        if not isinstance(value, dict):
            raise invalid_request("A JSON body must be an object.")
        return value
    if media_type in {"application/x-www-form-urlencoded", ""}:
        try:
            text = body.decode("utf-8")
            return decode_form(text)
        except UnicodeDecodeError as exc:
            raise invalid_request("The body is not valid UTF-8.") from exc
        except ValueError as exc:  # too many fields
            raise invalid_request(f"Invalid form body: {exc}") from exc
    raise ApiError(
        415,
        "invalid_request_error",
        f"Unsupported content type {media_type!r}: send application/x-www-form-urlencoded or application/json.",
        code="unsupported_media_type",
    )
