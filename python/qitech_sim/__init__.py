"""qitech_sim: QI Tech's credit-simulation arithmetic, offline, cent-exact, in microseconds.

The Python face of the Rust crate ``qitech-sim``: the same request JSON in, the same response JSON
out, the same numbers as the ``qitech-sim`` command line.

>>> import qitech_sim
>>> r = qitech_sim.simulate(open("fixtures/siape/simulation_request.json").read(),
...                         open("fixtures/siape/pricing.json").read())
>>> r["data"]["issue_amount"], r["data"]["cet"]
(194.8, 0.0346)

Conventions shared by :func:`simulate`, :func:`debt`, :func:`portability` and :func:`batch`:

* ``request`` and ``config`` are a JSON ``str`` (or ``bytes``) or a ``dict``. A dict is turned into
  JSON text with :func:`json.dumps`; its floats go through Python's ``repr``, which round-trips, so
  ``0.0205`` arrives as the number ``0.0205``. A :class:`decimal.Decimal` in a dict is written as the
  number token ``str(d)`` (exact), a :class:`datetime.date` as ``"YYYY-MM-DD"``.
* ``config`` is QI's per-partner pricing (``contract_fees``, ``external_contract_fees``), the CLI's
  ``--config``; ``None`` means no fees. ``delay_unit`` and ``option_days`` (``"calendar"`` or
  ``"business"``) are the CLI's ``--delay-unit`` / ``--option-days``.
* The result is the CLI's JSON output as :func:`json.loads` parses it: same keys in the same order,
  same numbers, same types (a token with ``.`` or an exponent a ``float``, any other number an
  ``int``). The dict is built in Rust from the compact JSON the engine wrote, without
  :func:`json.loads`; the installment rows QI prints twice (``data.installments`` and the first
  disbursement option's) are two independent lists of independent dicts.
  With ``as_decimal=True`` every number, integer or not, is a :class:`decimal.Decimal` parsed from
  the printed token (``json.loads(text, parse_float=Decimal, parse_int=Decimal)``), so
  ``Decimal("194.8")`` rather than the float ``194.8``, and ``Decimal("2")`` for a count.
* ``simulate`` sets ``event_datetime`` to the UTC clock, ``YYYY-MM-DD HH:MM:SS``, as the CLI does.
* The computation runs in Rust with the GIL released: other Python threads run meanwhile.
* A request the engine rejects raises :class:`InvalidRequest` (a :class:`ValueError`) with
  ``kind``, ``field`` and ``value``; a bug in the engine raises :class:`InternalError`, never a
  crash.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import json as _json
import re as _re
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import _native
from ._errors import InternalError, InvalidRequest

__all__ = [
    "simulate",
    "simulate_json",
    "debt",
    "portability",
    "batch",
    "is_business_day",
    "following",
    "workdays",
    "add_business_days",
    "InvalidRequest",
    "InternalError",
    "JsonInput",
]

__version__ = "0.1.0"

#: A request or a configuration: JSON text, or a mapping that :func:`json.dumps` can write.
JsonInput = Union[str, bytes, bytearray, Mapping[str, Any]]

_decimal_decoder = _json.JSONDecoder(parse_float=_decimal.Decimal, parse_int=_decimal.Decimal)

# Decimals in a dict: written as a marked string by json.dumps, then unquoted into a number token.
_DEC_MARK = "\x00qitech-decimal:"
_DEC_RE = _re.compile(r'"\\u0000qitech-decimal:([^"]*)"')


def _default(o: Any) -> Any:
    if isinstance(o, _decimal.Decimal):
        if not o.is_finite():
            raise ValueError(f"{o} is not a JSON number")
        return _DEC_MARK + str(o)
    if isinstance(o, _dt.date):  # datetime too: its date part
        return _dt.date(o.year, o.month, o.day).isoformat()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _text(obj: Any, what: str) -> str:
    """JSON text for a request or a config (``str`` as is, ``bytes`` decoded, a mapping dumped)."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, (bytes, bytearray)):
        try:
            return bytes(obj).decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidRequest(f"{what}: not UTF-8: {e}", kind="invalid_json") from None
    if isinstance(obj, Mapping):
        try:
            text = _json.dumps(obj, allow_nan=False, default=_default, separators=(",", ":"))
        except (TypeError, ValueError) as e:
            raise InvalidRequest(f"{what}: cannot be written as JSON: {e}", kind="invalid_json") from None
        if _DEC_MARK[1:] in text:
            text = _DEC_RE.sub(r"\1", text)
        return text
    raise TypeError(f"{what} must be a dict or a JSON str, not {type(obj).__name__}")


def _config_text(config: Any) -> Optional[str]:
    return None if config is None else _text(config, "config")


