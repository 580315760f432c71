"""The runner: takes a cycle, runs its notebooks (gate, model, paper) under a lock, reusing
unchanged steps, and gives a published paper with its archived run folder and manifest (or
a clear failure, with the last good paper untouched)."""
