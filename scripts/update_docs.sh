#!/usr/bin/env bash
# Regenerate the files derived from code: the JSON Schema and the method tables of docs/spec.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
$PY -m symxai schema -o symxai/specs/spec.schema.json
$PY - <<'PY'
from pathlib import Path
from symxai.specs.schema_json import params_markdown
doc = Path("docs/spec.md")
head, rest = doc.read_text().split("<!-- generated: method parameters -->\n", 1)
tail = rest.split("<!-- end generated -->", 1)[1]
doc.write_text(head + "<!-- generated: method parameters -->\n" + params_markdown() + "<!-- end generated -->" + tail)
PY
