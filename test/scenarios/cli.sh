#!/usr/bin/env bash
# needs: api
# The command line never crashes on bad input: usage and exit 2. A busy port is a clear
# error (exit 1), and a signal during start-up still exits cleanly.
source "$(dirname "$0")/lib.sh"

for args in "server --bogus" "server --port abc" "server --port 70000" "server --datastore mysql" \
  "server --service-cidr 10.0.0.0/99" "server extra-arg" "server --port" "no-such-command"; do
  # shellcheck disable=SC2086
  run skiff $args
  expect_eq "$?" 2 "exit code of 'skiff $args'"
  expect_contains "$LAST_ERR" "Usage: skiff" "usage for 'skiff $args'"
  expect_not_contains "$LAST_ERR" "    at " "no stack trace for 'skiff $args'"
done

ok skiff help
expect_contains "$LAST_OUT" "server"
ok skiff server --help
expect_contains "$LAST_OUT" "--data-dir"
ok skiff version
expect_match "$LAST_OUT" '^skiff v[0-9]+\.[0-9]+\.[0-9]+' "version"

# the test cluster's port is taken: a clear message, exit 1
dir=$(mktemp -d)
defer rm -rf "$dir"
run skiff server --data-dir "$dir/busy" --port "$(kubeconfig_port)"
expect_eq "$?" 1 "exit code on a busy port"
expect_contains "$LAST_ERR" "already in use"

# SIGTERM while starting (once it has said so; before that Node itself is still booting):
# no hang, exit 0
node "$SKIFF_MAIN" server --data-dir "$dir/early" --port "$(free_port)" --host 127.0.0.1 >"$dir/early.log" 2>&1 &
pid=$!
defer kill -9 "$pid"
wait_log "$dir/early.log" 'starting:' 10
stop_server "$pid" TERM 15
expect_eq "$STOP_RC" 0 "exit code after SIGTERM during start-up"
