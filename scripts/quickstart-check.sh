#!/usr/bin/env bash
# The README quick start, checked the way a newcomer meets it: a fresh clone of the
# current commit, `npm ci && npm start` with no settings at all, then `npm test`.
#
#   bash scripts/quickstart-check.sh          (or: npm run quickstart-check)
#   QUICKSTART_PORT=4000 …                    another port for the service (default 3917)
#   QUICKSTART_KEEP=1 …                       keep the clone and its logs for a look afterwards
#   QUICKSTART_SKIP_TESTS=1 …                 only the two starts, without npm test (a quick look)
#
# Only committed files take part: the clone is of HEAD, not of the working tree.
set -euo pipefail

PORT_TO_USE=${QUICKSTART_PORT:-3917}
KEEP=${QUICKSTART_KEEP:-}
BASE="http://127.0.0.1:$PORT_TO_USE"

# "No settings at all": nothing from the caller's environment may reach the service or the tests.
unset DATABASE_URL DATA_DIR APP_SECRET PUBLIC_URL HOST NODE_ENV TZ_DEFAULT LOG_LEVEL \
  SMTP_URL MAIL_FROM SLACK_BOT_TOKEN SLACK_SIGNING_SECRET SLACK_APP_TOKEN SLACK_API_URL \
  MicrosoftAppId MicrosoftAppPassword MicrosoftAppType MicrosoftAppTenantId TEAMS_DEV_NO_AUTH \
  TEST_DATABASE_URL

