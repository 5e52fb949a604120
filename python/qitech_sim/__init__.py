"""qitech_sim: QI Tech's credit-simulation arithmetic, offline, cent-exact, in microseconds.

The Python face of the Rust crate ``qitech-sim``: the same request JSON in, the same response JSON
out, the same numbers as the ``qitech-sim`` command line.

>>> import qitech_sim
>>> r = qitech_sim.simulate(open("fixtures/siape/simulation_request.json").read(),
...                         open("fixtures/siape/pricing.json").read())
>>> r["data"]["issue_amount"], r["data"]["cet"]
(194.8, 0.0346)

Conventions shared by :func:`simulate`, :func:`summarize`, :func:`debt`, :func:`portability`
and :func:`batch`:

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
  ``Decimal("194.8")`` rather than the float ``194.8``, and ``Decimal("2")`` for a count; and
  every ``*_date`` value is a :class:`datetime.date`.
* ``natural_iof`` (``"fixed"`` or ``"dated"``) and ``allow_unknown_fields`` are the CLI's
  ``--natural-iof`` and ``--allow-unknown-fields``; profiles and convention switches come with
  ``config`` (its ``"profile"`` and ``"conventions"`` keys), as with the CLI's ``--config``.
* The results are typed (``TypedDict``\ s in the stubs: :class:`SimulationResponse`, ...).
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
import os as _os
import re as _re
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import _native
from ._errors import InternalError, InvalidRequest

__all__ = [
    "simulate",
    "simulate_json",
    "debt",
    "portability",
    "present_value",
    "prepayment",
    "summarize",
    "quote_table",
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

# Decimals in a dict: written by json.dumps as a marked string, then unquoted into a number token.
# The marker carries a random nonce (a user cannot write it by accident or on purpose), and the
# marks found are counted against the Decimals written: a user string that happens to carry the
# marker would make the counts differ, and the text is then written again with a fresh nonce.
_DEC_PREFIX = "\x00qitech-decimal-"


def _marker() -> Tuple[str, "_re.Pattern[str]"]:
    nonce = _os.urandom(8).hex()
    mark = f"{_DEC_PREFIX}{nonce}:"
    return mark, _re.compile(r'"\\u0000qitech-decimal-' + nonce + r':([^"\\]*)"')


_DEC_MARK, _DEC_RE = _marker()


def _dumps(obj: Mapping[str, Any]) -> str:
    """``obj`` as compact JSON, Decimals as exact number tokens, dates as ``"YYYY-MM-DD"``."""
    global _DEC_MARK, _DEC_RE
    for _ in range(8):
        mark, pattern = _DEC_MARK, _DEC_RE
        written = 0

        def default(o: Any) -> Any:
            nonlocal written
            if isinstance(o, _decimal.Decimal):
                if not o.is_finite():
                    raise ValueError(f"{o} is not a JSON number")
                written += 1
                return mark + str(o)
            if isinstance(o, _dt.date):  # datetime too: its date part
                return _dt.date(o.year, o.month, o.day).isoformat()
            raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

        text = _json.dumps(obj, allow_nan=False, default=default, separators=(",", ":"))
        if not written and mark[1:] not in text:
            return text
        text, found = pattern.subn(r"\1", text)
        if found == written and mark[1:] not in text:
            return text
        _DEC_MARK, _DEC_RE = _marker()  # the input carries this nonce: draw another
    raise InvalidRequest("request: cannot be written as JSON (decimal marker)", kind="invalid_json")


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
            return _dumps(obj)
        except (TypeError, ValueError) as e:
            if isinstance(e, InvalidRequest):
                raise
            raise InvalidRequest(f"{what}: cannot be written as JSON: {e}", kind="invalid_json") from None
    raise TypeError(f"{what} must be a dict or a JSON str, not {type(obj).__name__}")


def _config_text(config: Any) -> Optional[str]:
    return None if config is None else _text(config, "config")


def _dates(d: Dict[str, Any]) -> Dict[str, Any]:
    """``object_hook`` of the ``as_decimal`` decoder: a ``*_date`` key's ``"YYYY-MM-DD"`` value as a
    :class:`datetime.date`."""
    for k, v in d.items():
        if k.endswith("date") and isinstance(v, str) and len(v) == 10:
            try:
                d[k] = _dt.date.fromisoformat(v)
            except ValueError:
                pass
    return d


_typed_decoder = _json.JSONDecoder(
    parse_float=_decimal.Decimal, parse_int=_decimal.Decimal, object_hook=_dates
)


def _flags(delay_unit: str, option_days: str, natural_iof: str, allow_unknown_fields: bool) -> Tuple[str, str, str, bool]:
    """The CLI's engine flags as the native module takes them."""
    return (delay_unit, option_days, natural_iof, bool(allow_unknown_fields))


