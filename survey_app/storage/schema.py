"""Database schema as ordered sqlite-utils migrations.

Tables are created explicitly with types, keys and constraints. Add a new function at the end to
change the schema; never edit one that has shipped. Times are UTC ISO-8601 strings ending in "Z";
response and invitation dates are days only, so a response cannot be matched to an invitation by time.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

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
