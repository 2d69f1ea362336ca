"""The indicator pipeline: read -> compute (pure, typed) -> save, its run log, lease and scheduler.
May import the Flask-free base (survey_app.core, .storage, .questionnaire, .domain); never flask or web code.
"""
