"""Easy mode through the test client: one question per screen with pictures (alt text and a text
label each), recordings where the questionnaire has them (declared, or found by name), a place
for the speech button elsewhere, conditions decided on the server, drafts resumed in easy mode
and language, single-use personal links and replay-safe open links."""

from __future__ import annotations

import re

from tests.survey_support import CSRF, SUBMISSION, answers_of, checked, responses


class Easy:
    def __init__(self, client, path: str):
        self.client, self.path = client, path

    def page(self, number) -> str:
        return self.client.get(f"{self.path}/easy/{number}").get_data(as_text=True)

    def post(self, number, answers=None, action="next", **extra):
        html = self.page(number)
        data = {"csrf_token": CSRF.search(html).group(1), "action": action, **(answers or {}), **extra}
        return self.client.post(f"{self.path}/easy/{number}", data=data)

    def send(self):
        html = self.client.get(f"{self.path}/easy/send").get_data(as_text=True)
        data = {"csrf_token": CSRF.search(html).group(1), "submission_id": SUBMISSION.search(html).group(1)}
        return self.client.post(f"{self.path}/easy/send", data=data), data


ANSWERS = [(2, {"q_confident": "4"}), (3, {"q_alone": "2"}), (4, {"q_trained": "no"}), (6, {"q_place": "home"}),
           (7, {"q_recommend": "9"}), (8, {"q_words": "Merci"})]  # fmt: skip


def test_the_intro_offers_easy_mode_and_a_campaign_can_make_it_the_default(easy_survey):
    app, db, token, _open, campaign = easy_survey
    client = app.test_client()
    intro = client.get(f"/s/{token}?lang=fr").get_data(as_text=True)
    assert f'<a class="button" href="/s/{token}/1">' in intro
    assert f'<a class="button button-secondary" href="/s/{token}/easy/1">' in intro
    db.execute("UPDATE campaign SET easy_mode = 1 WHERE id = ?", [campaign])
    intro = client.get(f"/s/{token}").get_data(as_text=True)
    assert f'<a class="button" href="/s/{token}/easy/1">' in intro


def test_one_question_per_screen_with_pictures_and_recordings(easy_survey):
    app, db, token, _open, _campaign = easy_survey
    easy = Easy(app.test_client(), f"/s/{token}")
    note = easy.page(1)
    assert (
        "<h1 data-speak-text>Bienvenue.</h1>" in note
        and '<img class="easy-image" src="/media/easy/welcome.png" alt="">' in note
    )
    assert "Question 1 sur 7" in note and note.count("<li class=") == 7  # "useful" is hidden until "yes"
    first = easy.page(2)
    assert "<legend><h1 data-speak-text>J&#39;ai plus confiance en moi.</h1></legend>" in first
    assert first.count('type="radio"') == 6 and "q_alone" not in first  # one question, its six answers
    faces = re.findall(r'<img class="easy-picture" src="/static/easy/(face-\d)\.svg" alt="([^"]+)"', first)
    assert faces == [("face-1", "visage très triste"), ("face-2", "visage triste"), ("face-3", "visage neutre"),
                     ("face-4", "visage souriant"), ("face-5", "visage très content")]  # fmt: skip
    assert 'src="/static/easy/dont-know.svg" alt="point d&#39;interrogation"' in first
    assert "Tout à fait d'accord</span>" in first  # each picture beside its words
    assert (
        '<audio controls preload="none" src="/media/easy/confident-fr.mp3" aria-label="Écouter la question">' in first
    )
    assert "data-speak " not in first  # a recording: no speech button needed
    easy.post(2, {"q_confident": "4"})
    reverse = easy.page(3)  # "I often feel alone": dots, not a smile beside agreeing
    assert "face-" not in reverse and "dots-5-of-5.svg" in reverse
    assert 'data-speak data-speak-label="Écouter"' in reverse and "<audio" not in reverse


def test_conditions_are_skipped_and_the_last_screen_sends_once(easy_survey):
    app, db, token, _open, _campaign = easy_survey
    easy = Easy(app.test_client(), f"/s/{token}")
    assert easy.post(1).headers["Location"].endswith("/easy/2")
    for number, answers in ANSWERS:
        response = easy.post(number, answers)
        assert response.status_code == 303, (number, response.get_data(as_text=True)[:300])
    assert response.headers["Location"].endswith("/easy/send")
    assert easy.client.get(f"/s/{token}/easy/5").headers["Location"].endswith("/easy/send")  # hidden: skipped
    sent, data = easy.send()
    assert sent.headers["Location"].endswith("/thanks")
    (stored,) = responses(db)
    assert answers_of(db, stored["id"])["trained"] == (0.0, None, 0) and "useful" not in answers_of(db, stored["id"])
    replay = easy.client.post(f"/s/{token}/easy/send", data=data)
    assert replay.headers["Location"].endswith("/thanks") and len(responses(db)) == 1
    assert "déjà" in easy.page(2)  # the personal link was used: "already answered"


