import pytest

from symxai.errors import SpecError
from symxai.specs.yamlload import loads

from tests.conftest import PROBLEMS


def messages(text):
    with pytest.raises(SpecError) as info:
        loads(text, "t.yaml")
    return [(p.location.line, p.location.column, p.message) for p in info.value.problems]


def test_values_keep_their_locations():
    doc = loads("a:\n  b: hello\n  c: [1, 2]\n", "t.yaml")
    assert doc["a"]["b"] == "hello"
    assert doc["a"]["b"].loc.line == 2 and doc["a"]["b"].loc.column == 6
    assert doc["a"].loc_of("c").line == 3


def test_duplicate_keys_are_reported_with_both_lines():
    assert messages("a: 1\nb: 2\na: 3\n") == [(3, 1, "duplicate key 'a' (first given at line 1)")]


def test_yaml_11_booleans_are_refused_not_guessed():
    assert messages("a: yes\n") == [(1, 4, "'yes' is ambiguous: write true or false, or quote it")]


def test_aliases_and_anchors_are_refused():
    found = messages("a: &x [1]\nb: *x\n")
    assert found and "anchors" in found[0][2]


def test_tags_are_refused():
    found = messages("a: !!python/object:os.system ls\n")
    assert found and "tag" in found[0][2]


def test_floats_stay_text_for_exact_parsing():
    doc = loads("p: 0.9975\n")
    assert doc["p"] == "0.9975"


def test_syntax_error_has_a_location():
    found = messages("a: [1, 2\nb: 3\n")
    assert found[0][0] >= 1 and found[0][2].startswith("invalid YAML")


def test_empty_file():
    assert messages("") == [(0, 0, "the file is empty")]


def _tree(value):
    """A loaded document with every location, for comparing loaders."""
    if isinstance(value, dict):
        return ("map", value.loc, [(k, value.key_loc(k), value.loc_of(k), _tree(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", value.loc, [(value.loc_of(i), _tree(v)) for i, v in enumerate(value)])
    return (type(value).__name__, value, getattr(value, "loc", None))


@pytest.mark.parametrize("path", sorted(PROBLEMS.glob("*.yaml")), ids=lambda p: p.name)
def test_c_and_python_loaders_build_the_same_documents(path, monkeypatch):
    import symxai.specs.yamlload as yl

    if yl.CParser is None:
        pytest.skip("PyYAML without libyaml")
    text = path.read_text()
    fast = _tree(yl.loads(text, path.name))
    monkeypatch.setattr(yl, "LOADER", yl._StrictLoader)
    assert _tree(yl.loads(text, path.name)) == fast


@pytest.mark.parametrize("text", ["a: &x 1\nb: *x\n", "a: &x [1]\n", "a: [1, 2\n", "a: 1\n---\nb: 2\n",
                                  "a: !!python/object 1\n", "a: yes\n", "a: 1\na: 2\n", "a: 'q'\nb: 1.5\n"])
def test_c_and_python_loaders_refuse_alike(text, monkeypatch):
    import symxai.specs.yamlload as yl

    if yl.CParser is None:
        pytest.skip("PyYAML without libyaml")

    def outcome():
        try:
            return "ok", _tree(yl.loads(text, "t.yaml"))
        except SpecError as exc:
            return "error", [(p.location.line, p.location.column, p.message.split(":")[0]) for p in exc.problems]
    fast = outcome()
    monkeypatch.setattr(yl, "LOADER", yl._StrictLoader)
    slow = outcome()
    assert fast[0] == slow[0]
    if fast[0] == "error":  # same place; libyaml words syntax errors a little differently
        assert [p[:2] for p in fast[1]] == [p[:2] for p in slow[1]]
        assert all("not allowed" in b[2] or "ambiguous" in b[2] or "duplicate" in b[2] or "tag" in b[2]
                   or b[2].startswith("invalid YAML") for b in fast[1])
    else:
        assert fast == slow
