"""What each line of a council's budget table is: its role, shared by the gate (which reads
it), the model (which rolls the balance forward over it) and the paper and DfE return (which
print and file it)."""

from __future__ import annotations

import pandas as pd

#: What a line may be, in the order a balance is built from them.
ROLES = ("opening", "funding", "spending", "movement", "closing", "saving")
#: The roles whose lines move the balance within a year.
FLOW_ROLES = ("funding", "spending", "movement")
#: Each line's role where a table says none (the shipped layout, the driver model's lines).
ROLE_OF = {
    "bfwd": "opening",
    "transfer": "funding",
    "allocation": "funding",
    "placement_costs": "spending",
    "cfwd": "closing",
    "recovery_plan_impact": "saving",
}


def line_roles(budget: pd.DataFrame) -> dict[str, str]:
    """Each line's role, in the table's order: from its ``role`` column, else by its key."""
    if "role" in budget.columns:
        pairs = budget.drop_duplicates("line")[["line", "role"]].itertuples(index=False)
        return {str(line): str(role) for line, role in pairs}
    return {str(line): ROLE_OF.get(str(line), "movement") for line in dict.fromkeys(budget["line"])}


def lines_of(budget: pd.DataFrame, *roles: str) -> list[str]:
    """The lines that have one of ``roles``, in the table's order."""
    return [line for line, role in line_roles(budget).items() if role in roles]


def is_transfer(line: str) -> bool:
    """Whether a funding line is a transfer between the DSG's blocks (its key says so)."""
    return "transfer" in line


#: The DfE template's groups of a budget's flow lines, in its order.
TEMPLATE_GROUPS = ("transfer", "funding", "spending", "movement")


def template_groups(roles: dict[str, str]) -> dict[str, list[str]]:
    """The budget's flow lines (``roles``: each line's role, in the table's order) as the DfE
    template's summary groups them: transfers between blocks, other funding, spending, and
    net movements."""
    funding = [line for line, role in roles.items() if role == "funding"]
    return {
        "transfer": [line for line in funding if is_transfer(line)],
        "funding": [line for line in funding if not is_transfer(line)],
        "spending": [line for line, role in roles.items() if role == "spending"],
        "movement": [line for line, role in roles.items() if role == "movement"],
    }
