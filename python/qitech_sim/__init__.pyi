"""Type stubs of qitech_sim (see the docstrings of qitech_sim/__init__.py).

The responses are ``TypedDict``s generic in their number type ``N`` and date type ``D``: by default
numbers are ``float`` (an integral amount prints as an ``int``, which a ``float`` accepts) and dates
``str``; with ``as_decimal=True`` numbers are ``Decimal`` and dates ``datetime.date``.
"""

import datetime
import decimal
from typing import (
    Any,
    Dict,
    Generic,
    Iterable,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Tuple,
    TypedDict,
    TypeVar,
    Union,
    final,
    overload,
)

from ._errors import InternalError as InternalError
from ._errors import InvalidRequest as InvalidRequest

__version__: str

JsonInput = Union[str, bytes, bytearray, Mapping[str, Any]]
DayUnit = Literal["calendar", "business"]
NaturalIof = Literal["fixed", "dated"]

N = TypeVar("N")
D = TypeVar("D")

class Installment(TypedDict, Generic[N, D]):
    business_due_date: D
    calendar_days: N
    due_date: D
    due_principal: N
    has_interest: bool
    installment_number: N
    post_fixed_amount: Optional[N]
    pre_fixed_amount: N
    principal_amortization_amount: N
    tax_amount: N
    total_amount: N
    workdays: N

class ContractFee(TypedDict, Generic[N]):
    amount: N
    amount_type: str
    fee_amount: N
    fee_type: str

class ExternalContractFee(TypedDict, Generic[N]):
    amount: N
    amount_released: N
    amount_type: str
    cofins_amount: N
    csll_amount: N
    description: Optional[str]
    fee_amount: N
    fee_type: str
    irrf_amount: N
    net_fee_amount: N
    pis_amount: N
    tax_amount: N

class PrefixedInterestRate(TypedDict, Generic[N]):
    annual_rate: N
    daily_rate: N
    interest_base: str
    monthly_rate: N

class DisbursementOption(TypedDict, Generic[N, D]):
    annual_cet: N
    assignment_amount: N
    cet: N
    contract_fee_amount: N
    contract_fees: List[ContractFee[N]]
    disbursed_issue_amount: N
    disbursement_date: D
    external_contract_fee_amount: N
    external_contract_fees: List[ExternalContractFee[N]]
    final_disbursement_amount: N
    first_due_date: D
    installments: List[Installment[N, D]]
    iof_amount: N
    issue_amount: N
    net_external_contract_fee_amount: N
    prefixed_interest_rate: PrefixedInterestRate[N]
    shortfall_amount: Optional[N]
    total_pre_fixed_amount: N

class SimulationData(DisbursementOption[N, D], Generic[N, D]):
    disbursement_options: List[DisbursementOption[N, D]]
    disbursement_options_policy: str
    interest_grace_period: N
    interest_payment_month_period: N
    interest_type: str
    issue_date: D
    number_of_installments: N
    operation_type: str
    post_fixed_interest_base: str
    post_fixed_interest_rate: Optional[N]
    principal_amortization_month_period: N
    principal_grace_period: N
    requester_key: Optional[str]

@final
class SimulationResponse(TypedDict, Generic[N, D]):
    """``simulate``'s answer for a ``financial`` body (a v2 body answers QI's v2 shape)."""

    data: SimulationData[N, D]
    event_datetime: Optional[str]
    key: str
    status: str
    type: str

class SummaryOption(TypedDict, Generic[N, D]):
    annual_cet: N
    cet: N
    contract_fee_amount: N
    disbursed_issue_amount: N
    disbursement_date: D
    final_disbursement_amount: N
    first_installment_total: Optional[N]
    iof_amount: N
    issue_amount: N
    shortfall_amount: Optional[N]

@final
class SummaryResponse(TypedDict, Generic[N, D]):
    """A ``batch --summary`` line."""

    key: str
    options: List[SummaryOption[N, D]]
    requester_key: Optional[str]

@final
class BatchError(TypedDict, Generic[N]):
    """A request :func:`batch` could not price: the CLI's batch error line."""

    error: str
    field: Optional[str]
    kind: str
    line: N

class PresentValueInstallment(TypedDict, Generic[N, D]):
    days_late: N
    due_date: D
    fine_amount: N
    installment_number: N
    installment_status: str
    late_interest_amount: N
    present_amount: N
    total_amount: N

class PresentValueData(TypedDict, Generic[N, D]):
    balance_due: N
    installments: List[PresentValueInstallment[N, D]]
    reference_date: D

class PresentValueResponse(TypedDict, Generic[N, D]):
    data: PresentValueData[N, D]

class PrepaidInstallment(TypedDict, Generic[N, D]):
    due_date: D
    due_principal: N
    installment_number: N
    pre_fixed_amount: N
    principal_amortization_amount: N
    total_amount: N

class PrepaymentData(TypedDict, Generic[N, D]):
    balance_after: N
    balance_before: N
    installments: List[PrepaidInstallment[N, D]]
    prepaid_amount: N
    reference_date: D

class PrepaymentResponse(TypedDict, Generic[N, D]):
    data: PrepaymentData[N, D]

