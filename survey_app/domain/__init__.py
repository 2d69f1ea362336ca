"""Records shared by the web, the CLI and the pipeline's demo: enterprises and campaigns.
May import survey_app.core, .storage and .questionnaire; never flask.
"""