def _call(native: Any, as_decimal: bool, *args: Any) -> Any:
    """A native call's response: the dict built in Rust (its ``as_dict`` argument, after
    ``request, config, flags``), or with ``as_decimal`` the text parsed by :mod:`json` with
    Decimals and dates."""
    if as_decimal:
        return _typed_decoder.decode(native(*args[:3], False, *args[3:]))
    return native(*args[:3], True, *args[3:])


def simulate(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    natural_iof: str = "fixed",
    allow_unknown_fields: bool = False,
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
        _native.simulate, as_decimal, _text(request, "request"), _config_text(config),
        _flags(delay_unit, option_days, natural_iof, allow_unknown_fields),
    )


def simulate_json(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    natural_iof: str = "fixed",
    allow_unknown_fields: bool = False,
) -> str:
    """:func:`simulate`'s response as compact JSON text, not parsed into a dict.

    For a caller that forwards the response (an API relaying QI's JSON) or stores it: it skips
    building the dict (for a 96-installment loan, about as long again as the computation).
    ``json.loads(simulate_json(r, c))`` equals ``simulate(r, c)`` (``event_datetime`` aside).
    """
    return _native.simulate(_text(request, "request"), _config_text(config),
        _flags(delay_unit, option_days, natural_iof, allow_unknown_fields),
    )


def debt(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    natural_iof: str = "fixed",
    allow_unknown_fields: bool = False,
) -> Dict[str, Any]:
    """The ``data`` of QI's issuance (``/debt``) response: ``qitech-sim debt``.

    ``issue_amount``, installments with their keys, ``total_iof``, ``base_iof``,
    ``additional_iof``, ``cet`` and ``annual_cet`` as QI prints them (``"4,0200%"``), ...

    Raises:
        InvalidRequest: the request or the config is rejected.
    """
    return _call(
        _native.debt, as_decimal, _text(request, "request"), _config_text(config),
        _flags(delay_unit, option_days, natural_iof, allow_unknown_fields),
    )


def portability(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    natural_iof: str = "fixed",
    allow_unknown_fields: bool = False,
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
        _flags(delay_unit, option_days, natural_iof, allow_unknown_fields),
        _amount_text(target_change), _range_text(installments_range),
    )


def _amount_text(v: Any, name: str = "target_change") -> Optional[str]:
    """An amount (``target_change``, ``amount``) as the CLI's argument text (a number in plain
    notation)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float, _decimal.Decimal)):
        raise TypeError(f"{name} must be a str, Decimal, int or float, not {type(v).__name__}")
    if isinstance(v, int):
        return str(v)
    # A float by its repr (the shortest text that round-trips), written out in plain notation as
    # a Decimal is; "NaN" / "Infinity" are then refused by the engine, as by the CLI.
    d = _decimal.Decimal(repr(v)) if isinstance(v, float) else v
    return format(d, "f")


def _date_text(v: Any) -> str:
    """A date as the CLI's ``--date`` text: a :class:`datetime.date` or ``"YYYY-MM-DD"``."""
    if isinstance(v, str):
        return v
    if isinstance(v, _dt.date):
        return _dt.date(v.year, v.month, v.day).isoformat()
    raise TypeError(f"date must be a datetime.date or a 'YYYY-MM-DD' str, not {type(v).__name__}")


