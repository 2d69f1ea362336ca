"""What a `type` cell means: a question family, a group boundary, a metadata row, or a feature the
product cannot run (with its name, for the message). Spellings follow pyxform's aliases.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.questionnaire.xlsform.issues import N_

FAMILY_ALIASES = {
    "text": "text",
    "string": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "note": "note",
    "range": "range",
}
SELECT_PREFIXES = {  # longest first, compared word by word
    "add select multiple prompt using": "select_multiple",
    "add select one prompt using": "select_one",
    "select all that apply from": "select_multiple",
    "select all that apply": "select_multiple",
    "select one from": "select_one",
    "select_multiple": "select_multiple",
    "select_one": "select_one",
    "select one": "select_one",
    "select1": "select_one",
}
GROUP_BEGIN = ("begin group", "begin_group")
GROUP_END = ("end group", "end_group")
REPEAT_BEGIN = ("begin repeat", "begin_repeat", "begin loop", "begin_loop")
REPEAT_END = ("end repeat", "end_repeat", "end loop", "end_loop")
METADATA = {
    "start",
    "end",
    "today",
    "deviceid",
    "imei",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-audio",
    "instanceid",
}
UNSUPPORTED = {
    "geopoint": N_("GPS location"),
    "gps": N_("GPS location"),
    "geotrace": N_("GPS trace"),
    "geoshape": N_("GPS area"),
    "calculate": N_("calculation"),
    "hidden": N_("hidden field"),
    "image": N_("photo capture"),
    "photo": N_("photo capture"),
    "add image prompt": N_("photo capture"),
    "add photo prompt": N_("photo capture"),
    "audio": N_("audio recording"),
    "add audio prompt": N_("audio recording"),
    "video": N_("video recording"),
    "add video prompt": N_("video recording"),
    "file": N_("file upload"),
    "add file prompt": N_("file upload"),
    "barcode": N_("barcode scan"),
    "rank": N_("ranking"),
    "trigger": N_("acknowledgement"),
    "acknowledge": N_("acknowledgement"),
    "date": N_("date"),
    "time": N_("time"),
    "datetime": N_("date and time"),
    "select_one_from_file": N_("choices from a file"),
    "select_multiple_from_file": N_("choices from a file"),
    "select one from file": N_("choices from a file"),
    "select multiple from file": N_("choices from a file"),
    "select_one_external": N_("external choices"),
    "xml-external": N_("external data"),
    "csv-external": N_("external data"),
    "osm": N_("map (OpenStreetMap)"),
}
FEATURE_REPEAT = N_("repeat group")


@dataclass(frozen=True)
class Kind:
    """`what` is one of: question, begin_group, end_group, begin_repeat, end_repeat, metadata,
    unsupported, unknown, no_list."""

    what: str
    family: str = ""
    list_name: str | None = None
    or_other: bool = False
    feature: str = ""


def classify(type_text: str) -> Kind:
    words = type_text.split()
    lowered = " ".join(words).lower()
    if lowered in GROUP_BEGIN:
        return Kind("begin_group")
    if lowered in GROUP_END:
        return Kind("end_group")
    if lowered in REPEAT_BEGIN:
        return Kind("begin_repeat", feature=FEATURE_REPEAT)
    if lowered in REPEAT_END:
        return Kind("end_repeat")
    if lowered in METADATA or lowered.startswith("uri:"):
        return Kind("metadata")
    if lowered in FAMILY_ALIASES:
        return Kind("question", FAMILY_ALIASES[lowered])
    for prefix, feature in UNSUPPORTED.items():
        if lowered == prefix or lowered.startswith(prefix + " "):
            return Kind("unsupported", feature=feature)
    for prefix, family in SELECT_PREFIXES.items():
        size = len(prefix.split())
        if [w.lower() for w in words[:size]] == prefix.split():
            rest = words[size:]
            if not rest:
                return Kind("no_list", family)
            or_other = [w.lower() for w in rest[1:]] == ["or_other"]
            if len(rest) > 1 and not or_other:
                return Kind("unknown")
            return Kind("question", family, rest[0], or_other)
    return Kind("unknown")
