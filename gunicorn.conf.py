"""gunicorn settings for VISES: `gunicorn -c gunicorn.conf.py 'survey_app:create_app()'`
(docs/operations.md, "Multi-process").

gunicorn sets no limit on request bodies and never reads one ahead of the app: the app refuses a
body over its MAX_CONTENT_LENGTH (256 KiB) with a 413 from the Content-Length alone, before
reading it, and nginx's `client_max_body_size 256k` stops it at the proxy. What gunicorn bounds
is the request line and the headers, set here explicitly (a survey URL is under 100 characters;
the cookies are a session and a language).
"""

limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
accesslog = None  # survey tokens live in URL paths: no access log (docs/security.md)
