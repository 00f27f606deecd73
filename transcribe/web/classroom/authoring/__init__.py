"""Exercises a trainer makes in the browser from a recording (``/formateur/exercices/nouveau``).

The recording is uploaded (streamed to disk) and checked (``authoring.recording``: nothing is
kept of a refused one); its transcription waits in a queue kept in the database and runs in a
child process (``authoring.child``: the toolkit's ``create_exercise``, the same pipeline as
``transcribe exercises new``); the trainer then edits the reference and fills a form instead
of a metadata file, autosaved, and publishes. Each publication is a version; an attempt is
graded against, and shows, the version it was done on.

- ``form``: the form's fields ↔ an exercise's files (reference, metadata, template), checked
  by the toolkit's own loader;
- ``store``: creations in the database and their files on disk — upload, draft, versions,
  publication, withdrawal;
- ``queue``: the transcription queue (claim, heartbeat, progress, position, restart);
- ``worker``: the thread that runs the queue's jobs one at a time, each in a child process;
- ``catalogue``: the published creations as the server's exercises, at any of their versions.
"""
