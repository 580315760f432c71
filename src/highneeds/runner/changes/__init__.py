"""What changed from paper to paper: changes.json and changes.html, edits word by word, the
forecast's history and the earlier papers' forecasts a later cycle scores."""
