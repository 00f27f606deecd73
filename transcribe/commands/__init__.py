"""Click commands, one module per verb family; each only parses options and calls the library."""
