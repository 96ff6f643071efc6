/* store_schema.c - the database schema as a list of migrations.
 *
 * Migration i (0-based) brings the schema from version i to i + 1; the
 * runner (store.c) applies the missing ones in one transaction and records
 * each in schema_version.  Rules: never edit a migration that has shipped,
 * append a new one; keep to SQL that PostgreSQL also understands where
 * that costs nothing (TEXT enums with CHECK, INTEGER times, no SQLite-only
 * types); a migration runs with foreign keys ON.  The tables are explained
 * in docs/data-model.md.
 */
#include <stddef.h>

#include "store_int.h"

static const char v1[] =
    /* Organizations form a tree: central > regional > primary. */
    "CREATE TABLE organization ("
    "  id INTEGER PRIMARY KEY,"
    "  parent_id INTEGER REFERENCES organization(id) ON DELETE RESTRICT,"
    "  level TEXT NOT NULL CHECK (level IN ('central', 'regional', 'primary')),"
    "  name TEXT NOT NULL CHECK (length(name) > 0),"
    "  created_at INTEGER NOT NULL,"
    "  CHECK ((level = 'central') = (parent_id IS NULL))"
    ");"
    "CREATE UNIQUE INDEX organization_name"
    "  ON organization (ifnull(parent_id, 0), name);"

    /* A person; the e-mail is the login, unique in any ASCII case. */
    "CREATE TABLE person ("
    "  id INTEGER PRIMARY KEY,"
    "  organization_id INTEGER REFERENCES organization(id) ON DELETE SET NULL,"
    "  full_name TEXT NOT NULL CHECK (length(full_name) > 0),"
    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  phone TEXT,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX person_organization ON person (organization_id);"

    /* At most one account per person; guests may have none. */
    "CREATE TABLE account ("
    "  person_id INTEGER PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE,"
    "  password_hash TEXT,"
    "  blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),"
    "  must_change_password INTEGER NOT NULL DEFAULT 1"
    "    CHECK (must_change_password IN (0, 1)),"
    "  platform_admin INTEGER NOT NULL DEFAULT 0"
    "    CHECK (platform_admin IN (0, 1)),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"

    "CREATE TABLE org_admin ("
    "  organization_id INTEGER NOT NULL"
    "    REFERENCES organization(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (organization_id, person_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX org_admin_person ON org_admin (person_id);"

    /* A body (presidium, board...) with its quorum rule. */
    "CREATE TABLE body ("
    "  id INTEGER PRIMARY KEY,"
    "  organization_id INTEGER NOT NULL"
    "    REFERENCES organization(id) ON DELETE RESTRICT,"
    "  name TEXT NOT NULL CHECK (length(name) > 0),"
    "  quorum_num INTEGER NOT NULL DEFAULT 1,"
    "  quorum_den INTEGER NOT NULL DEFAULT 2,"
    "  quorum_mode TEXT NOT NULL DEFAULT 'more_than'"
    "    CHECK (quorum_mode IN ('more_than', 'at_least')),"
    "  CHECK (quorum_den > 0 AND quorum_num >= 0 AND quorum_num <= quorum_den),"
    "  UNIQUE (organization_id, name)"
    ");"
    "CREATE TABLE body_member ("
    "  body_id INTEGER NOT NULL REFERENCES body(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
    "  role TEXT NOT NULL CHECK (role IN ('chair', 'secretary', 'member')),"
    "  voting INTEGER NOT NULL CHECK (voting IN (0, 1)),"
    "  PRIMARY KEY (body_id, person_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX body_member_person ON body_member (person_id);"

    "CREATE TABLE course ("
    "  id INTEGER PRIMARY KEY,"
    "  organization_id INTEGER NOT NULL"
    "    REFERENCES organization(id) ON DELETE RESTRICT,"
    "  name TEXT NOT NULL CHECK (length(name) > 0),"
    "  UNIQUE (organization_id, name)"
    ");"
    "CREATE TABLE course_member ("
    "  course_id INTEGER NOT NULL REFERENCES course(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
    "  role TEXT NOT NULL CHECK (role IN ('trainer', 'activist')),"
    "  PRIMARY KEY (course_id, person_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX course_member_person ON course_member (person_id);"

    /* A meeting of a body or a session of a course. */
    "CREATE TABLE event ("
    "  id INTEGER PRIMARY KEY,"
    "  body_id INTEGER REFERENCES body(id) ON DELETE RESTRICT,"
    "  course_id INTEGER REFERENCES course(id) ON DELETE RESTRICT,"
    "  title TEXT NOT NULL CHECK (length(title) > 0),"
    "  starts_at INTEGER NOT NULL,"
    "  ends_at INTEGER NOT NULL,"
    "  room_kind TEXT NOT NULL CHECK (room_kind IN ('meeting', 'training')),"
    "  room_id TEXT NOT NULL UNIQUE CHECK (length(room_id) > 0),"
    "  created_at INTEGER NOT NULL,"
    "  CHECK ((body_id IS NULL) <> (course_id IS NULL)),"
    "  CHECK (ends_at >= starts_at)"
    ");"
    "CREATE INDEX event_body ON event (body_id);"
    "CREATE INDEX event_course ON event (course_id);"
    "CREATE TABLE event_guest ("
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (event_id, person_id)"
    ") WITHOUT ROWID;"

    /* Sessions by SHA-256 of the cookie token: a leaked table opens none. */
    "CREATE TABLE session ("
    "  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX session_person ON session (person_id);"
    "CREATE INDEX session_expires ON session (expires_at);"

    /* Issued invitation links; used_at makes each single-use. */
    "CREATE TABLE invitation ("
    "  nonce BLOB PRIMARY KEY CHECK (length(nonce) = 16),"
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
    "  expires_at INTEGER NOT NULL,"
    "  created_by INTEGER REFERENCES person(id) ON DELETE SET NULL,"
    "  created_at INTEGER NOT NULL,"
    "  used_at INTEGER"
    ") WITHOUT ROWID;"

    /* The attendance record: append-only, kept when people are deleted. */
    "CREATE TABLE attendance_event ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE RESTRICT,"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,"
    "  kind TEXT NOT NULL CHECK (kind IN ('join', 'leave')),"
    "  ts_ms INTEGER NOT NULL,"
    "  conn_id INTEGER NOT NULL DEFAULT 0,"
    "  source TEXT NOT NULL"
    ");"
    "CREATE INDEX attendance_event_event"
    "  ON attendance_event (event_id, person_id, id);"

    "CREATE TABLE quorum_log ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE RESTRICT,"
    "  ts_ms INTEGER NOT NULL,"
    "  reached INTEGER NOT NULL CHECK (reached IN (0, 1)),"
    "  present INTEGER NOT NULL CHECK (present >= 0),"
    "  voting INTEGER NOT NULL CHECK (voting >= 0)"
    ");"
    "CREATE INDEX quorum_log_event ON quorum_log (event_id, id);";

