"""Pictures and recordings of questions and options (`media` in the questionnaire, from XLSForm's
media::image and media::audio, or written in the TOML file), found by file name in two folders:

- `survey_app/static/media/<questionnaire id>/` for files shipped with the application;
- `<instance>/media/<questionnaire id>/` (beside the database) for files added on an installation,
  served by the route below.

A recording is also found without being declared, by its name: `<question id>.<language>.mp3`
(or .ogg, .m4a, .wav), so a TOML questionnaire gets one recording per question and language by
dropping files in the folder. A file that is missing is simply not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory, url_for
from werkzeug.utils import secure_filename

from survey_app.questionnaire.model import Media, Question

bp = Blueprint("media", __name__, url_prefix="/media")
STATIC = Path(__file__).resolve().parent.parent / "static" / "media"
AUDIO_TYPES = {".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".m4a": "audio/mp4", ".wav": "audio/wav"}
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


@dataclass(frozen=True)
class MediaFile:
    url: str
    mime: str = ""


def instance_media() -> Path:
    return Path(current_app.config["SETTINGS"]["database.path"]).parent / "media"


def _safe(name: str) -> bool:
    return bool(name) and secure_filename(name) == name


def find(questionnaire_id: str, name: str) -> MediaFile | None:
    """The file's URL, from the static folder first, then the instance folder; None when missing."""
    if not (_safe(questionnaire_id) and _safe(name)):
        return None
    mime = AUDIO_TYPES.get(Path(name).suffix.lower(), "")
    if (STATIC / questionnaire_id / name).is_file():
        return MediaFile(url_for("static", filename=f"media/{questionnaire_id}/{name}"), mime)
    if (instance_media() / questionnaire_id / name).is_file():
        return MediaFile(url_for("respondent.media.file", questionnaire_id=questionnaire_id, name=name), mime)
    return None


def declared(media: Media | None, kind: str, language: str) -> str | None:
    files = (media or {}).get(kind) or {}
    return files.get(language)


def image(questionnaire_id: str, media: Media | None, language: str) -> MediaFile | None:
    name = declared(media, "image", language)
    return find(questionnaire_id, name) if name and name.lower().endswith(IMAGE_TYPES) else None


def audio(questionnaire_id: str, media: Media | None, language: str, fallback: str | None = None) -> MediaFile | None:
    """The declared recording, else `<fallback>.<language>.<ext>` when such a file exists."""
    name = declared(media, "audio", language)
    if name:
        return find(questionnaire_id, name)
    for suffix in AUDIO_TYPES if fallback else ():
        found = find(questionnaire_id, f"{fallback}.{language}{suffix}")
        if found:
            return found
    return None


def question_audio(questionnaire_id: str, question: Question, language: str) -> MediaFile | None:
    return audio(questionnaire_id, question.media, language, fallback=question.id)


@bp.get("/<questionnaire_id>/<name>")
def file(questionnaire_id: str, name: str):
    """Files added on this installation (instance folder); never a path outside it."""
    if not (_safe(questionnaire_id) and _safe(name)):
        abort(404)
    folder = instance_media() / questionnaire_id
    if not (folder / name).is_file():
        abort(404)
    response = send_from_directory(folder, name, max_age=3600)
    response.headers["Cache-Control"] = "public, max-age=3600"
    # Opened on its own, a picture or an SVG runs nothing and reaches nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
