"""The paper's charts, drawn with matplotlib the same way twice, with their descriptions."""