def test_an_open_link_in_easy_mode_is_replay_safe(easy_survey):
    app, db, _token, open_token, _campaign = easy_survey
    easy = Easy(app.test_client(), f"/o/{open_token}")
    for number, answers in ANSWERS:
        easy.post(number, answers)
    first, data = easy.send()
    assert first.headers["Location"].endswith("/thanks")
    again = easy.client.post(f"/o/{open_token}/easy/send", data=data)
    assert again.headers["Location"].endswith("/thanks") and len(responses(db)) == 1


def test_required_answers_and_the_send_screen_wait_for_every_answer(easy_survey):
    app, _db, token, _open, _campaign = easy_survey
    easy = Easy(app.test_client(), f"/s/{token}")
    empty = easy.post(2, {})
    assert empty.status_code == 200 and "<title>Erreur" in empty.get_data(as_text=True)
    assert easy.client.get(f"/s/{token}/easy/send").headers["Location"].endswith("/easy/2")
    assert easy.client.get(f"/s/{token}/easy/7").headers["Location"].endswith("/easy/2")  # no skipping ahead


def test_a_draft_resumes_in_easy_mode_and_in_its_language_on_another_device(easy_survey):
    app, db, token, _open, _campaign = easy_survey
    easy = Easy(app.test_client(), f"/s/{token}")
    easy.client.get(f"/s/{token}?lang=nl")
    easy.post(2, {"q_confident": "5"})
    saved = easy.post(3, {}, action="save")
    assert saved.headers["Location"].endswith("/saved")
    assert f'href="/s/{token}/easy/3"' in easy.client.get(saved.headers["Location"]).get_data(as_text=True)
    other = app.test_client()  # another device: no cookie, French by default
    resumed = other.get(f"/s/{token}")
    assert resumed.headers["Location"] == f"/s/{token}/easy/3?lang=nl"
    page = other.get(resumed.headers["Location"]).get_data(as_text=True)
    assert '<html lang="nl">' in page and "Ik voel me vaak alleen." in page
    assert db.execute("SELECT mode, language FROM draft").fetchone() == ("easy", "nl")


def test_a_recording_found_by_its_name_plays_in_its_language_only(easy_survey):
    app, _db, token, _open, _campaign = easy_survey
    easy = Easy(app.test_client(), f"/s/{token}")
    easy.client.get(f"/s/{token}?lang=nl")
    for number, answers in ANSWERS[:2]:
        easy.post(number, answers)
    dutch = easy.page(4)
    assert 'src="/media/easy/trained.nl.mp3"' in dutch and "vinkje" in dutch and "kruisje" in dutch
    easy.client.get(f"/s/{token}/easy/4?lang=fr")
    assert "trained.nl.mp3" not in easy.page(4)
    media = easy.client.get("/media/easy/trained.nl.mp3")
    assert media.status_code == 200 and media.mimetype == "audio/mpeg"
    assert "sandbox" in media.headers["Content-Security-Policy"]
    for bad in ("/media/easy/..%2Fvises.db", "/media/easy/missing.mp3", "/media/..%2Feasy/welcome.png"):
        assert easy.client.get(bad).status_code == 404, bad


def test_an_option_picture_and_recording_replace_the_drawn_ones(easy_survey):
    app, _db, token, _open, _campaign = easy_survey
    easy = Easy(app.test_client(), f"/s/{token}")
    for number, answers in ANSWERS[:3]:
        easy.post(number, answers)
    place = easy.page(6)
    assert '<img class="easy-picture" src="/media/easy/home.png" alt="">' in place
    assert 'src="/media/easy/home-fr.mp3" aria-label="Écouter la réponse « À la maison »"' in place


def test_an_expired_token_in_easy_mode_keeps_the_answer_and_stores_nothing(easy_survey):
    app, db, token, _open, _campaign = easy_survey
    client = app.test_client()
    Easy(client, f"/s/{token}").page(2)
    data = {"csrf_token": "expired-or-forged", "action": "next", "q_confident": "4"}
    response = client.post(f"/s/{token}/easy/2", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Vos réponses sont toujours là" in html  # not the bare 400
    assert [i for i in re.findall(r'id="(q_confident-\d)"', html) if checked(html, i)] == ["q_confident-3"]
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0
    data["csrf_token"] = CSRF.search(html).group(1)
    assert client.post(f"/s/{token}/easy/2", data=data).status_code == 303
