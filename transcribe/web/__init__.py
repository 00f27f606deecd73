"""`transcribe serve`: the learner's dictation workspace in the browser.

A Starlette application (``app.create_app``) over a SQLAlchemy database (``db``): the
exercise list, a player and text area built for transcription, autosave, submission graded
by the toolkit's own pipeline, the learner report with ▶ replay buttons, progress and export.
Pages are server-rendered Jinja2 (``templates/web/``); plain JavaScript and CSS are served from
``static/``. Nothing is fetched from the network.
"""
