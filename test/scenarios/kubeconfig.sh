#!/usr/bin/env bash
# needs: api
# The kubeconfig `skiff server` writes: owner-only, context "default", an admin client
# certificate in group system:masters, the API on loopback.
source "$(dirname "$0")/lib.sh"

expect_eq "$(stat -c %a "$KUBECONFIG")" 600 "kubeconfig file mode"
expect_eq "$(k config current-context)" default "current context"
ok k config view --minify -o jsonpath='{.clusters[0].cluster.server}'
expect_match "$LAST_OUT" '^https://127\.0\.0\.1:[0-9]+$' "server URL"

ok k config view --raw --minify -o jsonpath='{.users[0].user.client-certificate-data}'
subject=$(echo "$LAST_OUT" | base64 -d | openssl x509 -noout -subject -nameopt RFC2253)
expect_contains "$subject" "CN=system:admin" "admin certificate subject"
expect_contains "$subject" "O=system:masters" "admin certificate group"

ok k get --raw /readyz
expect_eq "$LAST_OUT" ok "/readyz"
ok k auth whoami -o jsonpath='{.status.userInfo.username} {.status.userInfo.groups}'
expect_contains "$LAST_OUT" "system:admin" "whoami user"
expect_contains "$LAST_OUT" "system:masters" "whoami groups"
ok k auth can-i '*' '*'
expect_eq "$LAST_OUT" yes "the admin may do everything"