def _present_value(
    contract: JsonInput,
    date: Any,
    config: Optional[JsonInput],
    prepay: Optional[str],
    keep: Optional[str],
    *,
    paid: Optional[int] = None,
    calculate_delay: bool = False,
    calculate_spread: bool = False,
    as_dict: bool = True,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    natural_iof: str = "fixed",
    allow_unknown_fields: bool = False,
) -> Any:
    """The one native call of :func:`present_value` and :func:`prepayment` (their keyword
    arguments are these)."""
    if paid is not None and (isinstance(paid, bool) or not isinstance(paid, int)):
        raise TypeError(f"paid must be an int, not {type(paid).__name__}")
    args = (
        _text(contract, "contract"), _config_text(config),
        _flags(delay_unit, option_days, natural_iof, allow_unknown_fields),
    )
    rest = (_date_text(date), paid, bool(calculate_delay), bool(calculate_spread), prepay, keep)
    if not as_dict:
        return _native.present_value(*args, False, *rest)
    return _call(_native.present_value, as_decimal, *args, *rest)


def present_value(
    contract: JsonInput, date: Union[_dt.date, str], config: Optional[JsonInput] = None, **options: Any
) -> Any:
    """The present value of a contract on ``date``: ``qitech-sim present-value FILE --date D``.

    ``contract`` is an issuance body (its schedule is rebuilt under ``config``) or an issued
    schedule (a ``debt`` response); ``date`` a :class:`datetime.date` or ``"YYYY-MM-DD"``. Returns
    QI's inquiry shape ``{"data": {"balance_due": ..., "installments": [{"installment_number",
    "due_date", "total_amount", "present_amount", "installment_status", ...}], "reference_date":
    ...}}``.

    Keyword arguments: ``paid`` (the first N installments paid; default those due before the
    date), ``calculate_delay`` and ``calculate_spread`` are the CLI's ``--paid``,
    ``--calculate-delay`` and ``--calculate-spread`` (the spread is refused: QI documents no
    arithmetic for it); ``as_dict=False`` returns the CLI's ``--compact`` JSON text;
    ``as_decimal``, ``delay_unit``, ``option_days``, ``natural_iof`` and ``allow_unknown_fields``
    are :func:`simulate`'s.

    Raises:
        InvalidRequest: the contract, the date or the config is rejected (``e.field`` names it).
    """
    return _present_value(contract, date, config, None, None, **options)


def prepayment(
    contract: JsonInput,
    date: Union[_dt.date, str],
    amount: Union[str, int, float, _decimal.Decimal],
    keep: str = "term",
    config: Optional[JsonInput] = None,
    **options: Any,
) -> Any:
    """A partial prepayment of ``amount`` on ``date``: ``qitech-sim present-value FILE --date D
    --prepay AMOUNT --keep term|installment``.

    ``keep="term"`` keeps the remaining due dates (smaller installments), ``"installment"`` the
    installment (fewer of them). Returns ``{"data": {"balance_before", "prepaid_amount",
    "balance_after", "installments": [...], "reference_date"}}``; the keyword arguments are
    :func:`present_value`'s.

    Raises:
        InvalidRequest: as :func:`present_value`; an amount out of range (``field`` ``amount``)
            or an unknown ``keep`` (``field`` ``keep``).
    """
    return _present_value(contract, date, config, _amount_text(amount, "amount"), keep, **options)


