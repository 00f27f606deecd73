"""Migration scripts, oldest first (0001: the solo workspace; 0002: classroom mode)."""
