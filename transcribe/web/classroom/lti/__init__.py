"""The LTI 1.3 tool (LTI Advantage) of the classroom server: the classroom inside Moodle.

Moodle launches the tool with a signed message (an OpenID Connect id_token) that says who the
user is, in which course, with which role; the teacher picks an exercise through Deep Linking;
the tool posts each learner's note to Moodle's gradebook with the Assignment and Grade
Services. A small module on PyJWT (with ``cryptography``): the JOSE work is PyJWT's (signature,
``exp``/``iat`` with leeway, ``iss``, ``aud`` as a string or a list, the platform's keyset
fetched and cached with a refresh on an unknown ``kid``); the LTI rules are ours, stated once.

- ``models``: platforms, pending launches, Moodle accounts and courses, grades sent back;
- ``keys``: the tool's RSA keys in the data folder (created at first start, rotatable) and its
  public keyset;
- ``platforms``: the platforms the administrator registered;
- ``launch``: OIDC login initiation and the launch's checks (state and nonce kept in the
  database, single use for every server process);
- ``people``: who is who — the account, the class of the course, the learner's activity;
- ``deep_linking``: the signed answer that gives Moodle the chosen exercise and its line item;
- ``scores``: the score of an activity (which attempt counts), the send queue and its sender
  (OAuth2 client credentials with a signed assertion, retries with backoff).

The pages are in ``views/lti.py``.
"""
