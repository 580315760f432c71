"""The switches a run may set (``-p NAME=VALUE``) that have a fixed set of choices, declared
once: the model checks them, and the command line checks them before anything heavy is
imported (this module imports nothing)."""

from __future__ import annotations

#: How the budget's Recovery Plan Impact line is read: each year's own saving, or a running
#: total (``-p recovery_plan_basis``).
RECOVERY_PLAN_BASES = ("in_year", "cumulative")
#: Which forecast the paper prints: finance's typed one, the driver model's, or the typed one
#: where it covers every forecast year (``-p forecast_source``).
FORECAST_SOURCES = ("auto", "typed", "drivers")
#: What the measures of how sure the forecast is centre on: the finance table's forecast with
#: the Recovery Plan (agreed pressures it leaves out stated beside it, with their effect), or
#: that forecast with the agreed pressures (the council's agreed scenarios) inside every path
#: (``-p uncertainty_centre``).
UNCERTAINTY_CENTRES = ("finance_table", "with_agreed_pressures")

#: Each switch and its choices, by the notebook parameter that sets it.
CHOICES = {
    "recovery_plan_basis": RECOVERY_PLAN_BASES,
    "forecast_source": FORECAST_SOURCES,
    "uncertainty_centre": UNCERTAINTY_CENTRES,
}

#: How many simulations the measures of how sure the forecast is draw, unless a run says
#: (``-p uncertainty_draws``), and the most a run may ask for (each holds every year's deficit
#: in memory).
DEFAULT_DRAWS = 10_000
MAX_DRAWS = 1_000_000
