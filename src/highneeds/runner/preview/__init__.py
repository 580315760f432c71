"""The author's preview: the paper rebuilt in one warm process after each save, served on a
local address."""