/* v2: single-use password reset links (the token's SHA-256, never the
 * token). */
static const char v2[] =
    "CREATE TABLE password_reset ("
    "  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  used_at INTEGER"
    ") WITHOUT ROWID;"
    "CREATE INDEX password_reset_person ON password_reset (person_id);";


/* v3: shared by the recorder (issue 9) and governance (issue 10).
 * recording: one row per archival part file; started_by/stopped_by log who
 * started and stopped it.  Paths are relative to data_dir.  Kept like the
 * attendance: an event with recordings cannot be deleted.
 * agenda_item: an event's ordered agenda; times are set when the chair
 * opens and leaves an item; decision is the secretary's text for the
 * minutes. */
static const char v3[] =
    "CREATE TABLE recording ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE RESTRICT,"
    "  part INTEGER NOT NULL CHECK (part >= 1),"
    "  path TEXT NOT NULL CHECK (length(path) > 0),"
    "  meta_path TEXT NOT NULL CHECK (length(meta_path) > 0),"
    "  state TEXT NOT NULL CHECK (state IN"
    "    ('recording', 'closed', 'repaired', 'failed')),"
    "  started_by INTEGER REFERENCES person(id) ON DELETE SET NULL,"
    "  stopped_by INTEGER REFERENCES person(id) ON DELETE SET NULL,"
    "  started_at INTEGER NOT NULL,"
    "  ended_at INTEGER,"
    "  bytes INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),"
    "  UNIQUE (event_id, part)"
    ");"
    "CREATE INDEX recording_state ON recording (state, event_id);"

    "CREATE TABLE agenda_item ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL CHECK (position >= 1),"
    "  title TEXT NOT NULL CHECK (length(title) > 0),"
    "  speaker TEXT,"
    "  started_at INTEGER,"
    "  ended_at INTEGER,"
    "  decision TEXT"
    ");"
    "CREATE INDEX agenda_item_event ON agenda_item (event_id, position);";

