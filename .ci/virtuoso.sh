#!/usr/bin/env bash
# Start or stop a throw-away Virtuoso for the integration tests, on loopback only.
#
#   .ci/virtuoso.sh start DIR   # DIR: an empty temp folder for the database and config
#   .ci/virtuoso.sh stop DIR
#
# `start` prints the lines to eval: KGBUILDER_TEST_VIRTUOSO (HTTP base URL) and the dba
# credentials (a fresh random password, set through ISQL on localhost).
# Ports: HTTP on 127.0.0.1:${VIRTUOSO_HTTP_PORT:-8890}, ISQL on 127.0.0.1:${VIRTUOSO_ISQL_PORT:-1111}.
set -euo pipefail

cmd=${1:?usage: virtuoso.sh start|stop DIR}
dir=${2:?usage: virtuoso.sh start|stop DIR}
http_port=${VIRTUOSO_HTTP_PORT:-8890}
isql_port=${VIRTUOSO_ISQL_PORT:-1111}

case "$cmd" in
start)
  command -v virtuoso-t >/dev/null || { echo "virtuoso-t not installed" >&2; exit 1; }
  mkdir -p "$dir"
  cat > "$dir/virtuoso.ini" <<INI
[Database]
DatabaseFile = $dir/virtuoso.db
ErrorLogFile = $dir/virtuoso.log
LockFile = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:$isql_port
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., $dir
[HTTPServer]
ServerPort = 127.0.0.1:$http_port
ServerRoot = $dir
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
INI
  (cd "$dir" && exec virtuoso-t +configfile "$dir/virtuoso.ini" +foreground >"$dir/stdout.log" 2>&1) &
  echo $! > "$dir/pid"
  # bounded wait for the HTTP listener (a fresh database takes a few seconds to create)
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D" 2>/dev/null; then
      break
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "virtuoso exited during start-up; log:" >&2; tail -20 "$dir/virtuoso.log" >&2; exit 1
    fi
    sleep 0.5
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D" \
    || { echo "virtuoso did not answer within 60 s" >&2; exit 1; }
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
  isql-vt "127.0.0.1:$isql_port" dba dba exec="USER_SET_PASSWORD('dba', '$password');" >/dev/null
  # check it took: the digest-protected endpoint must accept the new password
  printf 'user = "dba:%s"\n' "$password" | curl -fsS -o /dev/null --digest -K - \
    "http://127.0.0.1:$http_port/sparql-auth?query=ASK%7B%7D" \
    || { echo "could not set the dba password" >&2; exit 1; }
  echo "export KGBUILDER_TEST_VIRTUOSO=http://127.0.0.1:$http_port"
  echo "export KGBUILDER_TEST_VIRTUOSO_USER=dba"
  echo "export KGBUILDER_TEST_VIRTUOSO_PASSWORD=$password"
  ;;
stop)
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
  fi
  ;;
*)
  echo "usage: virtuoso.sh start|stop DIR" >&2; exit 2 ;;
esac
