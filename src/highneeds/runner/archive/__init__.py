"""The store of runs: each run's folder and manifest, the files runs share, publishing a
run as the cycle's paper, the lock, pruning, the cycles there are, and disk failures."""