/* v4: votes and minutes (issue 10).
 * body.vote_rule / vote_no_quorum: the body's default majority rule and
 * what opening a vote without quorum does ('refuse' or 'warn').
 * vote: one row per vote; the snapshot's size, the quorum at opening and
 * closing, and at close the counts (comma-separated, option order), the
 * result; immutable once closed (trigger).
 * vote_voter: the snapshot of entitled voters with their names, and
 * whether each has voted (no time, no order of voting).
 * vote_choice: who voted how, for open and named votes only.
 * vote_tally: a secret vote's ballots as per-option counts: no voter, no
 * sequence, no time.
 * minutes: the finalized minutes' digest; decisions of an event whose
 * minutes are finalized cannot change (trigger). */
static const char v4[] =
    "ALTER TABLE body ADD COLUMN vote_rule TEXT NOT NULL DEFAULT 'half-of-cast'"
    "  CHECK (vote_rule IN ('half-of-cast', 'half-of-present', 'half-of-members',"
    "  'two-thirds-of-cast', 'two-thirds-of-present', 'two-thirds-of-members'));"
    "ALTER TABLE body ADD COLUMN vote_no_quorum TEXT NOT NULL DEFAULT 'refuse'"
    "  CHECK (vote_no_quorum IN ('refuse', 'warn'));"

    "CREATE TABLE vote ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE RESTRICT,"
    "  agenda_item_id INTEGER REFERENCES agenda_item(id) ON DELETE SET NULL,"
    "  question TEXT NOT NULL CHECK (length(question) > 0),"
    "  options TEXT NOT NULL,"
    "  yes_no INTEGER NOT NULL CHECK (yes_no IN (0, 1)),"
    "  kind TEXT NOT NULL CHECK (kind IN ('open', 'named', 'secret')),"
    "  rule TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('open', 'closed')),"
    "  opened_by INTEGER REFERENCES person(id) ON DELETE SET NULL,"
    "  opened_at INTEGER NOT NULL,"
    "  closed_at INTEGER,"
    "  members INTEGER NOT NULL CHECK (members >= 0),"
    "  entitled INTEGER NOT NULL CHECK (entitled >= 0),"
    "  quorum_open_present INTEGER NOT NULL,"
    "  quorum_open_voting INTEGER NOT NULL,"
    "  quorum_open_reached INTEGER NOT NULL CHECK (quorum_open_reached IN (0, 1)),"
    "  no_quorum_warning INTEGER NOT NULL DEFAULT 0,"
    "  quorum_close_present INTEGER,"
    "  quorum_close_voting INTEGER,"
    "  quorum_close_reached INTEGER,"
    "  counts TEXT,"
    "  voted INTEGER,"
    "  winner INTEGER,"
    "  adopted INTEGER"
    ");"
    "CREATE INDEX vote_event ON vote (event_id, id);"
    "CREATE UNIQUE INDEX vote_one_open ON vote (event_id) WHERE state = 'open';"
    "CREATE TRIGGER vote_closed_update BEFORE UPDATE ON vote"
    "  WHEN OLD.state = 'closed' BEGIN SELECT RAISE(ABORT, 'vote closed'); END;"
    "CREATE TRIGGER vote_closed_delete BEFORE DELETE ON vote"
    "  WHEN OLD.state = 'closed' BEGIN SELECT RAISE(ABORT, 'vote closed'); END;"

    "CREATE TABLE vote_voter ("
    "  vote_id INTEGER NOT NULL REFERENCES vote(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,"
    "  name TEXT NOT NULL,"
    "  position INTEGER NOT NULL,"
    "  voted INTEGER NOT NULL DEFAULT 0 CHECK (voted IN (0, 1)),"
    "  PRIMARY KEY (vote_id, person_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE vote_choice ("
    "  vote_id INTEGER NOT NULL REFERENCES vote(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE RESTRICT,"
    "  option INTEGER NOT NULL CHECK (option >= 0),"
    "  PRIMARY KEY (vote_id, person_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE vote_tally ("
    "  vote_id INTEGER NOT NULL REFERENCES vote(id) ON DELETE CASCADE,"
    "  option INTEGER NOT NULL CHECK (option >= 0),"
    "  count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),"
    "  PRIMARY KEY (vote_id, option)"
    ") WITHOUT ROWID;"
    /* ballots of a closed vote never change */
    "CREATE TRIGGER vote_voter_closed BEFORE UPDATE ON vote_voter"
    "  WHEN (SELECT state FROM vote WHERE id = OLD.vote_id) = 'closed'"
    "  BEGIN SELECT RAISE(ABORT, 'vote closed'); END;"
    "CREATE TRIGGER vote_choice_closed BEFORE UPDATE ON vote_choice"
    "  WHEN (SELECT state FROM vote WHERE id = OLD.vote_id) = 'closed'"
    "  BEGIN SELECT RAISE(ABORT, 'vote closed'); END;"
    "CREATE TRIGGER vote_tally_closed BEFORE UPDATE ON vote_tally"
    "  WHEN (SELECT state FROM vote WHERE id = OLD.vote_id) = 'closed'"
    "  BEGIN SELECT RAISE(ABORT, 'vote closed'); END;"

    "CREATE TABLE minutes ("
    "  event_id INTEGER PRIMARY KEY REFERENCES event(id) ON DELETE RESTRICT,"
    "  finalized_at INTEGER NOT NULL,"
    "  finalized_by INTEGER REFERENCES person(id) ON DELETE SET NULL,"
    "  digest TEXT NOT NULL CHECK (length(digest) = 64)"
    ");"
    "CREATE TRIGGER minutes_final BEFORE UPDATE ON minutes"
    "  BEGIN SELECT RAISE(ABORT, 'minutes finalized'); END;"
    "CREATE TRIGGER agenda_decision_final BEFORE UPDATE OF decision ON agenda_item"
    "  WHEN EXISTS (SELECT 1 FROM minutes WHERE event_id = OLD.event_id)"
    "  BEGIN SELECT RAISE(ABORT, 'minutes finalized'); END;";
