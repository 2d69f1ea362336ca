"""The public survey pages (blueprint "respondent"): links, forms, drafts, the idempotent submit.
May import core, storage, questionnaire, domain and web; never accounts, backoffice, results or mail.
"""
