"""The model's entry points (run_model, run_interventions) and the identities the gate
checks for it."""
