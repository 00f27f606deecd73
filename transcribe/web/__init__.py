"""`transcribe serve`: the learner's dictation workspace in the browser.

A Starlette application (``app.create_app``) over a SQLAlchemy database (``db``): the
exercise list, a player and text area built for transcription, autosave, submission graded
by the toolkit's own pipeline, the learner report with ▶ replay buttons, progress and export.
Pages are server-rendered Jinja2 (``templates/web/``); plain JavaScript and CSS are served from
``static/``. Nothing is fetched from the network.

Two modes. Solo (the default): the modules here, one learner, no login. Classroom
(``serve --classe``): the ``classroom`` sub-package adds accounts, classes and the trainer's
pages on top; the solo workspace never imports it.
"""
