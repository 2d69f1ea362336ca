"""App-wide Flask plumbing: the request's connection, languages, error pages, security headers, labels.
May import survey_app.core and survey_app.storage; never a slice.
"""
