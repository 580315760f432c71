"""Reading an author's files safely: the limits checked before anything is parsed, YAML
read without aliases or tags, each table's layout and its cells as text with their row
numbers, and what a cell may hold."""
