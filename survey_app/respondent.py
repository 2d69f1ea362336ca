"""Respondent side: the public home page (survey links are added by the survey flow)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("respondent", __name__)


@bp.route("/")
def home():
    return render_template("respondent/home.html")
