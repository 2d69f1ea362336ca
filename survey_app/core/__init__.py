"""Flask-free foundations: settings, clock, errors, catalogs, groups, address check, CLI error handling.
May import the standard library, babel and click only; nothing else of the app, never flask.
"""
