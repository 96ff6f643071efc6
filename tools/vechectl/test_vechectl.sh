#!/bin/sh
# test_vechectl.sh VECHECTL - drive every vechectl command end to end on a
# scratch database: organizations, bodies, courses, rosters (a bad one
# reported by line, nothing imported), events (times, kinds, rooms),
# guests, accounts (password from stdin, reset links), block and unblock,
# administrators, the attendance report, backup and restore; and the
# failure cases with their exit statuses (1 usage, 2 refused, 3 database).
# TAP output.
set -u
ctl=$1
dir=$(mktemp -d /tmp/vechectl-test-XXXXXX)
trap 'rm -rf "$dir"' EXIT
db="$dir/veche.db"
n=0
fails=0
ok() {  # ok NAME CONDITION-EXIT-STATUS
    n=$((n + 1))
    if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fails=$((fails + 1)); fi
}
is() {  # is NAME GOT WANT
    n=$((n + 1))
    if [ "$2" = "$3" ]; then echo "ok $n - $1"
    else echo "not ok $n - $1"; echo "#   got:  '$2'"; echo "#   want: '$3'"; fails=$((fails + 1)); fi
}
run() { "$ctl" --db "$db" "$@"; }
status() { "$ctl" --db "$db" "$@" >/dev/null 2>&1; echo $?; }  # exit status only
count() {  # python3 is in deps.sh; the sqlite3 shell may not be
    python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$1"
}
sql() {
    python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' "$db" "$1"
}

# ---- usage ----
"$ctl" --help | grep -q "attendance EVENT_ID"; ok "--help lists attendance" $?
"$ctl" --help | grep -q "account-add EMAIL NAME ORG_ID"; ok "--help lists account-add" $?
is "unknown command" "$(status frobnicate)" 1
is "unknown option" "$(status --frob migrate)" 1
is "missing arguments" "$(status event-add body 1)" 1
is "id that is not a number" "$(status course-add x "Школа")" 1

# ---- organizations, bodies, courses, rosters ----
org=$(run org-add central "Союз" 2>/dev/null); is "org-add prints an id" "$org" 1
body=$(run body-add "$org" "Президиум" ">=2/3"); is "body-add" "$body" 1
course=$(run course-add "$org" "Школа"); is "course-add" "$course" 1
is "bad quorum rule refused" "$(status body-add "$org" "Плохой" "2/3")" 2
is "body of a missing organization" "$(status body-add 99 "Совет")" 2
is "org-add duplicate name" "$(status org-add central "Союз")" 2
is "org-add regional" "$(run org-add regional "Отделение" "$org")" 2
is "org-add primary under a missing parent" "$(status org-add primary "Ячейка" 99)" 2
is "orgs" "$(run orgs)" "$(printf '1\tcentral\t-\tСоюз\n2\tregional\t1\tОтделение')"
is "orgs below one" "$(run orgs 2)" "$(printf '2\tregional\t1\tОтделение')"
is "orgs of a missing organization" "$(status orgs 99)" 2

printf 'full_name,email,role,voting\nИванов Иван,ivanov@example.ru,chair,yes\nПетрова Анна,petrova@example.ru,member,\n' > "$dir/good.csv"
out=$(run import-roster body "$body" "$dir/good.csv"); st=$?
is "good roster imported" $st 0
ok "import reports its counts" $(echo "$out" | grep -q "2 new persons"; echo $?)

printf 'full_name,email,role\nСидоров,sidorov@example.ru,member\n,x@example.ru,member\nКозлов,bad-email,boss\n' > "$dir/bad.csv"
err=$(run import-roster body "$body" "$dir/bad.csv" 2>&1 >/dev/null); st=$?
is "bad roster refused" $st 2
ok "line 3 reported" $(echo "$err" | grep -q "bad.csv:3: full_name is empty"; echo $?)
ok "line 4 reported twice" $([ "$(echo "$err" | grep -c 'bad.csv:4:')" -eq 2 ]; echo $?)
is "nothing of the bad roster imported" "$(count "SELECT count(*) FROM person WHERE email = 'sidorov@example.ru'")" 0
is "missing body" "$(status import-roster body 99 "$dir/good.csv")" 2
is "missing roster file" "$(status import-roster body "$body" "$dir/none.csv")" 2

