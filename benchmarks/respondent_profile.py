"""Where a respondent request spends its time: the three requests of benchmarks/respondent.py run
in process (Flask test client, no server, no network), timed, then profiled with cProfile. First,
the survey page with the WSGI app called directly, survey fast path on and off.

Example: .venv/bin/python benchmarks/respondent_profile.py --requests 500 --top 25
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from respondent import PAGES, SETTINGS, links_with_drafts, seed_campaign  # noqa: E402


def scenarios(client, page_tokens: list[str], submit_tokens: list[str]):
    html = client.get(f"/s/{page_tokens[0]}/1").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    submits = iter(submit_tokens)

    def get(i: int) -> None:
        assert client.get(f"/s/{page_tokens[i % len(page_tokens)]}/1").status_code == 200

    def draft(i: int) -> None:
        fields = {"csrf_token": csrf, "action": "next", **PAGES[0]}
        assert client.post(f"/s/{page_tokens[i % len(page_tokens)]}/1", data=fields).status_code == 303

    def submit(_i: int) -> None:
        fields = {"csrf_token": csrf, "action": "submit", **PAGES[2]}
        response = client.post(f"/s/{next(submits)}/3", data=fields)
        assert response.status_code == 303 and response.location.endswith("/thanks")

    return {"survey page GET": get, "draft-save POST": draft, "final submit POST": submit}


def floor_scenarios(folder: str):
    """The bare Flask app of benchmarks/floor.py, through the same test client."""
    from floor import create_floor

    client = create_floor(f"{folder}/floor.db").test_client()
    return {
        "floor GET": lambda _i: client.get("/form"),
        "floor POST": lambda _i: client.post("/form", data={"q": "3"}),
    }


def cpu_per_request(work, requests: int, repeat: int) -> float:
    """Milliseconds of this process's CPU per request, the fastest of `repeat` passes."""
    timings = []
    for _ in range(repeat):
        started = time.process_time()
        for i in range(requests):
            work(i)
        timings.append((time.process_time() - started) / requests * 1000)
    return min(timings)


def direct_pages(app, client, tokens: list[str], requests: int, repeat: int) -> None:
    """The survey page with the WSGI app called directly (a ready environ, no test client), with
    the survey fast path on and off: what Flask's request handling costs a page."""
    from werkzeug.test import EnvironBuilder

    cookie = client.get_cookie("vises_session")
    environs = [
        EnvironBuilder(path=f"/s/{t}/1", headers={"Cookie": f"vises_session={cookie.value}"}).get_environ()
        for t in tokens
    ]

    def call(i: int) -> None:
        b"".join(app(dict(environs[i % len(environs)]), lambda *_: None))

    for fast in (True, False):
        app.config["SURVEY_FAST_PATH"] = fast
        for i in range(20):
            call(i)
        cost = cpu_per_request(call, requests, repeat)
        print(f"survey page GET, WSGI app called directly, fast path {'on' if fast else 'off'}: {cost:.3f} ms")
    app.config["SURVEY_FAST_PATH"] = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the fastest counts")
    parser.add_argument("--sort", default="cumulative", help="cumulative or tottime")
    parser.add_argument("--time-only", action="store_true", help="print the timings, no profile")
    parser.add_argument("--not-durable", action="store_true", help="final submits with synchronous=NORMAL")
    parser.add_argument("--only", help="profile only this scenario (a prefix of its name)")
    args = parser.parse_args()
    from survey_app import create_app
    from survey_app.respondent import submissions

    submissions.DURABLE_SUBMIT = not args.not_durable

    folder = tempfile.mkdtemp(prefix="vises-profile-")
    db_path = f"{folder}/app.db"
    campaign = seed_campaign(db_path)
    page_tokens = links_with_drafts(db_path, campaign, 200, pages=1)
    submit_tokens = links_with_drafts(db_path, campaign, (args.repeat + 1) * args.requests + 30, pages=2)
    app = create_app({"database.path": db_path, **SETTINGS})
    client = app.test_client()
    floors = floor_scenarios(folder)
    for token in page_tokens:  # each page seen once through Flask: its plans and form are built
        client.get(f"/s/{token}/1")
    direct_pages(app, client, page_tokens, args.requests, args.repeat)
    for name, work in scenarios(client, page_tokens, submit_tokens).items():
        if args.only and not name.startswith(args.only):
            continue
        floor = floors["floor GET" if "GET" in name else "floor POST"]
        for i in range(20):  # warm caches
            work(i)
            floor(i)
        per_request = cpu_per_request(work, args.requests, args.repeat)
        floor_cost = cpu_per_request(floor, args.requests, args.repeat)
        print(
            f"{name}: {per_request:.3f} ms of CPU a request in process (test client); "
            f"floor {floor_cost:.3f} ms; {per_request / floor_cost:.1f}x the floor"
        )
        if args.time_only:
            continue
        profile = cProfile.Profile(time.process_time)  # CPU time: other processes do not count
        profile.enable()
        for i in range(args.requests):
            work(i)
        profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
