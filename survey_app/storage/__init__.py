"""The SQLite database: connections, the transaction convention, schema, rate-limit counters, backups.
May import survey_app.core only; never flask or a web slice.
"""
