"""Questionnaires and the framework: the model, its validation rules, the TOML loader, the registry.
May import survey_app.core and survey_app.storage; never flask.
"""