def _range_text(v: Any) -> Optional[str]:
    """``installments_range`` as the CLI's ``MIN..MAX``."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (tuple, list)) and len(v) == 2 and all(
        isinstance(n, int) and not isinstance(n, bool) for n in v
    ):
        return f"{v[0]}..{v[1]}"
    raise TypeError("installments_range must be a (min, max) tuple of ints or a \"MIN..MAX\" str")


def summarize(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    natural_iof: str = "fixed",
    allow_unknown_fields: bool = False,
) -> Dict[str, Any]:
    """The ``qitech-sim batch --summary`` line of one request.

    ``{"key": ..., "options": [...], "requester_key": ...}``, each option with
    ``disbursement_date``, ``issue_amount``, ``iof_amount``, ``contract_fee_amount``,
    ``disbursed_issue_amount``, ``final_disbursement_amount``, ``shortfall_amount``,
    ``first_installment_total``, ``cet`` and ``annual_cet``.

    Raises:
        InvalidRequest: the request or the config is rejected.
    """
    return _call(
        _native.summary, as_decimal, _text(request, "request"), _config_text(config),
        _flags(delay_unit, option_days, natural_iof, allow_unknown_fields),
    )


#: Requests handed to the engine at once by :func:`batch` (priced on all cores, then yielded).
BATCH_CHUNK = 512


def batch(
    requests: Iterable[JsonInput],
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    natural_iof: str = "fixed",
    allow_unknown_fields: bool = False,
    summary: bool = False,
    chunk_size: int = BATCH_CHUNK,
) -> Iterator[Dict[str, Any]]:
    """Simulates many requests on all cores: ``qitech-sim batch`` as an iterator.

    ``requests`` is any iterable of requests (dicts or JSON strs), consumed lazily ``chunk_size``
    at a time; each chunk is priced in parallel (all cores, GIL released) and its results are
    yielded in input order, one per request: the :func:`simulate` response (with ``summary=True``
    the :func:`summarize` line, the CLI's ``batch --summary``), or for a request that fails an
    error as a value, the CLI's error line: ``{"error": message, "field": ... or None, "kind":
    ..., "line": N}`` with ``N`` its 1-based position. Errors never raise mid-stream. Every
    response of a chunk has the same ``event_datetime``.

    If iterating ``requests`` raises (a generator failing at item k), every item consumed before
    it is still priced and yielded, then the exception is raised again. Ctrl-C interrupts a chunk
    within milliseconds (the engine checks for signals between slices of a few requests a core).

    The config and options are checked at once: a bad config raises :class:`InvalidRequest` here,
    before any request is read.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    config_text = _config_text(config)
    flags = _flags(delay_unit, option_days, natural_iof, allow_unknown_fields)
    _native.check_options(config_text, flags)
    return _batch(iter(requests), config_text, flags, as_decimal, summary, chunk_size)


def _error_value(line: int, e: BaseException, as_decimal: bool) -> Dict[str, Any]:
    """The error line of a request the Python side could not send (not JSON-writable, a wrong
    type)."""
    kind = e.kind if isinstance(e, InvalidRequest) else "wrong_type"
    return {
        "error": f"line {line}: {e}" if isinstance(e, TypeError) else str(e),
        "field": None,
        "kind": kind,
        "line": _decimal.Decimal(line) if as_decimal else line,
    }


def _batch(
    requests: Iterator[Any],
    config_text: Optional[str],
    flags: Tuple[str, str, str, bool],
    as_decimal: bool,
    summary: bool,
    chunk_size: int,
) -> Iterator[Dict[str, Any]]:
    line = 0
    while True:
        # Each slot: an index into the engine's results, or an error the Python side found.
        slots: List[Union[int, Dict[str, Any]]] = []
        lines: List[Tuple[int, str]] = []
        failure: Optional[BaseException] = None
        try:
            for request in requests:
                line += 1
                try:
                    text = _text(request, f"line {line}")
                except (InvalidRequest, TypeError) as e:
                    slots.append(_error_value(line, e, as_decimal))
                else:
                    slots.append(len(lines))
                    lines.append((line, text))
                if len(slots) == chunk_size:
                    break
        except BaseException as e:  # the input failed: answer what was read, then raise it
            failure = e
        if slots:
            # Dicts built in Rust, or (as_decimal) JSON texts decoded one by one as they are yielded.
            results = (
                _native.batch(lines, config_text, flags, as_dict=not as_decimal, summary=summary)
                if lines
                else []
            )
            decode = _typed_decoder.decode if as_decimal else None
            for slot in slots:
                if isinstance(slot, int):
                    yield decode(results[slot]) if decode else results[slot]
                else:
                    yield slot
        if failure is not None:
            raise failure
        if len(slots) < chunk_size:
            return


