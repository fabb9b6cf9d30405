"""lint.reports.json_text.dumps_indent1 writes exactly json.dumps(obj, ensure_ascii=False, indent=1)."""
import enum
import json
import random

import pytest

from lint.reports.json_text import dumps_indent1


class Colour(str, enum.Enum):
    RED = "red"


class Text(str):
    pass


class Count(int):
    pass


def _stdlib(obj):
    return json.dumps(obj, ensure_ascii=False, indent=1)


def _text(rnd):
    return "".join(rnd.choice(['a', '"', '\\', '\n', '\x00', '\x1f', '\x7f', 'é', '日', '\u2028', ' ', '{', '[', ','])
                   for _ in range(rnd.randint(0, 6)))


def _scalar(rnd):
    return rnd.choice([None, True, False, 0, -1, 10**30, 1.5, 1e16, 1e-7, -0.0, float("nan"), float("inf"),
                       -float("inf"), 0.1 + 0.2, _text(rnd), _text(rnd), Colour.RED, Text("x"), Count(3)])


def _value(rnd, depth=0):
    r = rnd.random()
    if depth > 4 or r < 0.3:
        return _scalar(rnd)
    if r < 0.55:
        return [_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    if r < 0.6:
        return tuple(_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3)))
    keys = [_text(rnd) for _ in range(rnd.randint(0, 4))]
    if rnd.random() < 0.1:
        keys.append(rnd.choice([1, 2.5, True, None]))
    return {k: _value(rnd, depth + 1) for k in keys}


def test_same_text_as_json_dumps_on_random_values():
    rnd = random.Random(13)
    for _ in range(5000):
        obj = _value(rnd)
        assert dumps_indent1(obj) == _stdlib(obj)


def test_the_utf8_writer_gives_the_same_bytes():
    from lint.reports.json_text import dumps_indent1_utf8
    rnd = random.Random(14)
    for _ in range(2000):
        obj = _value(rnd)
        assert dumps_indent1_utf8(obj, end="\n") == (_stdlib(obj) + "\n").encode("utf-8")
    emoji = {"findings": [{"title": "LIVE 🔥 promo", "n": 1}, {"title": "plain"}]}
    assert dumps_indent1_utf8(emoji) == _stdlib(emoji).encode("utf-8")


@pytest.mark.parametrize("obj", [{}, [], "", 0, None, {"a": {}}, {"a": []}, [[], {}], {"a": {"b": [1, {"c": None}]}},
                                 {"findings": [{"rule": "X", "accounts": ["1"], "evidence": {"n": 1.0}}]}])
def test_same_text_on_edges(obj):
    assert dumps_indent1(obj) == _stdlib(obj)


@pytest.mark.parametrize("items", [
    [{"a": 1}], [{"a": "}"}, {"b": "{"}], [{"a": "},\n {"}, {"a": "x}", "b": "{y"}, {"c": None}],
    [{"a": 1}, {}], [{"a": 1}, {"b": []}], [{"a": 1}, {1: 2}], [{"a": 1.5, "b": float("nan")}, {"z": True}],
    [{"}": "{", "\n": "\t"}, {'"': "\\"}]])
def test_lists_of_flat_objects(items):
    for obj in (items, {"k": items}, [[items]], {"a": {"b": items}}):
        assert dumps_indent1(obj) == _stdlib(obj)


def test_refused_values_fail_as_json_does():
    with pytest.raises(TypeError):
        dumps_indent1({"a": [object()]})
    with pytest.raises(TypeError):
        _stdlib({"a": [object()]})
