"""What the paper says from the model: its tables, the certainty, history, track record,
business cases, readings and reconciliation parts, and the paper assembled from them."""
