"""Classroom mode (`transcribe serve --classe`): accounts, classes, trainers' pages, exports.

Everything the solo workspace does not need, kept in its own package that the workspace never
imports: ``app.setup`` wires it into the workspace's application when the server is started
with ``--classe``.

- ``models``: the classroom's tables (accounts, login sessions and failures, classes,
  memberships, assignments, audit log, server secrets); scripts in ``migrations``;
- ``accounts``: names, Argon2id passwords, throttled logins, join codes, CSV import;
- ``logins``: login sessions (signed cookie, database row);
- ``gate``: the middleware that says who asks, whether they may, and checks CSRF tokens
  (``csrf``: the token found without holding the request's body);
- ``classes``: classes, assignments, the class matrix, one learner's data, the audit log;
- ``exports``: gradebook, submissions folder and Moodle CSV of a class;
- ``uploads``: a trainer's exercise uploaded from the browser;
- ``lti``: the LTI 1.3 tool for Moodle (launches, Deep Linking, notes sent back);
- ``views``: the login and registration pages, the trainer's pages, the LTI tool's pages.
"""