#: The default (float) and ``as_decimal=True`` flavours.
Simulation = SimulationResponse[float, str]
SimulationDecimal = SimulationResponse[decimal.Decimal, datetime.date]
Summary = SummaryResponse[float, str]
SummaryDecimal = SummaryResponse[decimal.Decimal, datetime.date]
PresentValue = PresentValueResponse[float, str]
PresentValueDecimal = PresentValueResponse[decimal.Decimal, datetime.date]
Prepayment = PrepaymentResponse[float, str]
PrepaymentDecimal = PrepaymentResponse[decimal.Decimal, datetime.date]
Amount = Union[str, int, float, decimal.Decimal]
Keep = Literal["term", "installment"]

BATCH_CHUNK: int

@overload
def simulate(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: Literal[False] = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> Simulation: ...
@overload
def simulate(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: Literal[True],
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> SimulationDecimal: ...
def simulate_json(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> str: ...
@overload
def summarize(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: Literal[False] = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> Summary: ...
@overload
def summarize(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: Literal[True],
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> SummaryDecimal: ...
def debt(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> Dict[str, Any]: ...
def portability(
    request: JsonInput,
    config: Optional[JsonInput] = None,
    *,
    as_decimal: bool = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
    target_change: Optional[Union[str, int, float, decimal.Decimal]] = None,
    installments_range: Optional[Union[str, Tuple[int, int]]] = None,
) -> Dict[str, Any]: ...
@overload
def batch(
    requests: Iterable[JsonInput],
    config: Optional[JsonInput] = None,
    *,
    as_decimal: Literal[False] = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
    summary: Literal[False] = False,
    chunk_size: int = ...,
) -> Iterator[Union[Simulation, BatchError[int]]]: ...
@overload
def batch(
    requests: Iterable[JsonInput],
    config: Optional[JsonInput] = None,
    *,
    as_decimal: Literal[True],
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
    summary: Literal[False] = False,
    chunk_size: int = ...,
) -> Iterator[Union[SimulationDecimal, BatchError[decimal.Decimal]]]: ...
@overload
def batch(
    requests: Iterable[JsonInput],
    config: Optional[JsonInput] = None,
    *,
    as_decimal: Literal[False] = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
    summary: Literal[True],
    chunk_size: int = ...,
) -> Iterator[Union[Summary, BatchError[int]]]: ...
@overload
def batch(
    requests: Iterable[JsonInput],
    config: Optional[JsonInput] = None,
    *,
    as_decimal: Literal[True],
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
    summary: Literal[True],
    chunk_size: int = ...,
) -> Iterator[Union[SummaryDecimal, BatchError[decimal.Decimal]]]: ...
def quote_table(
    table: Any,
    config: Optional[JsonInput] = None,
    *,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
    installments: bool = False,
) -> Any: ...
@overload
def present_value(
    contract: JsonInput,
    date: Union[datetime.date, str],
    config: Optional[JsonInput] = None,
    *,
    paid: Optional[int] = None,
    calculate_delay: bool = False,
    calculate_spread: bool = False,
    as_dict: Literal[True] = True,
    as_decimal: Literal[False] = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> PresentValue: ...
@overload
def present_value(
    contract: JsonInput,
    date: Union[datetime.date, str],
    config: Optional[JsonInput] = None,
    *,
    paid: Optional[int] = None,
    calculate_delay: bool = False,
    calculate_spread: bool = False,
    as_dict: Literal[True] = True,
    as_decimal: Literal[True],
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> PresentValueDecimal: ...
@overload
def present_value(
    contract: JsonInput,
    date: Union[datetime.date, str],
    config: Optional[JsonInput] = None,
    *,
    paid: Optional[int] = None,
    calculate_delay: bool = False,
    calculate_spread: bool = False,
    as_dict: Literal[False],
    as_decimal: bool = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> str: ...
@overload
def prepayment(
    contract: JsonInput,
    date: Union[datetime.date, str],
    amount: Amount,
    keep: Keep = "term",
    config: Optional[JsonInput] = None,
    *,
    paid: Optional[int] = None,
    calculate_delay: bool = False,
    calculate_spread: bool = False,
    as_dict: Literal[True] = True,
    as_decimal: Literal[False] = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> Prepayment: ...
@overload
def prepayment(
    contract: JsonInput,
    date: Union[datetime.date, str],
    amount: Amount,
    keep: Keep = "term",
    config: Optional[JsonInput] = None,
    *,
    paid: Optional[int] = None,
    calculate_delay: bool = False,
    calculate_spread: bool = False,
    as_dict: Literal[True] = True,
    as_decimal: Literal[True],
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> PrepaymentDecimal: ...
@overload
def prepayment(
    contract: JsonInput,
    date: Union[datetime.date, str],
    amount: Amount,
    keep: Keep = "term",
    config: Optional[JsonInput] = None,
    *,
    paid: Optional[int] = None,
    calculate_delay: bool = False,
    calculate_spread: bool = False,
    as_dict: Literal[False],
    as_decimal: bool = False,
    delay_unit: DayUnit = "calendar",
    option_days: DayUnit = "calendar",
    natural_iof: NaturalIof = "fixed",
    allow_unknown_fields: bool = False,
) -> str: ...
def is_business_day(date: datetime.date) -> bool: ...
def following(date: datetime.date) -> datetime.date: ...
def workdays(start: datetime.date, end: datetime.date) -> int: ...
def add_business_days(date: datetime.date, n: int) -> datetime.date: ...
