"""The exposure estimate: the premium an auditor may charge for payments not covered.

An auditor who finds payments to a subcontractor without workers' compensation cover
commonly treats a share of them as the policyholder's own payroll (the labour portion of
the contract) and charges the class rate on it. The estimate is::

    uncovered amount * share treated as payroll / 100 * class rate / 100

per row, rounded to cents, and the total is the sum of the rows. All in ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_SHARE = Decimal("90")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
SOURCE = (
    "Where the figure comes from: auditors commonly treat a share of payments to uninsured "
    "subcontractors as payroll — the labour portion of the contract — and charge the "
    "workers' compensation class rate on it. 90% is a common labour share when the contract "
    "does not separate labour from materials; use the share and the class rate per $100 of "
    "payroll on your own policy."
)
LABEL = "Estimate only, not a premium bill"


@dataclass(frozen=True)
class Inputs:
    """The share of payments treated as payroll (per cent) and the class rate per $100."""

    share: Decimal
    rate: Decimal | None

    @property
    def ready(self) -> bool:
        return self.rate is not None

    def describe(self) -> str:
        if self.rate is None:
            return f"{self.share.normalize():f}% of payments treated as payroll; no class rate yet"
        return (
            f"{self.share.normalize():f}% of payments treated as payroll × class rate "  # noqa: RUF001
            f"{self.rate.normalize():f} per $100 of payroll"
        )


def premium(uncovered: Decimal | None, inputs: Inputs) -> Decimal | None:
    """The estimated premium on one row's uncovered amount (``None`` when not estimated)."""
    if uncovered is None or inputs.rate is None:
        return None
    value = uncovered * inputs.share / HUNDRED * inputs.rate / HUNDRED
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def total(uncovered: Iterable[Decimal | None], inputs: Inputs) -> Decimal | None:
    """The sum of the rows' estimates (``None`` without a class rate)."""
    if inputs.rate is None:
        return None
    return sum(
        (p for p in (premium(u, inputs) for u in uncovered) if p is not None), Decimal("0.00")
    )
