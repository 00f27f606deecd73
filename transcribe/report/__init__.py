"""Reports for people: the terminal (rich) and HTML pages (jinja2)."""
