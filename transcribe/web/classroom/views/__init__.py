"""The classroom's routes: logging in and registering (``account``), the trainer's pages (``trainer``)."""
