"""Flask-free foundations: settings, clock, error base class, translation catalogs, CLI error handling.
May import the standard library, babel and click only; nothing else of the app, never flask.
"""
