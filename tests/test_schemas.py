"""The JSON Schemas in schemas/ are what the models say; editors and other checkers rely on them."""

from __future__ import annotations

import json

from conftest import REPO

from lianneng.model.fields import visibility_of
from lianneng.model.kinds import KINDS
from lianneng.schemas import rendered_schemas, stale_schemas


def test_committed_schemas_are_current() -> None:
    assert stale_schemas(REPO / "schemas") == [], "run `make schemas` and commit the result"


def test_every_kind_has_a_schema_for_one_record_or_a_list() -> None:
    schemas = rendered_schemas()
    for kind, model in KINDS.items():
        document = json.loads(schemas[f"{kind}.schema.json"])
        assert document["oneOf"][1]["type"] == "array"
        assert model.__name__ in document["$defs"]


def test_every_field_declares_its_visibility() -> None:
    for model in KINDS.values():
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra
            assert isinstance(extra, dict) and "x-visibility" in extra, f"{model.KIND}.{name}"
            visibility_of(info)


def test_schema_check_command_reports_staleness(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert run("schema", "--out", str(tmp_path)).code == 0
    assert run("schema", "--check", "--out", str(tmp_path)).code == 0
    (tmp_path / "risk.schema.json").write_text("{}\n", encoding="utf-8")
    result = run("schema", "--check", "--out", str(tmp_path))
    assert result.code == 1 and "risk.schema.json" in result.out
