"""The runner: takes a cycle and runs its notebooks (gate, model, paper) under a lock, reuses
unchanged steps, archives each run with its manifest and publishes only a complete run."""
