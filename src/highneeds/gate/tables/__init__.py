"""Each input table typed: the budget as the council keeps it, figures.csv, paper.yaml,
the readings, the scenarios, the DfE's SEN2 history and the rest, by one reader each."""
