"""The table of back-office routes used by the IDOR and CSRF tests: how to fill each endpoint's URL
parameters with the ids of a given enterprise's objects. A new route under /admin (or /api) that
is missing here makes those tests fail, so every route gets covered."""

PREFIXES = ("/admin", "/api")
UNSCOPED = {}  # endpoints without object ids: they list only what the user may see

# endpoint -> function(world, side) -> URL parameters, side being "a" or "b"
ROUTES = {
    "backoffice.index": lambda w, s: UNSCOPED,
    "backoffice.accounts.index": lambda w, s: UNSCOPED,
    "backoffice.accounts.new": lambda w, s: UNSCOPED,
    "backoffice.accounts.edit": lambda w, s: {"user_id": getattr(w, f"manager_{s}")},
    "backoffice.accounts.reset": lambda w, s: {"user_id": getattr(w, f"manager_{s}")},
    "backoffice.enterprises.new": lambda w, s: UNSCOPED,
    "backoffice.enterprises.edit": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    "backoffice.enterprises.view": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    "backoffice.enterprises.consent": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    "backoffice.campaigns.new": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    # Follow-up series (issue 17): scoped by the series' enterprise.
    "backoffice.series.index": lambda w, s: UNSCOPED,
    "backoffice.series.view": lambda w, s: {"series_id": getattr(w, f"series_{s}")},
    "backoffice.series.end": lambda w, s: {"series_id": getattr(w, f"series_{s}")},
    "backoffice.series.erase": lambda w, s: {"series_id": getattr(w, f"series_{s}")},
    "backoffice.exports.download": lambda w, s: {"campaign_id": getattr(w, f"campaign_{s}"), "kind": "csv"},
    # XLSForm import and export (issue 15): admins only; questionnaires belong to the federation.
    "backoffice.xlsforms.index": lambda w, s: UNSCOPED,
    "backoffice.xlsforms.preview": lambda w, s: UNSCOPED,
    "backoffice.xlsforms.register": lambda w, s: UNSCOPED,
    "backoffice.xlsforms.download": lambda w, s: {"questionnaire_id": "beneficiaries", "version": 1},
    "runs.index": lambda w, s: UNSCOPED,  # pipeline runs (issue of the pipeline): admins only
    "runs.refresh": lambda w, s: UNSCOPED,
    # Dashboards, reports, open data and federation view (issue 6).
    "dashboard.index": lambda w, s: UNSCOPED,
    "dashboard.methodology": lambda w, s: UNSCOPED,
    "dashboard.view": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    "dashboard.chart": lambda w, s: {
        "enterprise_id": getattr(w, f"enterprise_{s}"),
        "language": "fr",
        "name": "response-rates",
        "fmt": "png",
    },
    "dashboard.hide_testimony": lambda w, s: {
        "enterprise_id": getattr(w, f"enterprise_{s}"),
        "response_id": 1,
        "question_id": "what_changed",
    },
    "dashboard.show_testimony": lambda w, s: {
        "enterprise_id": getattr(w, f"enterprise_{s}"),
        "response_id": 1,
        "question_id": "what_changed",
    },
    "report.view": lambda w, s: {
        "enterprise_id": getattr(w, f"enterprise_{s}"),
        "campaign_id": getattr(w, f"campaign_{s}"),
    },
    "report.pdf": lambda w, s: {
        "enterprise_id": getattr(w, f"enterprise_{s}"),
        "campaign_id": getattr(w, f"campaign_{s}"),
    },
    "api.indicators_json": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    "api.indicators_csv": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    "api.distance_json": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    "federation.index": lambda w, s: UNSCOPED,
    # Public valorisation pages and their management (report part).
    "backoffice.public_pages.enterprise_page": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    "backoffice.public_pages.enterprise_revoke": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    # Fresh figures (R2 5/9): a manager's refresh of their own enterprise.
    "refresh.request_refresh": lambda w, s: {"enterprise_id": getattr(w, f"enterprise_{s}")},
    # Operations (issue 18): the audit trail lists only the user's enterprises' entries (all for admins).
    "backoffice.audit.index": lambda w, s: UNSCOPED,
    "backoffice.audit.download": lambda w, s: UNSCOPED,
    "backoffice.accounts.remove_two_factor": lambda w, s: {"user_id": getattr(w, f"manager_{s}")},
    "backoffice.mail_texts.edit": lambda w, s: {
        "campaign_id": getattr(w, f"campaign_{s}"),
        "kind": "invitation",
        "language": "fr",
    },
    "backoffice.mail_texts.reset": lambda w, s: {
        "campaign_id": getattr(w, f"campaign_{s}"),
        "kind": "reminder",
        "language": "fr",
    },
    # Reaching everyone (R2 7/9): shared tablets, paper questionnaires, answer entry, results by channel.
    "backoffice.kiosks.remove": lambda w, s: {"campaign_id": getattr(w, f"campaign_{s}"), "kiosk_id": 1},
    "paper.blank": lambda w, s: {"campaign_id": getattr(w, f"campaign_{s}"), "language": "fr"},
    "paper.personal": lambda w, s: {"campaign_id": getattr(w, f"campaign_{s}"), "language": "fr"},
}
CAMPAIGN_ENDPOINTS = (
    "backoffice.campaigns.edit",
    "backoffice.campaigns.view",
    "backoffice.campaigns.close",
    "backoffice.campaigns.duplicate",
    "backoffice.links.index",
    "backoffice.links.generate",
    "backoffice.links.revoke",
    "backoffice.links.open_link",
    "backoffice.links.download_csv",
    "backoffice.links.download_qr",
    "backoffice.links.cards",
    "backoffice.links.poster",
    "backoffice.invitations.index",
    "backoffice.invitations.add",
    "backoffice.invitations.send",
    "backoffice.invitations.remind",
    "backoffice.invitations.erase",
    "backoffice.exports.index",
    "backoffice.public_pages.campaign_page",
    "backoffice.public_pages.campaign_revoke",
    "backoffice.mail_texts.index",
    "backoffice.kiosks.add",
    "entry.index",
    "entry.answers",
    "channels.view",
)
for _endpoint in CAMPAIGN_ENDPOINTS:
    ROUTES[_endpoint] = lambda w, s: {"campaign_id": getattr(w, f"campaign_{s}")}
