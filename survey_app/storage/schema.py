"""Database schema as ordered sqlite-utils migrations.

Tables are created explicitly with types, keys and constraints. Add a new function at the end to
change the schema; never edit one that has shipped. Times are UTC ISO-8601 strings ending in "Z";
response and invitation dates are days only, so a response cannot be matched to an invitation by time.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from survey_app.storage.rebuild import rebuild_table

migrations = Migrations("vises")

LANGS = "('fr', 'nl', 'en')"
GROUPS = "('beneficiaries', 'workers', 'partners')"


@migrations()
def m001_accounts_and_enterprises(db: Database) -> None:
    db.executescript(f"""
    CREATE TABLE enterprise (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        sector_group TEXT NOT NULL CHECK (sector_group IN ('integration', 'care', 'other')),
        country TEXT NOT NULL CHECK (country IN ('BE', 'FR')),
        region TEXT NOT NULL DEFAULT '',
        default_language TEXT NOT NULL CHECK (default_language IN {LANGS}),
        benchmark_consent INTEGER NOT NULL DEFAULT 1 CHECK (benchmark_consent IN (0, 1)),
        created_at TEXT NOT NULL
    );
    CREATE TABLE user (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL DEFAULT '',
        password_hash TEXT,
        role TEXT NOT NULL CHECK (role IN ('admin', 'manager')),
        language TEXT NOT NULL DEFAULT 'fr' CHECK (language IN {LANGS}),
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at TEXT NOT NULL
    );
    CREATE TABLE membership (
        user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
        enterprise_id INTEGER NOT NULL REFERENCES enterprise(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, enterprise_id)
    );
    CREATE INDEX membership_enterprise ON membership(enterprise_id);
    -- One-time links (first admin setup, password reset, manager invitation): only a hash is kept.
    CREATE TABLE account_token (
        token_hash TEXT PRIMARY KEY,
        purpose TEXT NOT NULL CHECK (purpose IN ('setup', 'reset', 'invite')),
        user_id INTEGER REFERENCES user(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    );
    CREATE TABLE user_session (
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
        data TEXT NOT NULL DEFAULT '{{}}',
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    );
    CREATE INDEX user_session_user ON user_session(user_id);
    -- Fixed-window counters shared by every process (login and token look-ups).
    CREATE TABLE rate_limit (
        key TEXT PRIMARY KEY,
        window_start INTEGER NOT NULL,
        count INTEGER NOT NULL
    );
    """)


@migrations()
def m002_questionnaires_and_campaigns(db: Database) -> None:
    db.executescript(f"""
    CREATE TABLE questionnaire (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        stakeholder_group TEXT NOT NULL CHECK (stakeholder_group IN {GROUPS}),
        content_hash TEXT NOT NULL,
        source TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        PRIMARY KEY (id, version)
    );
    CREATE TABLE campaign (
        id INTEGER PRIMARY KEY,
        enterprise_id INTEGER NOT NULL REFERENCES enterprise(id) ON DELETE CASCADE,
        stakeholder_group TEXT NOT NULL CHECK (stakeholder_group IN {GROUPS}),
        questionnaire_id TEXT NOT NULL,
        questionnaire_version INTEGER NOT NULL,
        title TEXT NOT NULL,
        evaluative_question TEXT NOT NULL DEFAULT '',
        opens_at TEXT NOT NULL,
        closes_at TEXT NOT NULL,
        timezone TEXT NOT NULL,
        languages TEXT NOT NULL,
        expected_population INTEGER CHECK (expected_population IS NULL OR expected_population > 0),
        custom_questions TEXT NOT NULL DEFAULT '[]',
        open_token TEXT NOT NULL UNIQUE,
        open_link_enabled INTEGER NOT NULL DEFAULT 1 CHECK (open_link_enabled IN (0, 1)),
        closed_at TEXT,
        created_at TEXT NOT NULL,
        FOREIGN KEY (questionnaire_id, questionnaire_version)
            REFERENCES questionnaire(id, version),
        CHECK (closes_at > opens_at)
    );
    CREATE INDEX campaign_enterprise ON campaign(enterprise_id, stakeholder_group, closes_at);
    CREATE TABLE invitation (
        id INTEGER PRIMARY KEY,
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        token TEXT NOT NULL UNIQUE,
        short_code TEXT NOT NULL,
        created_at TEXT NOT NULL,
        opened_on TEXT,
        started_on TEXT,
        submitted_on TEXT,
        revoked_at TEXT,
        UNIQUE (campaign_id, short_code)
    );
    CREATE INDEX invitation_campaign ON invitation(campaign_id, submitted_on);
    -- Personal data, kept apart from invitations and never joined to responses.
    CREATE TABLE invitation_email (
        invitation_id INTEGER PRIMARY KEY REFERENCES invitation(id) ON DELETE CASCADE,
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        email TEXT NOT NULL COLLATE NOCASE,
        language TEXT NOT NULL CHECK (language IN {LANGS}),
        sent_at TEXT,
        reminded_at TEXT,
        last_error TEXT,
        UNIQUE (campaign_id, email)
    );
    """)


@migrations()
def m003_drafts_and_responses(db: Database) -> None:
    db.executescript(f"""
    CREATE TABLE draft (
        id INTEGER PRIMARY KEY,
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        invitation_id INTEGER UNIQUE REFERENCES invitation(id) ON DELETE CASCADE,
        browser_key TEXT UNIQUE,
        answers TEXT NOT NULL DEFAULT '{{}}',
        page INTEGER NOT NULL DEFAULT 0,
        language TEXT NOT NULL CHECK (language IN {LANGS}),
        updated_at TEXT NOT NULL,
        CHECK ((invitation_id IS NULL) <> (browser_key IS NULL))
    );
    CREATE INDEX draft_updated ON draft(updated_at);
    -- No invitation id, no e-mail, no time of day: a response cannot be traced to a person.
    CREATE TABLE response (
        id INTEGER PRIMARY KEY,
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        submission_id TEXT NOT NULL UNIQUE,
        language TEXT NOT NULL CHECK (language IN {LANGS}),
        channel TEXT NOT NULL CHECK (channel IN ('personal', 'open')),
        submitted_on TEXT NOT NULL
    );
    CREATE INDEX response_campaign ON response(campaign_id, id);
    CREATE TABLE answer (
        response_id INTEGER NOT NULL REFERENCES response(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        value_num REAL,
        value_text TEXT,
        dont_know INTEGER NOT NULL DEFAULT 0 CHECK (dont_know IN (0, 1)),
        PRIMARY KEY (response_id, question_id)
    ) WITHOUT ROWID;
    """)


@migrations()
def m004_pipeline_results(db: Database) -> None:
    db.executescript("""
    CREATE TABLE pipeline_run (
        id INTEGER PRIMARY KEY,
        trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'catch-up', 'manual', 'cli')),
        scope TEXT NOT NULL DEFAULT 'all',
        full INTEGER NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed')),
        counts TEXT NOT NULL DEFAULT '{}',
        error TEXT,
        response_watermark INTEGER
    );
    CREATE INDEX pipeline_run_status ON pipeline_run(status, started_at);
    -- One row per named lease: whoever holds an unexpired lease may run the pipeline.
    CREATE TABLE pipeline_lease (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        acquired_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    -- Suppressed cells keep only their key and reason: no n, no mean, nothing to leak.
    CREATE TABLE indicator_value (
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        enterprise_id INTEGER NOT NULL REFERENCES enterprise(id) ON DELETE CASCADE,
        stakeholder_group TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('indicator', 'dimension', 'nps')),
        key TEXT NOT NULL,
        suppressed INTEGER NOT NULL CHECK (suppressed IN (0, 1)),
        suppression_reason TEXT,
        n INTEGER,
        mean REAL,
        ci_low REAL,
        ci_high REAL,
        favourable_share REAL,
        previous_campaign_id INTEGER,
        delta REAL,
        delta_p REAL,
        delta_significant INTEGER,
        bench_peers INTEGER,
        bench_median REAL,
        bench_q1 REAL,
        bench_q3 REAL,
        bench_percentile REAL,
        questionnaire_id TEXT NOT NULL,
        questionnaire_version INTEGER NOT NULL,
        run_id INTEGER NOT NULL REFERENCES pipeline_run(id),
        PRIMARY KEY (campaign_id, kind, key),
        CHECK (suppressed = 0 OR (n IS NULL AND mean IS NULL))
    );
    CREATE INDEX indicator_value_enterprise ON indicator_value(enterprise_id, stakeholder_group);
    CREATE INDEX indicator_value_benchmark ON indicator_value(stakeholder_group, kind, key);
    CREATE TABLE campaign_summary (
        campaign_id INTEGER PRIMARY KEY REFERENCES campaign(id) ON DELETE CASCADE,
        submitted INTEGER NOT NULL,
        invited INTEGER NOT NULL,
        expected INTEGER,
        response_rate REAL,
        run_id INTEGER NOT NULL REFERENCES pipeline_run(id)
    );
    CREATE TABLE custom_result (
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        option TEXT NOT NULL,
        suppressed INTEGER NOT NULL CHECK (suppressed IN (0, 1)),
        count INTEGER,
        share REAL,
        n INTEGER,
        mean REAL,
        run_id INTEGER NOT NULL REFERENCES pipeline_run(id),
        PRIMARY KEY (campaign_id, question_id, option)
    );
    CREATE TABLE testimony (
        response_id INTEGER NOT NULL REFERENCES response(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        language TEXT NOT NULL,
        text TEXT NOT NULL,
        run_id INTEGER NOT NULL REFERENCES pipeline_run(id),
        PRIMARY KEY (response_id, question_id)
    );
    CREATE INDEX testimony_campaign ON testimony(campaign_id);
    -- Kept apart from `testimony` so that a pipeline run replacing testimonies keeps the choice.
    CREATE TABLE testimony_hidden (
        response_id INTEGER NOT NULL REFERENCES response(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        hidden_by INTEGER REFERENCES user(id) ON DELETE SET NULL,
        hidden_at TEXT NOT NULL,
        PRIMARY KEY (response_id, question_id)
    );
    CREATE TABLE chart (
        enterprise_id INTEGER NOT NULL REFERENCES enterprise(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        language TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('png', 'svg')),
        content_hash TEXT NOT NULL,
        path TEXT NOT NULL,
        alt_text TEXT NOT NULL,
        run_id INTEGER NOT NULL REFERENCES pipeline_run(id),
        PRIMARY KEY (enterprise_id, name, language, format)
    );
    """)


@migrations()
def m010_indicator_sd(db: Database) -> None:
    # The standard deviation lets a later incremental run test a trend (Welch) against a wave it
    # does not recompute; suppressed rows keep it NULL like every other figure.
    db.execute("ALTER TABLE indicator_value ADD COLUMN sd REAL")
    db.execute("CREATE INDEX IF NOT EXISTS pipeline_run_scope ON pipeline_run(scope, status, id)")


@migrations()
def m100_pipeline_kept_sums(db: Database) -> None:
    # Pipeline (R2 4/9): each response is scored once; per-campaign sums are kept with the scores.
    # Scores are exact micro-points (see pipeline/scoring.py); square sums are kept in three parts
    # (high*high, high*low, low*low of q = high * 10000 + low) so that no SUM overflows 64 bits.
    db.executescript("""
    CREATE TABLE response_score (
        response_id INTEGER NOT NULL REFERENCES response(id) ON DELETE CASCADE,
        campaign_id INTEGER NOT NULL,
        indicator TEXT NOT NULL,
        score REAL NOT NULL,
        published_score REAL,
        band TEXT,
        PRIMARY KEY (response_id, indicator)
    ) WITHOUT ROWID;
    CREATE TABLE score_sums (
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        indicator TEXT NOT NULL,
        n INTEGER NOT NULL,
        total INTEGER NOT NULL,
        squares_high INTEGER NOT NULL,
        squares_cross INTEGER NOT NULL,
        squares_low INTEGER NOT NULL,
        favourable INTEGER NOT NULL,
        PRIMARY KEY (campaign_id, indicator)
    ) WITHOUT ROWID;
    CREATE TABLE option_count (
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        value_num REAL,
        value_text TEXT,
        count INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX option_count_key
        ON option_count(campaign_id, question_id, COALESCE(value_num, 'text'), COALESCE(value_text, ''));
    CREATE TABLE score_campaign (
        campaign_id INTEGER PRIMARY KEY REFERENCES campaign(id) ON DELETE CASCADE,
        responses INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        plan TEXT NOT NULL
    );
    -- Campaigns to rebuild from their raw answers; no foreign key: a deleted campaign's mark is harmless.
    CREATE TABLE score_stale (campaign_id INTEGER PRIMARY KEY);
    CREATE TABLE score_watermark (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        watermark INTEGER NOT NULL
    );
    INSERT INTO score_watermark (id, watermark) VALUES (1, 0);
    CREATE TRIGGER response_deleted_rescore AFTER DELETE ON response
    BEGIN
        INSERT OR IGNORE INTO score_stale (campaign_id) VALUES (old.campaign_id);
    END;
    -- Ids are reused after the highest one is deleted: such a response would sit below the watermark.
    CREATE TRIGGER response_below_watermark AFTER INSERT ON response
    WHEN new.id <= (SELECT watermark FROM score_watermark)
    BEGIN
        INSERT OR IGNORE INTO score_stale (campaign_id) VALUES (new.campaign_id);
    END;
    CREATE TABLE published_wave (
        campaign_id INTEGER PRIMARY KEY REFERENCES campaign(id) ON DELETE CASCADE,
        generation INTEGER NOT NULL,
        respondents INTEGER NOT NULL,
        closed INTEGER NOT NULL CHECK (closed IN (0, 1)),
        min_group INTEGER NOT NULL,
        previous_id INTEGER,
        texts INTEGER NOT NULL CHECK (texts IN (0, 1)),
        run_id INTEGER NOT NULL REFERENCES pipeline_run(id)
    );
    CREATE TABLE benchmark_pool (
        pool TEXT PRIMARY KEY,
        signature TEXT NOT NULL
    );
    """)


@migrations()
def m140_answered_flags_and_response_weeks(db: Database) -> None:
    # A response and its invitation must not share a date: on a day with one submission the date
    # alone linked an answer to an e-mail address. The invitation keeps only flags (opened,
    # started, answered: all the follow-up counts need), the response only its ISO week.
    from datetime import date

    from survey_app.core.timeutil import iso_week

    db.executescript("""
    ALTER TABLE invitation ADD COLUMN opened INTEGER NOT NULL DEFAULT 0 CHECK (opened IN (0, 1));
    ALTER TABLE invitation ADD COLUMN started INTEGER NOT NULL DEFAULT 0 CHECK (started IN (0, 1));
    ALTER TABLE invitation ADD COLUMN answered INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1));
    UPDATE invitation SET opened = opened_on IS NOT NULL, started = started_on IS NOT NULL,
        answered = submitted_on IS NOT NULL;
    DROP INDEX IF EXISTS invitation_campaign;
    ALTER TABLE invitation DROP COLUMN opened_on;
    ALTER TABLE invitation DROP COLUMN started_on;
    ALTER TABLE invitation DROP COLUMN submitted_on;
    CREATE INDEX invitation_campaign ON invitation(campaign_id, answered);
    ALTER TABLE response ADD COLUMN submitted_week TEXT NOT NULL DEFAULT '';
    """)
    days = [r[0] for r in db.execute("SELECT DISTINCT submitted_on FROM response").fetchall()]
    for day in days:
        week = iso_week(date.fromisoformat(day))
        db.execute("UPDATE response SET submitted_week = ? WHERE submitted_on = ?", [week, day])
    db.execute("ALTER TABLE response DROP COLUMN submitted_on")


@migrations()
def m141_campaign_responses_exportable(db: Database) -> None:
    # Per-response exports only for campaigns whose respondents were told so before answering.
    # Off for every existing campaign: their respondents read that the enterprise never sees one
    # person's answers (docs/backoffice.md, "Exporting the responses").
    db.execute(
        "ALTER TABLE campaign ADD COLUMN responses_exportable INTEGER NOT NULL DEFAULT 0 "
        "CHECK (responses_exportable IN (0, 1))"
    )


@migrations()
def m142_response_week_index(db: Database) -> None:
    # Exports walk a campaign's responses week by week, by random submission id (export_policy.py).
    db.execute("CREATE INDEX response_week ON response(campaign_id, submitted_week, submission_id)")


@migrations()
def m160_instruments(db: Database) -> None:
    # Validated instruments are registered like questionnaires (a used version never changes);
    # a campaign pins its instruments as a JSON list of [id, version] pairs, read with the campaign row.
    db.executescript("""
    CREATE TABLE instrument (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        source TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        PRIMARY KEY (id, version)
    );
    ALTER TABLE campaign ADD COLUMN instruments TEXT NOT NULL DEFAULT '[]';
    """)


@migrations()
def m180_refresh_requests(db: Database) -> None:
    # Recomputes asked for outside the weekly schedule: a manager's "refresh now", an admin's, or a
    # campaign that closed. Any process may take one (the pipeline lease still allows a single run).
    db.executescript("""
    CREATE TABLE refresh_request (
        id INTEGER PRIMARY KEY,
        enterprise_id INTEGER REFERENCES enterprise(id) ON DELETE CASCADE,  -- NULL: every enterprise
        campaign_id INTEGER REFERENCES campaign(id) ON DELETE CASCADE,  -- the campaign that closed
        reason TEXT NOT NULL CHECK (reason IN ('manager', 'admin', 'campaign-closed')),
        requested_by INTEGER REFERENCES user(id) ON DELETE SET NULL,
        requested_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
        holder TEXT,
        started_at TEXT,
        finished_at TEXT,
        step TEXT,
        run_id INTEGER REFERENCES pipeline_run(id) ON DELETE SET NULL
    );
    CREATE INDEX refresh_request_status ON refresh_request(status, id);
    CREATE INDEX refresh_request_enterprise ON refresh_request(enterprise_id, id);
    CREATE INDEX refresh_request_run ON refresh_request(run_id);
    -- A campaign's closing is queued once, however many processes notice it.
    CREATE UNIQUE INDEX refresh_request_closing ON refresh_request(campaign_id) WHERE reason = 'campaign-closed';
    """)


@migrations()
def m181_charts_cached_by_hash(db: Database) -> None:
    # Charts are now files named by the content hash of what they show (pipeline/charts/cache.py),
    # drawn on demand: the index table of pre-drawn files has no reader left.
    db.execute("DROP TABLE IF EXISTS chart")


@migrations()
def m200_public_pages(db: Database) -> None:
    # A public valorisation page: published by a manager (opt-in) for a campaign or, with
    # campaign_id NULL, for the enterprise's latest wave of each group. The token is the only way in;
    # revoking sets revoked_at, and the page answers 404 from that moment. At most one live page per scope.
    db.executescript("""
    CREATE TABLE public_page (
        id INTEGER PRIMARY KEY,
        enterprise_id INTEGER NOT NULL REFERENCES enterprise(id) ON DELETE CASCADE,
        campaign_id INTEGER REFERENCES campaign(id) ON DELETE CASCADE,
        token TEXT NOT NULL UNIQUE,
        own_words TEXT NOT NULL DEFAULT '',
        allow_indexing INTEGER NOT NULL DEFAULT 0 CHECK (allow_indexing IN (0, 1)),
        published_by INTEGER REFERENCES user(id) ON DELETE SET NULL,
        published_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE UNIQUE INDEX public_page_live ON public_page(enterprise_id, ifnull(campaign_id, 0))
        WHERE revoked_at IS NULL;
    -- The testimonies the manager chose to show; a quote hidden from the report is never shown.
    CREATE TABLE public_page_quote (
        page_id INTEGER NOT NULL REFERENCES public_page(id) ON DELETE CASCADE,
        response_id INTEGER NOT NULL REFERENCES response(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        PRIMARY KEY (page_id, response_id, question_id)
    );
    """)


@migrations()
def m201_typed_short_codes(db: Database) -> None:
    # Codes typed at /code must lead to one survey whatever the campaign: new codes (seven
    # characters, the last a check) are unique across all campaigns; older six-character codes stay
    # unique per campaign only and are accepted when no other campaign shares them. Open links get a
    # code too, for posters read by people without a camera.
    from survey_app.core.short_codes import new_code

    db.executescript("""
    ALTER TABLE campaign ADD COLUMN open_code TEXT;
    CREATE UNIQUE INDEX campaign_open_code ON campaign(open_code) WHERE open_code IS NOT NULL;
    CREATE INDEX invitation_short_code ON invitation(short_code);
    CREATE UNIQUE INDEX invitation_typed_code ON invitation(short_code) WHERE length(short_code) = 7;
    """)
    used = {row[0] for row in db.execute("SELECT short_code FROM invitation WHERE length(short_code) = 7")}
    for (campaign_id,) in db.execute("SELECT id FROM campaign ORDER BY id").fetchall():
        code = new_code()
        while code in used:
            code = new_code()
        used.add(code)
        db.execute("UPDATE campaign SET open_code = ? WHERE id = ?", [code, campaign_id])


@migrations()
def m220_mail_outbox(db: Database) -> None:
    import secrets

    db.executescript("""
    -- Every e-mail, written in the transaction that decides to send it; the scheduler delivers it.
    -- Campaign mails (invitation, reminder) hold no address and no link: both are read from
    -- invitation_email at delivery. Account and digest mails hold their text until delivered.
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'welcome', 'reset', 'digest')),
        campaign_id INTEGER REFERENCES campaign(id) ON DELETE CASCADE,
        invitation_id INTEGER REFERENCES invitation(id) ON DELETE CASCADE,
        automatic INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1)),
        recipient TEXT,
        subject TEXT,
        text_body TEXT,
        html_body TEXT,
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        CHECK ((invitation_id IS NULL) = (kind NOT IN ('invitation', 'reminder')))
    );
    CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
    CREATE INDEX outbox_campaign ON outbox(campaign_id, kind, status);
    CREATE INDEX outbox_invitation ON outbox(invitation_id, status);
    CREATE INDEX outbox_sent ON outbox(sent_at);
    -- One row: who delivers (a lease, so two schedulers never send the same message) and whether
    -- the mail server answered the last time (a paused outbox retries later: nothing is lost).
    CREATE TABLE outbox_state (
        name TEXT PRIMARY KEY,
        holder TEXT,
        expires_at TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        paused_until TEXT,
        last_error TEXT,
        failing_since TEXT
    );
    -- Addresses that unsubscribed from a campaign, as salted hashes: a list pasted again skips them.
    CREATE TABLE unsubscribed (
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        email_hash TEXT NOT NULL,
        unsubscribed_on TEXT NOT NULL,
        PRIMARY KEY (campaign_id, email_hash)
    );
    ALTER TABLE invitation_email ADD COLUMN reminders INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE invitation_email ADD COLUMN unsubscribe_token TEXT;
    """)
    rows = [r[0] for r in db.execute("SELECT invitation_id FROM invitation_email")]
    db.conn.executemany(
        "UPDATE invitation_email SET unsubscribe_token = ? WHERE invitation_id = ?",
        [(secrets.token_urlsafe(16), i) for i in rows],
    )
    db.execute("CREATE UNIQUE INDEX invitation_email_unsubscribe ON invitation_email(unsubscribe_token)")


@migrations()
def m221_campaign_reminders_and_texts(db: Database) -> None:
    db.executescript(f"""
    -- Automatic reminders of a campaign: up to `count`, `interval_days` after the invitation or the
    -- previous reminder, none later than `days_before_close` days before closing. No row: none.
    CREATE TABLE campaign_reminder_plan (
        campaign_id INTEGER PRIMARY KEY REFERENCES campaign(id) ON DELETE CASCADE,
        count INTEGER NOT NULL CHECK (count BETWEEN 0 AND 5),
        interval_days INTEGER NOT NULL CHECK (interval_days BETWEEN 1 AND 60),
        days_before_close INTEGER NOT NULL CHECK (days_before_close BETWEEN 0 AND 60)
    );
    -- Invitation and reminder texts edited for one campaign, per language (defaults otherwise).
    CREATE TABLE campaign_mail_text (
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
        language TEXT NOT NULL CHECK (language IN {LANGS}),
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (campaign_id, kind, language)
    );
    """)


@migrations()
def m222_audit_log(db: Database) -> None:
    db.executescript("""
    -- Who changed what in the back office. Append-only: triggers refuse every UPDATE, and every
    -- DELETE except the retention purge's (which names its cutoff in audit_purge for its transaction).
    -- No foreign keys: a cascade must never rewrite the trail. Never answers, never e-mail addresses.
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL CHECK (actor IN ('user', 'cli', 'scheduler')),
        actor_id INTEGER,
        action TEXT NOT NULL,
        object_type TEXT NOT NULL DEFAULT '',
        object_id TEXT NOT NULL DEFAULT '',
        enterprise_id INTEGER,
        details TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_log_at ON audit_log(at);
    CREATE INDEX audit_log_enterprise ON audit_log(enterprise_id, at);
    CREATE TABLE audit_purge (cutoff TEXT NOT NULL);
    CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge WHERE OLD.at < cutoff)
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: only the retention purge deletes'); END;
    """)


@migrations()
def m223_two_factor(db: Database) -> None:
    db.executescript("""
    -- TOTP secret of a user (confirmed once a first code matched) and the last time step used,
    -- so a code seen once is refused for the rest of its window.
    CREATE TABLE user_totp (
        user_id INTEGER PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
        secret TEXT NOT NULL,
        created_at TEXT NOT NULL,
        confirmed_at TEXT,
        last_step INTEGER NOT NULL DEFAULT 0
    );
    -- Recovery codes: shown once, kept as SHA-256 hashes, each usable once.
    CREATE TABLE recovery_code (
        user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
        code_hash TEXT NOT NULL,
        used_at TEXT,
        PRIMARY KEY (user_id, code_hash)
    );
    -- A session is 'done' once fully signed in; 'code' waits for the second factor, 'enrol' for
    -- the enrolment that the user's role requires.
    ALTER TABLE user_session ADD COLUMN second_factor TEXT NOT NULL DEFAULT 'done'
        CHECK (second_factor IN ('done', 'code', 'enrol'));
    -- Sessions opened before two-factor sign-in existed sign in again, with it.
    DELETE FROM user_session;
    """)


@migrations()
def m240_response_channel(db: Database) -> None:
    # How the answers were given is the response's `channel`: by the respondent (self), to an
    # interviewer, or on paper (both entered in the back office). The link it came through moves to
    # `link` (personal or open), so the counts and rates that read personal/open keep working.
    rebuild_table(
        db,
        "response",
        {
            "channel TEXT NOT NULL CHECK (channel IN ('personal', 'open'))": (
                "link TEXT NOT NULL CHECK (link IN ('personal', 'open')),\n"
                "        channel TEXT NOT NULL DEFAULT 'self' CHECK (channel IN ('self', 'interview', 'paper'))"
            )
        },
        {"link": "channel", "channel": "'self'"},
    )


@migrations()
def m241_interviewer_role(db: Database) -> None:
    # Interviewers enter answers for the enterprises of their memberships, and nothing else.
    rebuild_table(
        db,
        "user",
        {"CHECK (role IN ('admin', 'manager'))": "CHECK (role IN ('admin', 'manager', 'interviewer'))"},
    )


@migrations()
def m242_reaching_everyone(db: Database) -> None:
    db.executescript("""
    -- Easy mode for everyone (one question per screen, pictures, read aloud); a respondent can also choose it.
    ALTER TABLE campaign ADD COLUMN easy_mode INTEGER NOT NULL DEFAULT 0 CHECK (easy_mode IN (0, 1));
    -- Shared tablets: an open link of their own, with a ceiling of responses per hour.
    CREATE TABLE kiosk (
        id INTEGER PRIMARY KEY,
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        token TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        hourly_limit INTEGER NOT NULL CHECK (hourly_limit BETWEEN 1 AND 1000),
        created_at TEXT NOT NULL,
        removed_at TEXT
    );
    CREATE INDEX kiosk_campaign ON kiosk(campaign_id);
    -- Answers entered in the back office, counted per account: no response id, no time, so an
    -- account can never be matched to a response.
    CREATE TABLE entry_count (
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
        channel TEXT NOT NULL CHECK (channel IN ('interview', 'paper')),
        count INTEGER NOT NULL CHECK (count > 0),
        PRIMARY KEY (campaign_id, user_id, channel)
    );
    -- The mode a draft was answered in (resumed in the same one) and the tablet of a kiosk draft
    -- (cleared when idle).
    ALTER TABLE draft ADD COLUMN mode TEXT NOT NULL DEFAULT 'standard' CHECK (mode IN ('standard', 'easy'));
    ALTER TABLE draft ADD COLUMN kiosk_id INTEGER REFERENCES kiosk(id) ON DELETE CASCADE;
    """)


@migrations()
def m260_follow_up_series(db: Database) -> None:
    db.executescript(f"""
    -- Distance travelled (R2 8/9): campaigns of one stakeholder group of one enterprise, in order
    -- (position 0 is the baseline), linked by a code only the respondent holds.
    CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        enterprise_id INTEGER NOT NULL REFERENCES enterprise(id) ON DELETE CASCADE,
        stakeholder_group TEXT NOT NULL CHECK (stakeholder_group IN {GROUPS}),
        name TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('questions', 'card')),
        questions TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'ended', 'erased')),
        created_at TEXT NOT NULL
    );
    CREATE INDEX series_enterprise ON series(enterprise_id);
    CREATE TABLE series_campaign (
        campaign_id INTEGER PRIMARY KEY REFERENCES campaign(id) ON DELETE CASCADE,
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        position INTEGER NOT NULL CHECK (position >= 0),
        UNIQUE (series_id, position)
    );
    -- The keyed hash (HMAC-SHA256, key in the instance folder) of a respondent's code, per response.
    -- Apart from the response row, never shown to managers, never exported.
    CREATE TABLE series_link (
        response_id INTEGER PRIMARY KEY REFERENCES response(id) ON DELETE CASCADE,
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        code_hash TEXT NOT NULL
    );
    CREATE INDEX series_link_hash ON series_link(series_id, code_hash);
    -- One keyed hash per "code with element i masked" (question codes): one-element fuzzy matching.
    CREATE TABLE series_link_mask (
        response_id INTEGER NOT NULL REFERENCES series_link(response_id) ON DELETE CASCADE,
        element INTEGER NOT NULL,
        mask_hash TEXT NOT NULL,
        PRIMARY KEY (response_id, element)
    ) WITHOUT ROWID;
    -- Pipeline: matched pairs of responses (between two closed waves) and their paired results.
    CREATE TABLE series_pair (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        from_response INTEGER NOT NULL REFERENCES response(id) ON DELETE CASCADE,
        to_response INTEGER NOT NULL REFERENCES response(id) ON DELETE CASCADE,
        fuzzy INTEGER NOT NULL CHECK (fuzzy IN (0, 1)),
        PRIMARY KEY (from_response, to_response)
    ) WITHOUT ROWID;
    CREATE TABLE paired_result (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        from_campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        to_campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        indicator TEXT NOT NULL,
        pairs INTEGER NOT NULL,
        fuzzy_pairs INTEGER NOT NULL,
        follow_ups INTEGER NOT NULL,
        suppressed INTEGER NOT NULL CHECK (suppressed IN (0, 1)),
        mean_before REAL,
        mean_after REAL,
        mean_change REAL,
        ci_low REAL,
        ci_high REAL,
        p_value REAL,
        significant INTEGER,
        improved REAL,
        unchanged REAL,
        worsened REAL,
        match_rate REAL,
        PRIMARY KEY (from_campaign_id, to_campaign_id, indicator)
    ) WITHOUT ROWID;
    CREATE TABLE series_signature (
        series_id INTEGER PRIMARY KEY REFERENCES series(id) ON DELETE CASCADE,
        signature TEXT NOT NULL
    );
    """)


@migrations()
def m120_export_jobs(db: Database) -> None:
    # Exports built in the background (storage/export_jobs.py): every web process sees their state.
    db.executescript(f"""
    CREATE TABLE export_job (
        id INTEGER PRIMARY KEY,
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('csv', 'xlsx')),
        language TEXT NOT NULL CHECK (language IN {LANGS}),
        labels INTEGER NOT NULL CHECK (labels IN (0, 1)),
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ready', 'failed')),
        rows_total INTEGER NOT NULL,
        rows_done INTEGER NOT NULL DEFAULT 0,
        file_name TEXT NOT NULL UNIQUE,
        size INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        expires_at TEXT
    );
    CREATE INDEX export_job_campaign ON export_job(campaign_id, id);
    """)


@migrations()
def m161_published_scores(db: Database) -> None:
    # Validated instruments (R2 3/9 phase B): the published score of an indicator with a declared
    # scoring is kept beside its 0-100 form. Kept sums of it (micro-points, squares in three parts
    # like score_sums) and per-band respondent counts; saved figures next to the 0-100 ones and
    # band counts and shares per wave. Suppressed indicators have no published figures and no bands.
    db.executescript("""
    ALTER TABLE score_sums ADD COLUMN published_total INTEGER;
    ALTER TABLE score_sums ADD COLUMN published_high INTEGER;
    ALTER TABLE score_sums ADD COLUMN published_cross INTEGER;
    ALTER TABLE score_sums ADD COLUMN published_low INTEGER;
    CREATE TABLE score_band_count (
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        indicator TEXT NOT NULL,
        band TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (campaign_id, indicator, band)
    ) WITHOUT ROWID;
    ALTER TABLE indicator_value ADD COLUMN published_mean REAL;
    ALTER TABLE indicator_value ADD COLUMN published_sd REAL;
    ALTER TABLE indicator_value ADD COLUMN published_ci_low REAL;
    ALTER TABLE indicator_value ADD COLUMN published_ci_high REAL;
    CREATE TABLE indicator_band (
        campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        indicator TEXT NOT NULL,
        band TEXT NOT NULL,
        count INTEGER NOT NULL,
        share REAL NOT NULL,
        run_id INTEGER NOT NULL REFERENCES pipeline_run(id),
        PRIMARY KEY (campaign_id, indicator, band)
    );
    -- Campaigns with instruments were scored without them until now: score them again.
    INSERT OR IGNORE INTO score_stale (campaign_id) SELECT id FROM campaign WHERE instruments != '[]';
    """)


@migrations()
def m130_result_digest(db: Database) -> None:
    # A digest of each wave's own result rows (pipeline/digests.py), written with them: a run over
    # every campaign tells unchanged waves without reading their 60,000+ rows back.
    db.executescript("""
    CREATE TABLE result_digest (
        campaign_id INTEGER PRIMARY KEY REFERENCES campaign(id) ON DELETE CASCADE,
        digest BLOB NOT NULL
    );
    """)


@migrations()
def m131_answered_link_drops_draft(db: Database) -> None:
    # A personal link's draft goes the moment the link is marked answered, whichever code marks it:
    # a submitted questionnaire leaves no half-filled copy behind, and a submit makes one statement
    # less in the durable transaction it shares with the others (docs/performance.md).
    db.executescript("""
    CREATE TRIGGER invitation_answered_drops_draft AFTER UPDATE OF answered ON invitation
    WHEN new.answered = 1 AND old.answered = 0
    BEGIN
        DELETE FROM draft WHERE invitation_id = new.id;
    END;
    """)


@migrations()
def m270_benchmarks_read_from_pools(db: Database) -> None:
    # Benchmark fields are worked out when a cell is read, from one row per pool (its peers) and one
    # per compared wave (survey_app/domain/benchmarks.py): a peer's new wave rewrote the fields of
    # every member of its pools, 27,000 stored cells at 1,000 enterprises. The old signatures hashed
    # something else: emptied, so the next run stores every pool; a refresh is queued for it when
    # there are results already, so benchmarks are back within a minute of the upgrade.
    db.executescript("""
    DELETE FROM benchmark_pool;
    ALTER TABLE benchmark_pool ADD COLUMN peers TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE benchmark_wave (
        campaign_id INTEGER PRIMARY KEY REFERENCES campaign(id) ON DELETE CASCADE,
        sector_group TEXT NOT NULL,
        min_peers INTEGER NOT NULL
    );
    ALTER TABLE indicator_value DROP COLUMN bench_peers;
    ALTER TABLE indicator_value DROP COLUMN bench_median;
    ALTER TABLE indicator_value DROP COLUMN bench_q1;
    ALTER TABLE indicator_value DROP COLUMN bench_q3;
    ALTER TABLE indicator_value DROP COLUMN bench_percentile;
    INSERT INTO refresh_request (reason, requested_at)
    SELECT 'admin', strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE EXISTS (SELECT 1 FROM indicator_value);
    """)


@migrations()
def m271_testimonies_added_not_read_again(db: Database) -> None:
    # A wave whose kept sums only grew since its testimonies were read adds those of its new
    # responses instead of reading and rewriting them all (pipeline/publish.py: texts_to_read).
    # `rebuilds` counts the rebuilds of a campaign's sums from its raw answers (and `--full`
    # resets): one since the texts were read means reading them all again. Waves published
    # before this migration have no texts watermark: their next publication reads them all.
    db.executescript("""
    ALTER TABLE score_campaign ADD COLUMN rebuilds INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE published_wave ADD COLUMN texts_watermark INTEGER;
    ALTER TABLE published_wave ADD COLUMN rebuilds INTEGER;
    """)


@migrations()
def m272_no_benchmark_index_on_cells(db: Database) -> None:
    # Benchmarks are read from pools since m270: nothing looks cells up by (group, kind, key) any
    # more, and keeping that index up to date was a fifth of the time of saving every cell (`--full`).
    db.execute("DROP INDEX IF EXISTS indicator_value_benchmark")