def _call(native: Any, as_decimal: bool, *args: Any) -> Any:
    """A native call's response: the dict built in Rust (its ``as_dict`` argument, after
    ``request, config, delay_unit, option_days``), or the text parsed with Decimals by :mod:`json`.
    """
    if as_decimal:
        return _decimal_decoder.decode(native(*args[:4], False, *args[4:]))
    return native(*args[:4], True, *args[4:])


def simulate(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
) -> Dict[str, Any]:
    """QI's simulation response for a simulation (or issuance) request: ``qitech-sim simulate``.

    Returns ``{"data": {...}, "event_datetime": ..., "key": ..., "status": "finished",
    "type": "debt"}`` with ``data`` holding ``issue_amount``, ``iof_amount``,
    ``disbursed_issue_amount``, ``cet``, ``annual_cet``, ``installments`` and, per disbursement
    option, ``disbursement_options``. See the module docstring for the arguments.

    Raises:
        InvalidRequest: the request or the config is rejected (``e.field`` names the field).
    """
    return _call(
        _native.simulate, as_decimal, _text(request, "request"), _config_text(config), delay_unit,
        option_days,
    )


def simulate_json(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
) -> str:
    """:func:`simulate`'s response as compact JSON text, not parsed into a dict.

    For a caller that forwards the response (an API relaying QI's JSON) or stores it: it skips
    building the dict (for a 96-installment loan, about as long again as the computation).
    ``json.loads(simulate_json(r, c))`` equals ``simulate(r, c)`` (``event_datetime`` aside).
    """
    return _native.simulate(_text(request, "request"), _config_text(config), delay_unit, option_days)


def debt(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
) -> Dict[str, Any]:
    """The ``data`` of QI's issuance (``/debt``) response: ``qitech-sim debt``.

    ``issue_amount``, installments with their keys, ``total_iof``, ``base_iof``,
    ``additional_iof``, ``cet`` and ``annual_cet`` as QI prints them (``"4,0200%"``), ...

    Raises:
        InvalidRequest: the request or the config is rejected.
    """
    return _call(
        _native.debt, as_decimal, _text(request, "request"), _config_text(config), delay_unit,
        option_days,
    )


def portability(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    target_change: Optional[Union[str, int, float, _decimal.Decimal]] = None,
    installments_range: Optional[Union[str, Tuple[int, int]]] = None,
) -> Dict[str, Any]:
    """A *portabilidade*: the bridge loan, the payroll loan and the change per disbursement option.

    ``qitech-sim portability`` on the flat request (``outstanding_balance``,
    ``bridge_annual_interest_rate``, ``bridge_disbursement_date``, ``installment_face_value``,
    ``number_of_installments``, ``monthly_interest_rate``, ``collateral_type``, ``first_due_date``,
    ...). Returns ``{"bridge_loan": ..., "change": [...], "payroll_loan": ...}``; each ``change``
    item has ``final_disbursement_amount`` (negative, with ``shortfall_amount``, when the loan does
    not cover the balance). ``config`` applies to the payroll loan; the bridge has no fees.

    At most one of:

    * ``target_change``: an amount (``str`` such as ``"20000"``, ``Decimal``, ``int`` or
      ``float``), the CLI's ``--target-change AMOUNT``: returns ``{"installment_face_value": ...,
      "portability": {...}, "target_change": ...}``, the smallest installment face value (to the
      cent) whose change on the first disbursement option reaches the amount, and the portability
      at that face value. ``InvalidRequest`` with ``kind`` ``"no_solution"`` when none does.
    * ``installments_range``: ``(min, max)`` or the CLI's ``"MIN..MAX"`` (both inclusive, within
      1..600), ``--installments-range``: returns ``{"best": {...}, "changes": [...],
      "installment_face_value": ...}``, the change the request's installment (the margin) gives
      for each number of installments, each row ``{"final_disbursement_amount": ...,
      "number_of_installments": n}``, and the best row (the largest change, the fewest
      installments among equals).

    Both at once raise :class:`InvalidRequest` (``kind`` ``"conflict"``), as the CLI refuses
    ``--target-change`` with ``--installments-range``.

    Raises:
        InvalidRequest: the request or the config is rejected, or ``target_change`` /
            ``installments_range`` is (``field`` names which).
    """
    return _call(
        _native.portability, as_decimal, _text(request, "request"), _config_text(config),
        delay_unit, option_days, _amount_text(target_change), _range_text(installments_range),
    )


