"""MinSide: a test portal as Danish self-service portals are, for audits end to end.

Login through an identity broker on another domain, over https with a certificate of a test
CA, with a user id, a password and a one-time code (TOTP); a consent banner of the Cookie
Information kind; a single-page app whose route carries the CPR; a confirm dialog; a test and a
production environment (`audit.toml` with `[environments.test]`). See `portal` for what it
plants, and `scenarios/` for the scenario that audits it.
"""
