"""What every stage shares that is not about figures: takes nothing of the package; gives the
errors and their exit codes, the project's paths, typed tables on disk, content digests,
autoescaped templates, deferred imports and how a process ends."""
