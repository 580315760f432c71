"""The process's own operations: settings, logs, secrets kept out of them, notifications,
signals, temporary folders and the bounds on memory and time."""
