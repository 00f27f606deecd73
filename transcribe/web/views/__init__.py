"""The routes, one module per part of the workspace (each exports ``routes``)."""