# ---- events ----
out=$(run event-add body "$body" "Заседание" 2026-12-01T18:00 2026-12-01T20:00); st=$?
is "event-add body" $st 0
meeting=${out%% *}; room=${out#* }
is "event-add prints the id" "$meeting" 1
ok "a generated room id" $(echo "$room" | grep -Eq '^ev-[0-9a-f]{16}$'; echo $?)
is "a body's event is a meeting" "$(count "SELECT room_kind FROM event WHERE id = $meeting")" meeting
# Without an offset the time is in time_zone (Europe/Moscow by default, UTC+3).
is "start read in Moscow time" "$(count "SELECT starts_at FROM event WHERE id = $meeting")" 1796137200
out=$(run event-add course "$course" "Урок 1" "2026-12-02T18:00:00+03:00" 2026-12-02T17:00Z lesson-1)
is "event-add course with room and offsets" "$out" "2 lesson-1"
training=2
is "a course's event is a training" "$(count "SELECT room_kind FROM event WHERE id = $training")" training
is "offset +03:00 applied" "$(count "SELECT starts_at FROM event WHERE id = $training")" 1796223600
printf 'time_zone = "Asia/Yekaterinburg"\n' > "$dir/ekb.conf"
out=$("$ctl" -c "$dir/ekb.conf" --db "$db" event-add body "$body" "Урал" 2026-12-01T18:00 2026-12-01T20:00 ural-1)
is "start read in the configured zone (UTC+5)" "$(count "SELECT starts_at FROM event WHERE room_id = 'ural-1'")" 1796130000
sql "DELETE FROM event WHERE room_id = 'ural-1'"
is "room taken" "$(status event-add course "$course" "Урок 2" 2026-12-03T18:00 2026-12-03T19:00 lesson-1)" 2
is "bad time refused" "$(status event-add body "$body" "Плохое" 2026-13-01T18:00 2026-12-01T20:00)" 2
is "31 April refused" "$(status event-add body "$body" "Плохое" 2026-04-31T18:00 2026-05-01T20:00)" 2
is "29 Feb 2026 refused" "$(status event-add body "$body" "Плохое" 2026-02-29T18:00 2026-03-01T20:00)" 2
is "time without minutes refused" "$(status event-add body "$body" "Плохое" 2026-12-01T18 2026-12-01T20:00)" 2
is "trailing garbage refused" "$(status event-add body "$body" "Плохое" 2026-12-01T18:00x 2026-12-01T20:00)" 2
is "end before start refused" "$(status event-add body "$body" "Плохое" 2026-12-01T18:00 2026-12-01T17:00)" 2
is "bad room id refused" "$(status event-add body "$body" "Плохое" 2026-12-01T18:00 2026-12-01T20:00 'a b')" 2
is "missing body refused" "$(status event-add body 99 "Плохое" 2026-12-01T18:00 2026-12-01T20:00)" 2
is "neither body nor course" "$(status event-add club 1 "Плохое" 2026-12-01T18:00 2026-12-01T20:00)" 1
is "no bad event stored" "$(count "SELECT count(*) FROM event")" 2
out=$(run events)
is "events lists both" "$(echo "$out" | wc -l | tr -d ' ')" 2
ok "events line" $(echo "$out" | grep -q "^2	training	course	1	2026-12-02T15:00:00Z	2026-12-02T17:00:00Z	lesson-1	Урок 1$"; echo $?)
is "events of the organization" "$(run events "$org")" "$out"
is "events of an organization without any" "$(run events 2)" ""
is "events of a missing organization" "$(status events 99)" 2

# ---- agenda ----
is "agenda of a new event is empty" "$(run agenda list "$meeting")" ""
is "agenda add prints an id" "$(run agenda add "$meeting" "Отчёт председателя" "Иванов И.")" 1
is "agenda add without a speaker" "$(run agenda add "$meeting" "Разное")" 2
is "agenda add third" "$(run agenda add "$meeting" "Бюджет")" 3
is "agenda list" "$(run agenda list "$meeting")" "$(printf '1\t1\t-\t-\tОтчёт председателя\tИванов И.\n2\t2\t-\t-\tРазное\t-\n3\t3\t-\t-\tБюджет\t-')"
run agenda move "$meeting" 3 1; ok "agenda move" $?
is "moved to the top, the rest renumbered" "$(run agenda list "$meeting" | cut -f1,2 | tr '\n\t' ' :')" "3:1 1:2 2:3 "
run agenda remove "$meeting" 2; ok "agenda remove" $?
is "removed, positions without gaps" "$(run agenda list "$meeting" | cut -f1,2 | tr '\n\t' ' :')" "3:1 1:2 "
sql "UPDATE agenda_item SET started_at = 1796130000 WHERE id = 1"
is "an opened item is not removed" "$(status agenda remove "$meeting" 1)" 2
ok "its time is listed" $(run agenda list "$meeting" | grep -q "^1	2	2026-12-01T13:00:00Z	-	"; echo $?)
is "agenda of a missing event" "$(status agenda list 99)" 2
is "agenda add to a missing event" "$(status agenda add 99 "Пункт")" 2
is "agenda empty title" "$(status agenda add "$meeting" "")" 2
is "agenda remove of a missing item" "$(status agenda remove "$meeting" 42)" 2
is "agenda unknown operation" "$(status agenda frob "$meeting")" 1
is "agenda move without position" "$(status agenda move "$meeting" 1)" 1
sql "DELETE FROM agenda_item"

# ---- guests ----
out=$(run guest-add "$meeting" guest@example.org "Гость Гостев")
ok "guest-add creates the person" $(echo "$out" | grep -q "guest (new person)"; echo $?)
is "the guest is in the event's organization" "$(count "SELECT organization_id FROM person WHERE email = 'guest@example.org'")" "$org"
is "guest row" "$(count "SELECT count(*) FROM event_guest WHERE event_id = $meeting")" 1
out=$(run guest-add "$meeting" GUEST@example.org "Другое имя")
ok "guest-add again: already a guest" $(echo "$out" | grep -q "already admitted as guest"; echo $?)
out=$(run guest-add "$meeting" ivanov@example.ru "Иванов Иван")
ok "a member is not made a guest" $(echo "$out" | grep -q "already admitted as chair"; echo $?)
is "guest-add missing event" "$(status guest-add 99 x@example.org X)" 2
is "guest-add bad e-mail" "$(status guest-add "$meeting" not-an-email X)" 2
is "guest-add empty name" "$(status guest-add "$meeting" new@example.org "")" 2

# ---- accounts ----
cat > "$dir/veche.conf" <<EOF
data_dir = $dir
database = $db
public_url = https://veche.example.org/
invitation_ttl_hours = 24
EOF
cfg() { "$ctl" -c "$dir/veche.conf" "$@"; }
out=$(cfg account-add admin@example.org "Админ Админов" "$org"); st=$?
is "account-add with a reset link" $st 0
admin=$(echo "$out" | sed -n 1p)
is "account-add prints the person id first" "$admin" "$(count "SELECT id FROM person WHERE email = 'admin@example.org'")"
link=$(echo "$out" | sed -n 2p)
ok "reset link shape" $(echo "$link" | grep -Eq '^https://veche\.example\.org/\?reset=[A-Za-z0-9_-]{43}$'; echo $?)
is "reset token stored by hash, for 24 h" "$(count "SELECT expires_at - created_at FROM password_reset")" 86400
is "the token itself is not stored" "$(count "SELECT count(*) FROM password_reset WHERE token_hash = CAST('${link#*=}' AS BLOB)")" 0
is "no password yet" "$(count "SELECT password_hash IS NULL OR password_hash = '' FROM account WHERE person_id = $admin")" 1

echo 'Верный-пароль-2026' | run account-add secretary@example.org "Секретарь" "$org" --password-stdin >"$dir/out" 2>&1
is "account-add --password-stdin" $? 0
sec=$(count "SELECT id FROM person WHERE email = 'secretary@example.org'")
is "... prints only the person id" "$(cat "$dir/out")" "$sec"
ok "Argon2id hash" $(count "SELECT password_hash FROM account WHERE person_id = $sec" | grep -q '^\$argon2id\$'; echo $?)
is "must change the initial password" "$(count "SELECT must_change_password FROM account WHERE person_id = $sec")" 1
# A known person (from the roster) gets an account; the stored name is kept.
echo 'ещё-один-пароль' | run account-add PETROVA@example.ru "Не так" "$org" --password-stdin >/dev/null
is "account for a roster person" $? 0
is "the roster person's name kept" "$(count "SELECT full_name FROM person WHERE id = 2")" "Петрова Анна"

err=$(echo 'short' | run account-add weak@example.org "Слабый" "$org" --password-stdin 2>&1); st=$?
is "weak password refused" $st 2
ok "... with the reason" $(echo "$err" | grep -q "weak password: password is shorter than 10 characters"; echo $?)
is "... and no person created" "$(count "SELECT count(*) FROM person WHERE email = 'weak@example.org'")" 0
is "password = e-mail refused" "$(echo 'same@example.org' | status account-add same@example.org "X" "$org" --password-stdin)" 2
python3 -c 'print("x" * 2000)' > "$dir/long.txt"
is "an over-long password refused" "$(status account-add long@example.org "X" "$org" --password-stdin < "$dir/long.txt")" 2
is "a NUL byte in the password refused" "$(printf 'abcdefghijk\000lmnop\n' | status account-add nul@example.org "X" "$org" --password-stdin)" 2
printf 'пароль-с-CRLF-1\r\n' | run account-add crlf@example.org "Crlf" "$org" --password-stdin >/dev/null 2>&1
is "a CRLF line end is not part of the password" $? 0
is "no password on stdin" "$(status account-add empty@example.org "X" "$org" --password-stdin </dev/null)" 2
is "account exists" "$(status account-add admin@example.org "X" "$org")" 2
is "account-add missing organization" "$(status account-add new@example.org "X" 99)" 2
is "account-add bad e-mail" "$(status account-add bad-email "X" "$org")" 2
is "account-add bad option" "$(status account-add new@example.org "X" "$org" --password)" 1

out=$(cfg reset-link Admin@Example.org); st=$?
is "reset-link" $st 0
ok "reset-link shape" $(echo "$out" | grep -Eq '^https://veche\.example\.org/\?reset=[A-Za-z0-9_-]{43}$'; echo $?)
ok "a new token each time" $([ "$out" != "$link" ]; echo $?)
err=$(run reset-link nobody@example.org 2>&1); st=$?
is "reset-link unknown e-mail" $st 2
is "... one clear line" "$err" "vechectl: no person with e-mail nobody@example.org"
is "reset-link without an account" "$(status reset-link guest@example.org)" 2

# ---- block, unblock ----
sql "INSERT INTO session (token_hash, person_id, created_at, expires_at) VALUES (randomblob(32), $sec, 0, 9999999999)"
out=$(run block secretary@example.org); st=$?
is "block" $st 0
is "block ends the sessions" "$out" "blocked; 1 session(s) ended"
is "blocked in the database" "$(count "SELECT blocked FROM account WHERE person_id = $sec")" 1
is "no sessions left" "$(count "SELECT count(*) FROM session WHERE person_id = $sec")" 0
is "reset-link of a blocked account refused" "$(status reset-link secretary@example.org)" 2
is "a blocked person is not made a guest" "$(status guest-add "$training" secretary@example.org X)" 2
is "unblock" "$(run unblock secretary@example.org)" "unblocked"
is "unblocked in the database" "$(count "SELECT blocked FROM account WHERE person_id = $sec")" 0
is "block unknown e-mail" "$(status block nobody@example.org)" 2
is "block a person without an account" "$(status block guest@example.org)" 2
is "unblock unknown e-mail" "$(status unblock nobody@example.org)" 2

# ---- administrators ----
is "admin-add platform" "$(run admin-add platform admin@example.org)" "now platform administrator"
is "platform_admin set" "$(count "SELECT platform_admin FROM account WHERE person_id = $admin")" 1
is "admin-add org" "$(run admin-add org "$org" secretary@example.org)" "now administrator of organization 1"
is "org_admin row" "$(count "SELECT count(*) FROM org_admin WHERE person_id = $sec")" 1
is "admin-add org twice is fine" "$(status admin-add org "$org" secretary@example.org)" 0
is "admin-add missing organization" "$(status admin-add org 99 secretary@example.org)" 2
is "admin-add unknown e-mail" "$(status admin-add platform nobody@example.org)" 2
is "admin-add platform without an account" "$(status admin-add platform guest@example.org)" 2
is "admin-add bad form" "$(status admin-add world admin@example.org)" 1
out=$(run people); st=$?
is "people" $st 0
is "people lists everyone" "$(echo "$out" | wc -l | tr -d ' ')" "$(count "SELECT count(*) FROM person")"
ok "people: a platform admin without a password yet" $(echo "$out" | grep -q "^$admin	1	admin@example.org	Админ Админов	-	active,platform-admin$"; echo $?)
ok "people: an initial password to change" $(echo "$out" | grep -q "^$sec	1	secretary@example.org	Секретарь	-	active,must-change-password$"; echo $?)
ok "people: a guest without an account" $(echo "$out" | grep -q "^3	1	guest@example.org	Гость Гостев	-	no-account$"; echo $?)
is "people of an organization" "$(run people "$org" | wc -l | tr -d ' ')" "$(echo "$out" | wc -l | tr -d ' ')"
is "people of a missing organization" "$(status people 99)" 2
is "people with a bad id" "$(status people x)" 1
is "admin-remove org" "$(status admin-remove org "$org" secretary@example.org)" 0
is "org_admin row gone" "$(count "SELECT count(*) FROM org_admin WHERE person_id = $sec")" 0
is "admin-remove platform" "$(status admin-remove platform admin@example.org)" 0
is "platform_admin cleared" "$(count "SELECT platform_admin FROM account WHERE person_id = $admin")" 0

# ---- attendance ----
header='person_id,full_name,role,voting,on_roster,attended,first_join_utc,last_leave_utc,intervals,present_seconds,present_now'
is "attendance of an event nobody attended: the header only" "$(run attendance "$training" | tr -d '\r')" "$header"
out=$(run attendance "$meeting" --csv | tr -d '\r')
is "meeting report: header and roster" "$(echo "$out" | sed -n 1p)" "$header"
ok "the chair, absent" $(echo "$out" | grep -q '^1,Иванов Иван,chair,yes,yes,no,,,0,0,no$'; echo $?)
ok "the guest, no vote" $(echo "$out" | grep -q '^3,Гость Гостев,guest,no,yes,no,,,0,0,no$'; echo $?)
ok "CRLF line ends" $(run attendance "$meeting" | head -1 | grep -q "$(printf '\r')$"; echo $?)
run attendance "$meeting" -o "$dir/report.csv"; st=$?
is "attendance -o FILE" $st 0
is "... the same report" "$(tr -d '\r' < "$dir/report.csv")" "$out"
is "... readable by the owner only" "$(stat -c %a "$dir/report.csv")" 600
out=$(run attendance "$meeting" --html --lang ru)
ok "printable page in Russian" $(echo "$out" | grep -q '<html lang="ru">'; echo $?)
ok "... with the title" $(echo "$out" | grep -q 'Явка: Заседание'; echo $?)
ok "printable page in English by default" $(run attendance "$meeting" --html | grep -q '<html lang="en">'; echo $?)
ok "JSON" $(run attendance "$meeting" --json | python3 -c 'import json, sys; json.load(sys.stdin)'; echo $?)
is "attendance missing event" "$(status attendance 99)" 2
is "attendance bad language" "$(status attendance "$meeting" --html --lang de)" 2
is "attendance --lang without --html" "$(status attendance "$meeting" --lang ru)" 1
is "attendance two formats" "$(status attendance "$meeting" --csv --html)" 1
is "attendance unwritable file" "$(status attendance "$meeting" -o "$dir/no/such/dir.csv")" 2

# ---- votes: a body's settings, minutes ----
is "body-voting default" "$(run body-voting "$body")" "half-of-cast refuse"
is "body-voting set" "$(run body-voting "$body" two-thirds-of-present warn)" "two-thirds-of-present warn"
is "body-voting kept" "$(count "SELECT vote_rule || ' ' || vote_no_quorum FROM body WHERE id = $body")" "two-thirds-of-present warn"
is "body-voting bad rule" "$(status body-voting "$body" most)" 2
is "body-voting missing body" "$(status body-voting 99)" 2
# ---- recording allowed in a body's meetings ----
is "body-recording default" "$(run body-recording "$body")" off
is "body-recording on" "$(run body-recording "$body" on)" on
is "body-recording kept" "$(count "SELECT allow_recording FROM body WHERE id = $body")" 1
is "body-recording audited" "$(count "SELECT count(*) FROM audit_log WHERE action = 'body.update' AND target_id = $body AND detail LIKE '%allowRecording%true%'")" 1
is "body-recording off" "$(run body-recording "$body" off)" off
is "body-recording off kept" "$(count "SELECT allow_recording FROM body WHERE id = $body")" 0
is "body-recording bad word" "$(status body-recording "$body" yes)" 1
is "body-recording missing body" "$(status body-recording 99)" 2
is "minutes of an event not finalized" "$(status minutes verify "$meeting")" 2
is "minutes verify of a missing event" "$(status minutes verify 99)" 2
is "minutes bad verb" "$(status minutes sign "$meeting")" 1
ok "minutes show lists the votes" $(run minutes show "$meeting" | grep -q '"votes": \[\]'; echo $?)

# ---- lessons ----
"$ctl" --help | grep -q "lessons export ID FILE"; ok "--help lists lessons" $?
is "no lessons yet" "$(run lessons list)" ""
mkdir -p "$dir/lessons/1"
printf 'webm bytes' > "$dir/lessons/1/lesson.webm"
printf 'WEBVTT\n' > "$dir/lessons/1/chapters.vtt"
sql "INSERT INTO lesson (event_id, course_id, title, recorded_at, duration_ms, bytes, path, vtt_path, parts, state, created_at, updated_at) VALUES ($training, $course, 'Урок 1', 1764752400, 61500, 10, 'lessons/1/lesson.webm', 'lessons/1/chapters.vtt', 1, 'ready', 0, 0)"
is "lessons list" "$(run lessons list)" "$(printf '1\t%s\tready\t2025-12-03T09:00Z\t61.5\t10\tУрок 1' "$course")"
is "lessons list of the course" "$(run lessons list "$course" | cut -f1)" 1
is "lessons list of another course" "$(run lessons list 999)" ""
run lessons export 1 "$dir/out.webm" >/dev/null; ok "lessons export" $?
is "exported video" "$(cat "$dir/out.webm")" "webm bytes"
is "exported chapters" "$(cat "$dir/out.vtt")" "WEBVTT"
is "export does not overwrite" "$(status lessons export 1 "$dir/out.webm")" 2
is "export of a missing lesson" "$(status lessons export 7 "$dir/x.webm")" 2
is "lessons with a bad id" "$(status lessons delete x)" 1
is "lessons with a bad verb" "$(status lessons frob 1)" 1
run lessons delete 1 >/dev/null; ok "lessons delete" $?
[ ! -e "$dir/lessons/1/lesson.webm" ] && [ ! -e "$dir/lessons/1/chapters.vtt" ]; ok "its files are gone" $?
is "a deleted lesson is not listed" "$(run lessons list)" ""
is "a tombstone stays, so it is not rendered again" "$(count "SELECT state FROM lesson WHERE id = 1")" deleted
is "delete twice" "$(status lessons delete 1)" 2

# ---- backup, restore ----
run backup "$dir/backup.db" >/dev/null; ok "backup" $?
is "backup refuses to overwrite" "$(status backup "$dir/backup.db")" 2
printf 'full_name,email,role\nТренер,trainer@example.ru,trainer\n' > "$dir/course.csv"
run import-roster course "$course" "$dir/course.csv" >/dev/null; ok "course roster" $?
before=$(count "SELECT count(*) FROM person")
run restore "$dir/backup.db" >/dev/null; ok "restore" $?
# After the restore the trainer (imported after the backup) is gone.
is "restored state" "$(count "SELECT count(*) FROM person")" $((before - 1))
is "restore of a file that is not a database" "$(echo junk > "$dir/junk.db"; status restore "$dir/junk.db")" 2

# ---- database trouble ----
echo "not a database" > "$dir/broken.db"
is "a broken database is trouble" "$("$ctl" --db "$dir/broken.db" events >/dev/null 2>&1; echo $?)" 3
echo "1..$n"
[ $fails -eq 0 ]
