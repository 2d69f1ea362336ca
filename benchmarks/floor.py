"""The floor: a bare Flask app, what any Flask + SQLite page costs before it does anything useful."""

import sqlite3
import threading

from flask import Flask, redirect, request

PAGE = (
    "<!doctype html><title>{{ title }}</title><form method=post><input name=q value='{{ value }}'><button>OK</button>"
)


def create_floor(path: str) -> Flask:
    app, local = Flask("floor"), threading.local()
    page = app.jinja_env.from_string(PAGE)  # compiled once, autoescaped like the app's templates
    sqlite3.connect(path).execute("PRAGMA journal_mode = WAL").connection.execute(
        "CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, body TEXT)"
    )

    @app.get("/form")
    def show():
        return page.render(title="Floor", value="3")

    @app.post("/form")
    def save():
        if not hasattr(local, "db"):  # one connection per server thread, kept open
            local.db = sqlite3.connect(path, isolation_level=None)
            local.db.execute("PRAGMA synchronous = NORMAL")
        local.db.execute("INSERT INTO floor (body) VALUES (?)", [request.form.get("q", "")])
        return redirect("/form", code=303)

    return app