failures=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
step() { printf '\n==> %s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

src=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kooperator-quickstart.XXXXXX")
service_pid=""

stop_group() { # $1 = pid of a session leader started with setsid; signals its whole group
  kill -TERM -- "-$1" 2>/dev/null || true
}
cleanup() {
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
    stop_group "$service_pid"
    sleep 2
    kill -KILL -- "-$service_pid" 2>/dev/null || true
  fi
  if [ -n "$KEEP" ]; then echo "kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_log() { # $1 = log file: its end, when something went wrong
  echo "---- last lines of $1"
  tail -n 40 "$1" || true
  echo "----"
}

# Starts `npm start` in its own session, so that stopping it reaches npm and node as a
# terminal's Ctrl-C or systemd would. Sets service_pid; $1 = log file.
start_service() {
  if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then
    echo "port $PORT_TO_USE already answers (a service left running?); choose another with QUICKSTART_PORT" >&2
    exit 2
  fi
  PORT="$PORT_TO_USE" setsid npm start >"$1" 2>&1 </dev/null &
  service_pid=$!
}

# Waits up to 60 s for /healthz to answer 200 with "ready": true (it answers "ready": false
# while the service starts); prints the seconds it took. $1 = start time.
wait_healthy() {
  local started=$1 deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -fsS -o "$tmp/healthz.json" "$BASE/healthz" 2>/dev/null && grep -Eq '"ready" *: *true' "$tmp/healthz.json"; then
      elapsed "$started" "$(now)"
      return 0
    fi
    kill -0 "$service_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# SIGTERM, then the service must be gone within 10 s: npm exits on the signal at once, so
# wait for every process of its group (node), not only npm. $1 = label.
stop_service() {
  local label=$1 pid=$service_pid code=0 deadline
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" || code=$?
    service_pid=""
    fail "$label: the service had already exited by itself (exit code $code)"
    return
  fi
  stop_group "$pid"
  deadline=$((SECONDS + 10))
  while { kill -0 "$pid" 2>/dev/null || pgrep -g "$pid" >/dev/null; } && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null || pgrep -g "$pid" >/dev/null; then
    fail "$label: still running 10 s after SIGTERM: $(pgrep -g "$pid" -a | tr '\n' ';')"
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    service_pid=""
    return
  fi
  wait "$pid" || code=$?
  service_pid=""
  # npm answers a SIGTERM by ending with it (143) once its child is told; any other non-zero
  # code is the service failing on the way out.
  if [ "$code" -eq 0 ] || [ "$code" -eq 143 ]; then
    pass "$label: every process exited within 10 s of SIGTERM"
  else
    fail "$label: exited with code $code after SIGTERM"
  fi
}

step "fresh clone of $src"
if ! head=$(git -C "$src" rev-parse --short --verify -q HEAD); then
  echo "nothing committed yet: the check clones HEAD, so commit first" >&2
  exit 2
fi
echo "commit $head"
if [ -n "$(git -C "$src" status --porcelain)" ]; then
  echo "note: the working tree has uncommitted changes; they are not part of this check"
fi
git clone -q "$src" "$tmp/repo"
cd "$tmp/repo"

step "npm ci"
if npm ci --no-audit --no-fund; then pass "npm ci"; else fail "npm ci"; exit 1; fi

step "first start: npm start (PORT=$PORT_TO_USE, nothing else set)"
log1="$tmp/start-1.log"
t0=$(now)
start_service "$log1"
if first=$(wait_healthy "$t0"); then
  pass "first start: /healthz answered 200 after ${first} s"
  body=$(cat "$tmp/healthz.json")
  if grep -Eq '"status" *: *"ok"' <<<"$body" && grep -Eq '"db" *: *"pglite"' <<<"$body"; then
    pass "/healthz says status ok on pglite"
  else
    fail "/healthz body lacks \"status\":\"ok\" or \"db\":\"pglite\": $body"
  fi

  ics="$tmp/all.ics"
  if curl -fsS -o "$ics" "$BASE/calendars/all.ics"; then
    # Unfold RFC 5545 content lines so a folded name still matches.
    unfolded=$(tr -d '\r' <"$ics" | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n[ \t]//g')
    if [ "$(head -n 1 <<<"$unfolded")" = "BEGIN:VCALENDAR" ]; then
      pass "/calendars/all.ics starts with BEGIN:VCALENDAR"
    else
      fail "/calendars/all.ics does not start with BEGIN:VCALENDAR"
    fi
    if grep -Fq 'PZK Łódź' <<<"$unfolded"; then
      pass "/calendars/all.ics has the demo team (PZK Łódź)"
    else
      fail "/calendars/all.ics does not mention PZK Łódź: the demo was not imported?"
    fi
  else
    fail "GET /calendars/all.ics did not answer 2xx"
  fi

  if grep -Fq 'demo.yaml' "$log1"; then
    pass "the log says the demo (demo.yaml) was imported"
  else
    fail "the log does not mention demo.yaml"
  fi

  # The demo's invitations go to the e-mail outbox folder: none may be refused with the default settings.
  sleep 5
  if grep -Fq 'failed for good' "$log1"; then
    fail "a message failed for good with the default settings: $(grep -F 'failed for good' "$log1" | head -n 1 | cut -c1-200)"
  elif ls data/outbox/*.eml >/dev/null 2>&1; then
    pass "the demo's e-mails were written to data/outbox ($(ls data/outbox | wc -l) files)"
  elif warsaw_hour=$(TZ=Europe/Warsaw date +%H) && { [ "${warsaw_hour#0}" -ge 20 ] || [ "${warsaw_hour#0}" -lt 7 ]; }; then
    # Invitations are not urgent: planned in the members' quiet hours (20:00-07:00 in the
    # demo teams' zone, the default) they wait for the morning, so an empty outbox is right.
    pass "no e-mail yet: it is ${warsaw_hour}:xx in Warsaw, within the default quiet hours (20-7), so the demo's invitations wait until 07:00"
  else
    fail "no e-mail was written to data/outbox"
  fi
  stop_service "first start"
else
  fail "first start: /healthz never answered 200 (limit 60 s)"
  stop_service "first start"
fi
[ "$failures" -eq 0 ] || show_log "$log1"

step "second start: the existing ./data is reopened"
log2="$tmp/start-2.log"
t0=$(now)
start_service "$log2"
if second=$(wait_healthy "$t0"); then
  pass "second start: /healthz answered 200 after ${second} s"
else
  fail "second start: /healthz never answered 200 (limit 60 s)"
fi
before=$failures
stop_service "second start"
[ "$failures" -eq "$before" ] && [ -n "${second:-}" ] || show_log "$log2"
echo "start to healthy: first ${first:-?} s, second ${second:-?} s"

if [ -n "${QUICKSTART_SKIP_TESTS:-}" ]; then
  echo "npm test skipped (QUICKSTART_SKIP_TESTS)"
else
  step "npm test (no database server, TEST_DATABASE_URL unset)"
  if npm test; then pass "npm test"; else fail "npm test"; fi
fi

echo
if [ "$failures" -eq 0 ]; then
  echo "PASS  quick start (first start ${first} s, second start ${second} s)"
else
  echo "FAIL  quick start: $failures check(s) failed"
  exit 1
fi
