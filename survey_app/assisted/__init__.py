"""Answers given with help (blueprints "entry" and "paper", under /admin): a signed-in manager or
interviewer enters a respondent's answers from an interview or a paper form, and the printable
paper questionnaire itself. Reuses the respondent's questionnaire, forms and submission under the
back office's guards and scoping; may import the base, web, accounts and respondent, never the
back office, results, mail or the CLI.
"""
