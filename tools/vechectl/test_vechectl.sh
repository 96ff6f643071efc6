#!/bin/sh
# test_vechectl.sh VECHECTL - drive vechectl on a scratch database: create
# an organization, a body and a course, import good and bad rosters (the
# bad one reported by line, nothing imported), back up, change, restore.
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
run() { "$ctl" --db "$db" "$@"; }
count() {  # python3 is in deps.sh; the sqlite3 shell may not be
    python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$1"
}

org=$(run org-add central "Союз"); ok "org-add prints an id" $([ "$org" = 1 ]; echo $?)
body=$(run body-add "$org" "Президиум" ">=2/3"); ok "body-add" $([ "$body" = 1 ]; echo $?)
course=$(run course-add "$org" "Школа"); ok "course-add" $([ "$course" = 1 ]; echo $?)
run body-add "$org" "Плохой" "2/3" >/dev/null 2>&1; ok "bad quorum rule is a usage error" $([ $? -eq 2 ]; echo $?)

printf 'full_name,email,role,voting\nИванов Иван,ivanov@example.ru,chair,yes\nПетрова Анна,petrova@example.ru,member,\n' > "$dir/good.csv"
out=$(run import-roster body "$body" "$dir/good.csv"); st=$?
ok "good roster imported" $([ $st -eq 0 ]; echo $?)
ok "import reports its counts" $(echo "$out" | grep -q "2 new persons"; echo $?)

printf 'full_name,email,role\nСидоров,sidorov@example.ru,member\n,x@example.ru,member\nКозлов,bad-email,boss\n' > "$dir/bad.csv"
err=$(run import-roster body "$body" "$dir/bad.csv" 2>&1 >/dev/null); st=$?
ok "bad roster refused" $([ $st -eq 1 ]; echo $?)
ok "line 3 reported" $(echo "$err" | grep -q "bad.csv:3: full_name is empty"; echo $?)
ok "line 4 reported twice" $([ "$(echo "$err" | grep -c 'bad.csv:4:')" -eq 2 ]; echo $?)

run backup "$dir/backup.db" >/dev/null; ok "backup" $?
run backup "$dir/backup.db" >/dev/null 2>&1; ok "backup refuses to overwrite" $([ $? -eq 1 ]; echo $?)
printf 'full_name,email,role\nТренер,trainer@example.ru,trainer\n' > "$dir/course.csv"
run import-roster course "$course" "$dir/course.csv" >/dev/null; ok "course roster" $?
run restore "$dir/backup.db" >/dev/null; ok "restore" $?
# After the restore the trainer (imported after the backup) is gone and
# nobody from the refused file ever arrived.
persons=$(count "SELECT count(*) FROM person")
ok "restored state: 2 persons" $([ "$persons" = 2 ]; echo $?)
run import-roster body 99 "$dir/good.csv" >/dev/null 2>&1; ok "missing body" $([ $? -eq 1 ]; echo $?)
run frobnicate >/dev/null 2>&1; ok "unknown command" $([ $? -eq 2 ]; echo $?)
echo "1..$n"
[ $fails -eq 0 ]