/* v5: recording (issue 9): whether a body's meetings may be recorded (its
 * chair starts and stops); trainings may always be. */
static const char v5[] =
    "ALTER TABLE body ADD COLUMN allow_recording INTEGER NOT NULL DEFAULT 0"
    "  CHECK (allow_recording IN (0, 1));";

/* v6: lessons (issue 9): the lesson a learner watches, rendered from an
 * event's recording parts (docs/recording.md) by veche-render.
 * lesson: one per event; state queued / rendering / ready / failed, and
 * deleted (a tombstone: the files are gone, the row stays so the parts are
 * not rendered again); parts = the highest recording part it covers.
 * lesson_guest_link: SHA-256 of a guest token for one lesson, with expiry.
 * lesson_retention: per course, keep lessons keep_days after recorded_at
 * (no row or NULL: forever).  Paths are relative to data_dir. */
static const char v6[] =
    "CREATE TABLE lesson ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL UNIQUE REFERENCES event(id) ON DELETE RESTRICT,"
    "  course_id INTEGER NOT NULL REFERENCES course(id) ON DELETE CASCADE,"
    "  title TEXT NOT NULL CHECK (length(title) > 0),"
    "  description TEXT NOT NULL DEFAULT '',"
    "  trainer_id INTEGER REFERENCES person(id) ON DELETE SET NULL,"
    "  recorded_at INTEGER NOT NULL,"
    "  duration_ms INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),"
    "  bytes INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),"
    "  path TEXT,"
    "  vtt_path TEXT,"
    "  parts INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL CHECK (state IN"
    "    ('queued', 'rendering', 'ready', 'failed', 'deleted')),"
    "  progress REAL NOT NULL DEFAULT 0,"
    "  error TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX lesson_course ON lesson (course_id, recorded_at);"
    "CREATE TABLE lesson_guest_link ("
    "  token_hash BLOB PRIMARY KEY,"
    "  lesson_id INTEGER NOT NULL REFERENCES lesson(id) ON DELETE CASCADE,"
    "  expires_at INTEGER NOT NULL,"
    "  created_by INTEGER REFERENCES person(id) ON DELETE SET NULL,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE lesson_retention ("
    "  course_id INTEGER PRIMARY KEY REFERENCES course(id) ON DELETE CASCADE,"
    "  keep_days INTEGER CHECK (keep_days IS NULL OR keep_days >= 1)"
    ");";

/* v7: administration, audit log and personal data (issue 12).
 * organization.time_zone: the IANA zone of its exports and pages (NULL:
 * the server's time_zone); privacy_notice: the text on the sign-in page
 * (NULL: the built-in one).  event.cancelled_at: when an organizer
 * cancelled it (NULL: not cancelled; the row is kept).  audit_log: who
 * (actor_id, no foreign key: an erased actor's entries stay), when, from
 * which address, what (action, the target's kind and id, detail: JSON of
 * ids and field names, never a person's name or e-mail) in which
 * organization.  Append-only: the triggers refuse every UPDATE, and every
 * DELETE unless audit_sweep.open is 1, which only the retention sweep sets
 * inside its own transaction.  vote_voter's closed-vote trigger is narrowed
 * to the ballot columns, so that erasing a person can replace the name in
 * a closed vote's voter snapshot (nothing else of a closed vote changes). */
