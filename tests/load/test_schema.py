import json

import jsonschema
import pytest

from symxai.solve.pipeline import spec_files
from symxai.specs.schema_json import spec_schema
from symxai.specs.yamlload import loads

from tests.conftest import PROBLEMS, ROOT


def test_shipped_json_schema_is_current():
    shipped = json.loads((ROOT / "symxai" / "specs" / "spec.schema.json").read_text())
    assert shipped == spec_schema(), "run: symxai schema -o symxai/specs/spec.schema.json"


@pytest.mark.parametrize("path", spec_files([PROBLEMS]), ids=lambda p: p.name)
def test_every_problem_file_validates_against_the_json_schema(path):
    data = json.loads(json.dumps(loads(path.read_text(), str(path))))
    jsonschema.validate(data, spec_schema())


def test_json_schema_rejects_unknown_keys():
    doc = {"id": "s", "title": "t", "exercises": [{"id": "e", "title": "t", "statement": "s",
                                                   "method": "shapley", "colour": "red"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, spec_schema())


def test_docs_list_every_method_parameter():
    from symxai.specs.schema_json import params_markdown
    text = (ROOT / "docs" / "spec.md").read_text()
    generated = text.split("<!-- generated: method parameters -->\n", 1)[1].split("<!-- end generated -->")[0]
    assert generated == params_markdown(), "regenerate the method tables in docs/spec.md"
