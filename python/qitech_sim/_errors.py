"""The exceptions of :mod:`qitech_sim` (raised by the native module too)."""

from __future__ import annotations

from typing import Optional

__all__ = ["InvalidRequest", "InternalError"]


class InvalidRequest(ValueError):
    """The request (or the configuration, or a date) is not one the engine accepts.

    ``str(e)`` is the CLI's one-line message, e.g.
    ``financial.number_of_installments: must be between 1 and 600 (got 0)``.

    Attributes:
        kind: what is wrong, the Rust crate's ``ErrorKind`` name: ``"missing"`` (a required field
            is absent), ``"wrong_type"`` (a string where a number is expected, …),
            ``"out_of_range"`` (zero installments, a negative amount, …), ``"date_out_of_range"``
            (a date outside 2001-01-01..2099-12-31), ``"unsupported"`` (a documented QI feature
            the crate refuses rather than guesses), ``"conflict"`` (two fields that exclude each
            other), ``"invalid"`` (not one of the accepted names or formats), ``"overflow"``
            (amounts beyond 28 significant digits), ``"no_solution"`` (the CET equation has no
            root), ``"invalid_json"`` (the text is not JSON), ``"other"`` (a kind added later).
        field: the JSON path of the offending field (``"financial.number_of_installments"``),
            ``"config"``-side paths for the pricing, or ``None`` where no one field is at fault
            (invalid JSON, no CET root).
        value: the offending value as text (``"0"``), or ``None`` (a missing field, invalid JSON).
    """

    kind: str
    field: Optional[str]
    value: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        kind: str = "other",
        field: Optional[str] = None,
        value: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.field = field
        self.value = value

    def __reduce__(self):  # keep the attributes through pickle (multiprocessing)
        return (_rebuild, (str(self), self.kind, self.field, self.value))

    def __repr__(self) -> str:
        return (
            f"InvalidRequest({str(self)!r}, kind={self.kind!r}, "
            f"field={self.field!r}, value={self.value!r})"
        )


def _rebuild(message: str, kind: str, field: Optional[str], value: Optional[str]) -> InvalidRequest:
    return InvalidRequest(message, kind=kind, field=field, value=value)


class InternalError(RuntimeError):
    """A bug in qitech-sim (a panic in the engine, caught before it reaches Python).

    It never means the request is wrong; please report it with the request.
    """
