import pytest

from symxai.errors import SpecError
from symxai.yamlload import loads


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
