"""Everything that reads stored results or responses out: dashboard, report, API, federation, exports.
May import the base, pipeline, web and accounts; never backoffice, respondent or mail.
"""
