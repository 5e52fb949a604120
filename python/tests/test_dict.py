"""The dict built in Rust is json.loads of the same JSON: same keys in order, values, and types.

``simulate`` / ``debt`` / ``portability`` / ``batch`` (``as_decimal=False``) build their result
in Rust from the engine's compact JSON (``python/src/tree.rs``), not with :func:`json.loads`. Here
every fixture's result is compared node by node with ``json.loads`` of the text the same call
gives, ``type(a) is type(b)`` at every node; the converter alone is compared on tricky and on
random JSON; and the installment rows QI prints twice are checked to be independent objects.
"""

from __future__ import annotations

import json
import math
import random

import pytest

import qitech_sim
from qitech_sim import _native
from conftest import read
from test_roundtrip import DEBT, PORTABILITY, SIMULATE

loads_native = _native._loads_for_test


def same(a, b, path="$"):
    """``a`` and ``b`` are the same JSON tree: types identical at every node, keys in order."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__} ({a!r} vs {b!r})"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, float):
        assert repr(a) == repr(b), f"{path}: {a!r} != {b!r}"  # -0.0 and nan too
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def strip(r):
    r = dict(r)
    r.pop("event_datetime", None)
    return r


def args(request, config):
    return read(request), (read(config) if config else None)


@pytest.mark.parametrize("request_file,config", SIMULATE)
def test_simulate_dict_is_json_loads_of_its_text(request_file, config):
    req, cfg = args(request_file, config)
    got = qitech_sim.simulate(req, cfg)
    same(strip(got), strip(json.loads(qitech_sim.simulate_json(req, cfg))))


@pytest.mark.parametrize("request_file,config", DEBT)
def test_debt_dict_is_json_loads_of_its_text(request_file, config):
    req, cfg = args(request_file, config)
    same(qitech_sim.debt(req, cfg), json.loads(_native.debt(req, cfg)))


@pytest.mark.parametrize("request_file,config", PORTABILITY)
@pytest.mark.parametrize(
    "extra", [{}, {"target_change": "20000"}, {"installments_range": "90..96"}]
)
def test_portability_dict_is_json_loads_of_its_text(request_file, config, extra):
    req, cfg = args(request_file, config)
    text = _native.portability(req, cfg, **extra)
    assert isinstance(text, str)
    same(qitech_sim.portability(req, cfg, **extra), json.loads(text))


def test_options_flags_dict_is_json_loads_of_its_text():
    req = read("airforce/simulation_request_4_options.json")
    kw = dict(delay_unit="business", option_days="business")
    same(strip(qitech_sim.simulate(req, **kw)), strip(json.loads(qitech_sim.simulate_json(req, **kw))))


def test_batch_dicts_are_json_loads_of_their_text():
    req = json.loads(read("siape/simulation_request.json"))
    lines = []
    for k in range(30):
        r = json.loads(json.dumps(req))
        r["financial"]["installment_face_value"] = 100 + k
        r["financial"]["number_of_installments"] = 1 + k % 24
        lines.append((k + 1, json.dumps(r)))
    lines[7] = (8, "{oops")
    cfg = read("siape/pricing.json")
    texts = _native.batch(lines, cfg)
    dicts = _native.batch(lines, cfg, as_dict=True)
    assert len(texts) == len(dicts) == 30
    for t, d in zip(texts, dicts):
        same(strip(d), strip(json.loads(t)))
    assert dicts[7]["line"] == 8 and type(dicts[7]["line"]) is int
    via_api = list(qitech_sim.batch([t for _, t in lines], cfg))
    for d, a in zip(dicts, via_api):
        same(strip(d), strip(a))


def test_installment_rows_printed_twice_are_independent():
    """data.installments and the first option's installments: equal, but distinct lists of distinct
    dicts, so that mutating one response's row leaves the other alone."""
    req = json.loads(read("siape/simulation_request.json"))
    req["financial"]["number_of_installments"] = 96
    text = qitech_sim.simulate_json(req)
    r = qitech_sim.simulate(req)
    same(strip(r), strip(json.loads(text)))
    a = r["data"]["installments"]
    b = r["data"]["disbursement_options"][0]["installments"]
    assert len(a) == 96 and a == b
    assert a is not b
    assert all(x is not y for x, y in zip(a, b))
    assert len({id(x) for x in a} | {id(y) for y in b}) == 192
    before = json.loads(json.dumps(b))
    a[0]["total_amount"] = -1
    a[1].clear()
    a.append({"extra": True})
    assert b == before
    b[5]["due_date"] = "changed"
    assert a[5]["due_date"] != "changed"
    # Rows built from the previous row's dict (same keys) are independent too.
    assert all(x is not y for x, y in zip(b, b[1:]))
    b[10]["installment_number"] = 0
    assert b[11]["installment_number"] == 12 and b[9]["installment_number"] == 10


