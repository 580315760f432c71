"""The commands a user or a schedule runs: run, verify, validate, explain, status, backtest,
run --all and the unit-failure handler."""
