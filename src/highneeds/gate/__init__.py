"""The input gate: takes a cycle's raw files (CSV or XLSX, paper.yaml), gives typed tables that
passed every Great Expectations suite, the privacy guard and the checks across tables."""
