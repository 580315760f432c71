"""The placement categories of the DfE DSG management plan template, shared by every stage:
the gate checks that inputs name them, the model forecasts by them, the paper and the DfE
return print their labels. With them, the template's other names: the DSG's blocks besides
High Needs and the SEN2 return's age bands."""

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


#: The DSG's blocks besides High Needs, as dsg_blocks.csv names them.
OTHER_DSG_BLOCKS = {
    "schools": "Schools block",
    "central_school_services": "Central School Services block",
    "early_years": "Early Years block",
}
#: The age bands of the DfE's SEN2 return, as ehcps_by_age.csv names them.
AGE_BANDS = {
    "under_5": "Under age 5",
    "5_to_10": "Age 5 to 10",
    "11_to_15": "Age 11 to 15",
    "16_to_19": "Age 16 to 19",
    "20_to_25": "Age 20 to 25",
}
