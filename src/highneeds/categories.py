"""The placement categories of the DfE DSG management plan template, shared by every stage:
the gate checks that inputs name them, the model forecasts by them, the paper and the DfE
return print their labels."""

from __future__ import annotations

#: The template's seven placement categories, in its order: the id an input file uses, and the
#: template's own label.
DFE_CATEGORIES: dict[str, str] = {
    "mainstream": "Mainstream schools or academies",
    "resourced_provision": "Resourced provision or SEN units",
    "maintained_special": "Maintained special schools or special academies",
    "independent_special": "Non-maintained special schools or independent",
    "alternative_provision": "Hospital schools or alternative provision",
    "post_16": "Post-16 and further education",
    "other": "Other placements or direct payments",
}

#: The one line a council that knows only totals uses instead of the seven categories.
ALL_PLACEMENTS = "all_placements"
ALL_PLACEMENTS_LABEL = "All placements"

#: Every category id an input may use.
CATEGORY_IDS = (*DFE_CATEGORIES, ALL_PLACEMENTS)


def category_label(category: str) -> str:
    """The template's label for a category id."""
    return ALL_PLACEMENTS_LABEL if category == ALL_PLACEMENTS else DFE_CATEGORIES[category]
