"""The paper: takes the model's outputs, the narrative and paper.yaml, gives the Cabinet paper
as HTML (autoescaped templates), tagged PDF, large print PDF and Word."""