def _amount_text(v: Any) -> Optional[str]:
    """``target_change`` as the CLI's argument text (a number in plain notation)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float, _decimal.Decimal)):
        raise TypeError(f"target_change must be a str, Decimal, int or float, not {type(v).__name__}")
    if isinstance(v, int):
        return str(v)
    # A float by its repr (the shortest text that round-trips), written out in plain notation as
    # a Decimal is; "NaN" / "Infinity" are then refused by the engine, as by the CLI.
    d = _decimal.Decimal(repr(v)) if isinstance(v, float) else v
    return format(d, "f")


def _range_text(v: Any) -> Optional[str]:
    """``installments_range`` as the CLI's ``MIN..MAX``."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (tuple, list)) and len(v) == 2 and all(
        isinstance(n, int) and not isinstance(n, bool) for n in v
    ):
        return f"{v[0]}..{v[1]}"
    raise TypeError("installments_range must be a (min, max) tuple of ints or a \"MIN..MAX\" str")


#: Requests handed to the engine at once by :func:`batch` (priced on all cores, then yielded).
BATCH_CHUNK = 512


def batch(
    requests: Iterable[JsonInput],
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    chunk_size: int = BATCH_CHUNK,
) -> Iterator[Dict[str, Any]]:
    """Simulates many requests on all cores: ``qitech-sim batch`` as an iterator.

    ``requests`` is any iterable of requests (dicts or JSON strs), consumed lazily ``chunk_size``
    at a time; each chunk is priced in parallel (one thread per core, GIL released) and its results
    are yielded in input order, one per request: the :func:`simulate` response, or for a request
    that fails ``{"line": N, "error": "..."}`` with ``N`` its 1-based position, as the CLI writes
    for a failing input line. Every response of a chunk has the same ``event_datetime``.

    The config and options are checked at once: a bad config raises :class:`InvalidRequest` here,
    before any request is read.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    config_text = _config_text(config)
    _native.check_options(config_text, delay_unit, option_days)
    return _batch(iter(requests), config_text, as_decimal, delay_unit, option_days, chunk_size)


def _batch(
    requests: Iterator[Any],
    config_text: Optional[str],
    as_decimal: bool,
    delay_unit: str,
    option_days: str,
    chunk_size: int,
) -> Iterator[Dict[str, Any]]:
    line = 0
    while True:
        # Each slot: an index into the engine's results, or an error the Python side found.
        slots: List[Union[int, Dict[str, Any]]] = []
        lines: List[Tuple[int, str]] = []
        for request in requests:
            line += 1
            try:
                text = _text(request, f"line {line}")
            except (InvalidRequest, TypeError) as e:
                slots.append({"line": _decimal.Decimal(line) if as_decimal else line, "error": str(e)})
            else:
                slots.append(len(lines))
                lines.append((line, text))
            if len(slots) == chunk_size:
                break
        if not slots:
            return
        # Dicts built in Rust, or (as_decimal) JSON texts decoded one by one as they are yielded.
        results = (
            _native.batch(lines, config_text, delay_unit, option_days, as_dict=not as_decimal)
            if lines
            else []
        )
        decode = _decimal_decoder.decode if as_decimal else None
        for slot in slots:
            if isinstance(slot, int):
                yield decode(results[slot]) if decode else results[slot]
            else:
                yield slot
        if len(slots) < chunk_size:
            return


def _ymd(d: Any, name: str) -> Tuple[int, int, int]:
    if not isinstance(d, _dt.date):
        raise TypeError(f"{name} must be a datetime.date, not {type(d).__name__}")
    return (d.year, d.month, d.day)


def is_business_day(date: _dt.date) -> bool:
    """Whether ``date`` is a business day of the ANBIMA national calendar.

    Weekends and national holidays (Carnival Monday and Tuesday, Good Friday, Corpus Christi,
    Black Consciousness from 2024, ...) are not. The calendar covers 2001-01-01 to 2099-12-31;
    a date outside raises :class:`InvalidRequest` with ``kind`` ``"date_out_of_range"``.
    A :class:`datetime.datetime` counts as its date.
    """
    return _native.is_business_day(_ymd(date, "date"))


def following(date: _dt.date) -> _dt.date:
    """``date`` if it is a business day, else the next business day (how due dates roll)."""
    return _dt.date(*_native.following(_ymd(date, "date")))


def workdays(start: _dt.date, end: _dt.date) -> int:
    """The number of business days in ``(start, end]`` (negative when ``end < start``).

    The CLI's ``calendar workdays FROM TO``; ``from`` is a Python keyword, hence ``start``.
    """
    return _native.workdays(_ymd(start, "start"), _ymd(end, "end"))


def add_business_days(date: _dt.date, n: int) -> _dt.date:
    """``date`` moved by ``n`` business days (backwards for negative ``n``)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    return _dt.date(*_native.add_business_days(_ymd(date, "date"), n))
