"""The paper's words: the narrative rendered in its sandbox (placeholders that only read
data), its HTML cleaned, the filters that write figures, the notes on figures and the
claims the forecast does not bear out."""
