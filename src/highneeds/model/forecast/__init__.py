"""The forecast: the deficit rolled forward under each scenario, demand and the driver model,
placements, interventions and their savings reconciled, the DfE's history and its
backtest, and the track record of earlier papers."""