TRICKY = [
    '{}', '[]', '[[]]', '[{}]', '[{},{}]', '{"a":{}}', '{"a":[]}', '""', '0', '-0', '-0.0', '0.0',
    '1e-07', '1E+300', '-1e-07', '2.5e3', '1e400', '-1e400', '5e-324', '1.7976931348623157e308',
    '0.1', '0.30000000000000004', '123456789012345678', '1234567890123456789',
    '-9223372036854775808', '9223372036854775807', '9223372036854775808',
    '-9223372036854775809', '123456789012345678901234567890', '-123456789012345678901234567890',
    '9007199254740993.0', '9007199254740992.5', '0.5040756794535896', '3.1882715773',
    '12345678901234567890.5', '0.000000000000000000000000001', '1.00000000000000011102230246251565',
    'true', 'false', 'null', '[true,false,null]', 'NaN', 'Infinity', '-Infinity',
    r'"a\"b\\c\/d\b\f\n\r\t"', r'"\u00e9\u4e2d\u0000\u001f"', r'"\ud83d\ude00"',
    r'"x\ud83d\ude00y\ud834\udd1ez"', r'"\ud800"', r'"\udc00"', r'"\ud800x"', r'"\ud800\u0041"',
    r'"\uD83D\uDE00"', '"héllo wörld 中文 😀"', r'{"k\u00e9y":1,"k\"":2}',
    '{"a":1,"a":2,"b":3}', '[[1,[2,[3,[4]]]],{"x":[{"y":{"z":[]}}]}]',
    '[1,-2,3.5,-4.25,"s",true,null,[],{}]', '{"":0,"a":""}',
    ' { "a" : [ 1 , 2 ] , "b" : { } } ', '\n[\t1\r,\n2 ]\n',
]


@pytest.mark.parametrize("text", TRICKY)
def test_converter_equals_json_loads_on_tricky_text(text):
    same(loads_native(text), json.loads(text))


def test_converter_reuses_repeated_arrays_safely():
    rows = [{"n": i, "x": i / 7, "s": f"r{i}", "ok": i % 2 == 0, "z": None} for i in range(20)]
    doc = {"a": rows, "b": {"c": rows, "d": rows[:19]}, "e": [rows, rows], "f": rows}
    text = json.dumps(doc, separators=(",", ":"))
    got = loads_native(text)
    same(got, json.loads(text))
    lists = [got["a"], got["b"]["c"], got["e"][0], got["e"][1], got["f"]]
    ids = [id(r) for lst in lists for r in lst]
    assert len(set(map(id, lists))) == 5 and len(set(ids)) == len(ids)
    got["a"][3]["n"] = "changed"
    assert all(lst[3]["n"] == 3 for lst in lists[1:])


