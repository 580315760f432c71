"""The vocabulary of figures every stage shares: takes only :mod:`highneeds.common`; gives
amounts as finance writes them, budget lines and placement categories, the registry of the
figures a paper prints and their kinds, and figures traced to how they were computed."""
