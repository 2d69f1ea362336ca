"""The back office under /admin (blueprint "backoffice" and its sections): accounts, enterprises,
campaigns, links, invitations, exports, run log. May import the base, pipeline, web, accounts, results, mail.
"""