def test_converter_rows_with_changing_keys():
    """Rows whose keys differ from the row before (order, count, an escaped key, a repeated key)."""
    rows = [
        {"a": 1, "b": 2.5, "c": "x"},
        {"a": 2, "b": 3.5, "c": "y"},
        {"b": 1, "a": 2, "c": "z"},
        {"a": 1, "b": 2},
        {"a": 1, "b": 2, "c": 3, "d": 4},
        {"a": 1, "b": 2, "c": [3]},
        {"a": 1, "b": 2, "c": 3},
        {"a\u00e9": 1, "b": 2, "c": 3},
        {},
        {"a": 9, "b": 8, "c": 7},
    ]
    for ensure_ascii in (True, False):
        text = json.dumps(rows, separators=(",", ":"), ensure_ascii=ensure_ascii)
        same(loads_native(text), json.loads(text))
    dup = '[{"a":1,"a":2,"b":3},{"a":4,"a":5,"b":6},{"a":7,"b":8,"a":9}]'
    same(loads_native(dup), json.loads(dup))
    prefix = '[{"ab":1,"abc":2},{"abc":3,"ab":4},{"a":5,"abc":6}]'  # a key that prefixes another
    same(loads_native(prefix), json.loads(prefix))


def random_json(rng, depth=0):
    kind = rng.randrange(10 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([True, False, None])
    if kind == 1:
        return rng.choice([0, -1, 1, 255, 256, -257, 2**53 + 1, 2**63 - 1, -2**63, 2**63, -2**64,
                           10**30, rng.randrange(-10**20, 10**20)])
    if kind == 2:
        x = rng.choice([rng.random(), rng.uniform(-1e6, 1e6), rng.expovariate(1e-3),
                        rng.random() * 10.0 ** rng.randrange(-320, 308), 0.0, -0.0,
                        round(rng.uniform(0, 1e4), rng.randrange(0, 11))])
        return -x if rng.random() < 0.3 else x
    if kind == 3:
        alphabet = "abc xyz\"\\/\b\f\n\r\t\u0000\u001f\u00e9\u4e2d\U0001f600\U0001d11e"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
    if kind in (4, 5):
        return rng.randrange(-10**6, 10**6)
    if kind in (6, 7):
        n = rng.randrange(0, 6)
        if rng.random() < 0.5:  # an array of flat rows, maybe repeated later
            keys = [rng.choice(["a", "bb", "c\u00e9", "d\"", "eeeeeeeeeeeeeeeeee", ""]) for _ in range(3)]
            return [{k: random_json(rng, 9) for k in keys} for _ in range(n)]
        return [random_json(rng, depth + 1) for _ in range(n)]
    keys = ["k%d" % rng.randrange(8) for _ in range(rng.randrange(0, 6))]
    return {k: random_json(rng, depth + 1) for k in keys}


def test_converter_equals_json_loads_on_random_documents():
    rng = random.Random(20240611)
    for n in range(400):
        doc = random_json(rng)
        if isinstance(doc, list) and rng.random() < 0.5:
            doc = {"first": doc, "again": doc, "more": [doc]}
        for kw in ({"separators": (",", ":")}, {"ensure_ascii": False}, {"indent": 1}):
            text = json.dumps(doc, **kw)
            want = json.loads(text)
            got = loads_native(text)
            same(got, want)


def test_converter_rejects_malformed_text():
    for bad in ['', '{', '[1,', '{"a"}', '{"a":1,}', '[1 2]', '"abc', '1.', '-', '1e', 'tru',
                '{"a":1}x', '"\\x"', '"\\u12"', '[' * 10000 + ']' * 10000]:
        with pytest.raises(ValueError):
            loads_native(bad)


def test_big_numbers_and_signs_keep_their_types():
    text = '{"i":-0,"f":-0.0,"big":123456789012345678901234567890,"e":1e-07,"n":-5}'
    got = loads_native(text)
    same(got, json.loads(text))
    assert type(got["big"]) is int and got["big"] == 123456789012345678901234567890
    assert math.copysign(1.0, got["f"]) == -1.0 and type(got["i"]) is int
