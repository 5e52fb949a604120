"""Type stubs of qitech_sim (see the docstrings of qitech_sim/__init__.py)."""

import datetime
import decimal
from typing import Any, Dict, Iterable, Iterator, Literal, Mapping, Optional, Tuple, Union

from ._errors import InternalError as InternalError
from ._errors import InvalidRequest as InvalidRequest

__version__: str

JsonInput = Union[str, bytes, bytearray, Mapping[str, Any]]
DayUnit = Literal["calendar", "business"]

BATCH_CHUNK: int

def simulate(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
) -> Dict[str, Any]: ...
def simulate_json(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
) -> str: ...
def debt(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
) -> Dict[str, Any]: ...
def portability(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    target_change: Optional[Union[str, int, float, decimal.Decimal]] = None,
    installments_range: Optional[Union[str, Tuple[int, int]]] = None,
) -> Dict[str, Any]: ...
def batch(
    requests: Iterable[JsonInput],
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    chunk_size: int = ...,
) -> Iterator[Dict[str, Any]]: ...
def is_business_day(date: datetime.date) -> bool: ...
def following(date: datetime.date) -> datetime.date: ...
def workdays(start: datetime.date, end: datetime.date) -> int: ...
def add_business_days(date: datetime.date, n: int) -> datetime.date: ...
