"""JSON Schemas of the record kinds and of `lianneng.yaml`, for editors and other checkers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lianneng.grading.policy import Policy
from lianneng.model.config import Config
from lianneng.model.kinds import KINDS
from lianneng.write import write_atomic

BASE_URI = "https://lianneng.invalid/schemas/"


def schema_file(kind: str) -> str:
    return f"{kind}.schema.json"


def rendered_schemas() -> dict[str, str]:
    """File name → JSON text. A kind's file holds one record or a list of them."""
    out: dict[str, str] = {}
    for kind, model in KINDS.items():
        record = model.model_json_schema()
        defs = record.pop("$defs", {})
        defs[model.__name__] = record
        ref = {"$ref": f"#/$defs/{model.__name__}"}
        document: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": BASE_URI + schema_file(kind),
            "title": f"{model.LABEL_ZH} ({model.LABEL_EN})",
            "description": f"一个文件可写一条{model.LABEL_ZH}记录,或由多条记录组成的列表。",
            "oneOf": [ref, {"type": "array", "items": ref}],
            "$defs": defs,
        }
        out[schema_file(kind)] = _dump(document)
    policy = Policy.model_json_schema()
    policy.update(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": BASE_URI + "policy.schema.json",
            "title": "评级办法 (grading policy)",
        }
    )
    out["policy.schema.json"] = _dump(policy)
    config = Config.model_json_schema()
    config.update(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": BASE_URI + "config.schema.json",
            "title": "lianneng.yaml",
        }
    )
    out["config.schema.json"] = _dump(config)
    return out


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered_schemas().items():
        path = out / name
        if write_atomic(path, text):
            written.append(path)
    return written


def stale_schemas(out: Path) -> list[str]:
    expected = rendered_schemas()
    stale = [
        name
        for name, text in expected.items()
        if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text
    ]
    stale += sorted(p.name for p in out.glob("*.schema.json") if p.name not in expected)
    return sorted(stale)