def quote_table(
    table: Any,
    config: Optional[JsonInput] = None,
    *,
    delay_unit: str = "calendar",
    option_days: str = "calendar",
    natural_iof: str = "fixed",
    allow_unknown_fields: bool = False,
    installments: bool = False,
) -> Any:
    """Prices a table of requests: ``qitech-sim batch --summary`` as a pyarrow ``Table``.

    ``table`` is any Arrow-compatible table: a pyarrow ``Table`` / ``RecordBatch`` /
    ``RecordBatchReader``, a polars ``DataFrame``, a pandas ``DataFrame`` (through pyarrow, its
    index dropped), or anything with ``__arrow_c_stream__``. Its rows are either

    * a ``request`` column: the JSON text of a simulation body, one per row; or
    * flat columns named as QI's ``financial`` fields (``installment_face_value`` |
      ``disbursed_amount`` | ``amount``, ``number_of_installments``, ``monthly_interest_rate`` |
      ``annual_interest_rate``, ``disbursement_date`` (date or ``"YYYY-MM-DD"`` text),
      ``first_due_date``, ``limit_days_to_disburse``, ``interest_type``, ``interest_base``,
      ``credit_operation_type``, ...) plus ``person_type``, ``collateral_type``, ``due_balance``
      (one refinanced operation) and ``requester_key``. Each row becomes the body the ``request``
      column would carry; a null cell (or a float NaN) leaves its field out. A column with any
      other name raises ``ValueError`` naming it, unless ``allow_unknown_fields=True``.

    The result has one row per disbursement option: ``row`` (the input row, from 0), ``option``
    (from 0, the first is the requested date), ``disbursement_date`` (date32), ``issue_amount``,
    ``iof_amount``, ``contract_fee_amount``, ``disbursed_issue_amount``,
    ``final_disbursement_amount``, ``shortfall_amount``, ``first_installment_total`` (all
    ``decimal128(38, 2)``: exact cents), ``cet`` (``decimal128(38, 6)``), ``annual_cet``
    (``float64``, the double the CLI prints), and ``error_kind``, ``error_field``, ``error``:
    a row the engine refuses is one output row with those set and the figures null; it never
    stops or drops the others.

    With ``installments=True`` the result is instead the long table, one row per installment of
    each disbursement option: ``row``, ``option``, ``installment_number``, ``due_date``,
    ``business_due_date``, ``calendar_days``, ``workdays``, ``total_amount``,
    ``principal_amortization_amount``, ``pre_fixed_amount``, ``tax_amount``, ``due_principal``
    (``float64``: the doubles the CLI prints, as the unrounded interest and tax carry up to 28
    decimals) and the same error columns (one row per refused request).

    The pricing runs in Rust on all cores with the GIL released; Ctrl-C interrupts it within a
    fraction of a second. Options as for :func:`simulate`.
    """
    if _is_pandas(table):
        import pyarrow  # pandas has no Arrow export of its own before 2.2; go through pyarrow

        table = pyarrow.Table.from_pandas(table, preserve_index=False)
    native = _native.installments_table if installments else _native.quote_table
    return native(
        table, _config_text(config),
        _flags(delay_unit, option_days, natural_iof, allow_unknown_fields),
    )


def _is_pandas(obj: Any) -> bool:
    return type(obj).__module__.startswith("pandas.") and type(obj).__name__ == "DataFrame"


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