ADMIN_ONLY = {
    "backoffice.accounts.index",
    "backoffice.accounts.new",
    "backoffice.accounts.edit",
    "backoffice.accounts.reset",
    "backoffice.accounts.remove_two_factor",
    "backoffice.enterprises.new",
    "backoffice.enterprises.edit",
    "runs.index",
    "runs.refresh",
    "federation.index",
    "backoffice.xlsforms.index",
    "backoffice.xlsforms.preview",
    "backoffice.xlsforms.register",
    "backoffice.xlsforms.download",
}

# Plausible form data, so that a refusal comes from scoping and not from a missing field.
FORM_DATA = {
    "count": "5",
    "codes": "ABCDEF",
    "addresses": "someone@example.org",
    "language": "fr",
    "enabled": "0",
    "benchmark_consent": "",
    "title": "Hijacked",
    "stakeholder_group": "beneficiaries",
    "questionnaire": "latest",
    "timezone": "Europe/Brussels",
    "opens_at": "2026-03-10T09:00",
    "closes_at": "2026-04-10T09:00",
    "languages": "fr",
    "name": "Hijacked",
    "sector_group": "care",
    "country": "FR",
    "default_language": "fr",
    "email": "new@example.org",
    "active": "y",
    "consent": "y",
    "own_words": "Hijacked",
    "confirmed": "yes",
    "subject": "Hijacked {enterprise}",
    "body": "Hijacked {link}",
    "save": "y",
}


def backoffice_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIXES)]


def url_for_rule(app, rule, world, side):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **ROUTES[rule.endpoint](world, side))


def methods(rule):
    return sorted(rule.methods & {"GET", "POST"})


def dump(db):
    """Every table's rows, except sign-in bookkeeping that any request may touch."""
    # The audit trail is written by reads too (downloads of exports and links): it is checked on its own.
    skip = {"user_session", "rate_limit", "audit_log"}
    return {t: sorted(map(repr, db[t].rows)) for t in db.table_names() if t not in skip}
