"""Figures of the reference paper (shared/reference), typed here from the paper itself so the
tests compare the pipeline against the reference rather than against its own arithmetic."""

YEARS = ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]

#: Para 7.3, row by row, as printed (£000, brackets for income or surplus).
PARA_7_3 = [
    ("High Needs DSG B/Fwd Deficit / (Surplus)", ["457", "575", "1,028", "1,734", "2,648"]),
    ("Transfer From Schools Block", ["(126)", "(132)", "(132)", "(132)", "(132)"]),
    ("High Needs Allocation*", ["(4,224)", "(4,579)", "(4,976)", "(5,225)", "(5,486)"]),
    ("Placement costs", ["4,468", "5,164", "5,814", "6,271", "6,823"]),
    ("High Needs DSG C/Fwd Deficit / (Surplus)", ["575", "1,028", "1,734", "2,648", "3,853"]),
]
RECOVERY_PLAN_IMPACT = ("Recovery Plan Impact", ["", "", "(33)", "(93)", "(135)"])

#: The same figures as numbers.
B_FWD = [457, 575, 1028, 1734, 2648]
TRANSFER = [-126, -132, -132, -132, -132]
ALLOCATION = [-4224, -4579, -4976, -5225, -5486]
PLACEMENT_COSTS = [4468, 5164, 5814, 6271, 6823]
C_FWD = [575, 1028, 1734, 2648, 3853]
RECOVERY_PLAN = [0, 0, -33, -93, -135]
