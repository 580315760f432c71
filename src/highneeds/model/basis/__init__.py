"""What the model computes with: traced input cells, the switches and readings the council
or the run chose, the assumption ranges, and the lineage every figure records."""