static const char v7[] =
    "ALTER TABLE organization ADD COLUMN time_zone TEXT;"
    "ALTER TABLE organization ADD COLUMN privacy_notice TEXT;"
    "ALTER TABLE event ADD COLUMN cancelled_at INTEGER;"

    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor_id INTEGER,"
    "  address TEXT NOT NULL DEFAULT '',"
    "  organization_id INTEGER,"
    "  action TEXT NOT NULL CHECK (length(action) > 0),"
    "  target_kind TEXT NOT NULL,"
    "  target_id INTEGER,"
    "  detail TEXT NOT NULL DEFAULT '{}'"
    ");"
    "CREATE INDEX audit_log_org ON audit_log (organization_id, id);"
    "CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);"
    "CREATE INDEX audit_log_at ON audit_log (at);"

    "CREATE TABLE audit_sweep ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  open INTEGER NOT NULL CHECK (open IN (0, 1))"
    ");"
    "INSERT INTO audit_sweep (id, open) VALUES (1, 0);"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " WHEN (SELECT open FROM audit_sweep WHERE id = 1) IS NOT 1"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is removed only by its retention sweep'); END;"
    "DROP TRIGGER vote_voter_closed;"
    "CREATE TRIGGER vote_voter_closed BEFORE UPDATE OF vote_id, person_id, position, voted"
    "  ON vote_voter WHEN (SELECT state FROM vote WHERE id = OLD.vote_id) = 'closed'"
    "  BEGIN SELECT RAISE(ABORT, 'vote closed'); END;";

/* v8: big rooms (issue 14).  event.max_participants: the organizer's own
 * room limit for the event (NULL: the room kind's, max_training_participants
 * or max_meeting_participants).  organization.session_hours: how long a
 * sign-in or invitation session of its people lasts unused (NULL: the
 * server's session_ttl_hours); session.ttl_secs: the lifetime the session
 * was opened with, by which it slides (0: a session from before v8, which
 * does not slide).  See docs/data-model.md "Session lifetime". */
static const char v8[] =
    "ALTER TABLE event ADD COLUMN max_participants INTEGER"
    "  CHECK (max_participants IS NULL OR max_participants BETWEEN 1 AND 100000);"
    "ALTER TABLE organization ADD COLUMN session_hours INTEGER"
    "  CHECK (session_hours IS NULL OR session_hours BETWEEN 1 AND 8760);"
    "ALTER TABLE session ADD COLUMN ttl_secs INTEGER NOT NULL DEFAULT 0;";

/* v9: chat and its retention (issue 12).  chat_message: one row per chat
 * message sent in an event's room, written by the store thread
 * (docs/data-model.md "Chat"):
 * the event, the author (person_id; the name is the person's, never
 * copied), when (ms) and the text.  Erasing a person deletes their
 * messages.  organization.chat_retention_days: days its events' chat is
 * kept (NULL: the server's retention_chat_days; 0: kept forever); the
 * retention sweep removes older messages. */
static const char v9[] =
    "CREATE TABLE chat_message ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,"
    "  ts_ms INTEGER NOT NULL,"
    "  text TEXT NOT NULL CHECK (length(text) > 0)"
    ");"
    "CREATE INDEX chat_message_event ON chat_message (event_id, id);"
    "CREATE INDEX chat_message_person ON chat_message (person_id);"
    "CREATE INDEX chat_message_ts ON chat_message (ts_ms);"
    "ALTER TABLE organization ADD COLUMN chat_retention_days INTEGER"
    "  CHECK (chat_retention_days IS NULL OR chat_retention_days >= 0);";

/* v10: API reads by person (issue 8).  event_guest_person: the events a
 * person is a guest of, for /api/me and /api/events without a look at
 * every event (veche_store_person_event_roles). */
static const char v10[] =
    "CREATE INDEX event_guest_person ON event_guest (person_id);";

static const char *const migrations[] = {
    v1,
    v2,
    v3,
    v4, /* v4: votes and minutes */
    v5, /* v5: recording */
    v6, /* v6: lessons */
    v7, /* v7: administration, audit log, personal data */
    v8, /* v8: big rooms: event room limit, session lifetime */
    v9, /* v9: chat and its retention */
    v10, /* v10: API reads by person: event_guest_person index */
};

const char *const *store_migrations(size_t *count)
{
    *count = sizeof migrations / sizeof migrations[0];
    return migrations;
}
