#!/usr/bin/env bash
# kubectl config on a private copy of the kubeconfig: view (redacted, --minify, --raw),
# contexts/clusters/users (get, set, use, rename, delete, unset), and that contexts,
# namespaces, tokens and TLS settings change what the server sees.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns cfgc

cfg=$(mktemp); defer rm -f "$cfg"
k config view --raw --flatten >"$cfg" || fail "could not copy the kubeconfig"
kc() { env KUBECONFIG="$cfg" kubectl "$@"; }
ctx=$(kc config current-context)
cluster=$(kc config view --minify -o jsonpath='{.clusters[0].name}')
user=$(kc config view --minify -o jsonpath='{.users[0].name}')
server=$(kc config view --minify -o jsonpath='{.clusters[0].cluster.server}')
[ -n "$ctx" ] && [ -n "$cluster" ] && [ -n "$user" ] || fail "kubeconfig lacks a current context"
expect_match "$server" '^https://'

ok kc config view
expect_contains "$LAST_OUT" "certificate-authority-data: DATA+OMITTED"
expect_match "$LAST_OUT" "client-key-data: (DATA\\+OMITTED|REDACTED)"
ok kc config view --raw
expect_not_contains "$LAST_OUT" "DATA+OMITTED"
ok kc config view -o jsonpath='{.current-context}'
expect_eq "$LAST_OUT" "$ctx"
ok kc config get-contexts
expect_match "$(head -1 <<<"$LAST_OUT")" '^CURRENT +NAME +CLUSTER +AUTHINFO +NAMESPACE$'
expect_match "$LAST_OUT" "\\* +$ctx +$cluster +$user"
ok kc config get-clusters
expect_eq "$LAST_OUT" $'NAME\n'"$cluster"
ok kc config get-users
expect_eq "$LAST_OUT" $'NAME\n'"$user"

ok kc config set-context dev --cluster="$cluster" --user="$user" --namespace="$NS"
expect_eq "$LAST_OUT" 'Context "dev" created.'
ok kc config set-context dev --namespace="$NS"
expect_eq "$LAST_OUT" 'Context "dev" modified.'
ok kc config use-context dev
expect_eq "$LAST_OUT" 'Switched to context "dev".'
ok kc config current-context
expect_eq "$LAST_OUT" "dev"
ok kc create configmap via-context --from-literal=a=b
ok k get cm via-context -n "$NS" -o name
expect_eq "$LAST_OUT" "configmap/via-context" "the context's namespace is the default"
ok kc config view --minify -o jsonpath='{.contexts[0].context.namespace}'
expect_eq "$LAST_OUT" "$NS"
ok kc config rename-context dev dev2
expect_eq "$LAST_OUT" 'Context "dev" renamed to "dev2".'
ok kc config current-context
expect_eq "$LAST_OUT" "dev2"
ok kc config set contexts.dev2.namespace default
expect_eq "$LAST_OUT" 'Property "contexts.dev2.namespace" set.'
ok kc get cm via-context -o name --ignore-not-found
expect_eq "$LAST_OUT" ""
ok kc --context="$ctx" get ns "$NS" -o name
expect_eq "$LAST_OUT" "namespace/$NS"
ok kc config use-context "$ctx"
ok kc config delete-context dev2
expect_eq "$LAST_OUT" "deleted context dev2 from $cfg"

# clusters and users
ok kc config set-cluster nowhere --server=https://127.0.0.1:1
expect_eq "$LAST_OUT" 'Cluster "nowhere" set.'
ok kc config set-credentials nobody --token=not-a-token
expect_eq "$LAST_OUT" 'User "nobody" set.'
ok kc config set-context broken --cluster=nowhere --user=nobody
refused kc --context=broken get ns --request-timeout=5s
expect_contains "$LAST_ERR" "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?"
ok kc config unset users.nobody
expect_eq "$LAST_OUT" 'Property "users.nobody" unset.'
ok kc config delete-cluster nowhere
expect_eq "$LAST_OUT" "deleted cluster nowhere from $cfg"
ok kc config delete-context broken

# a bad bearer token is 401 Unauthorized; TLS is verified against the cluster CA
ok kc config set-credentials badtoken --token=not-a-token
ok kc config set-context badtoken --cluster="$cluster" --user=badtoken
refused kc --context=badtoken get ns
expect_contains "$LAST_ERR" "error: You must be logged in to the server (Unauthorized)"
ok kc config delete-user badtoken
expect_eq "$LAST_OUT" "deleted user badtoken from $cfg"
other=$(mktemp -d); defer rm -rf "$other"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$other/k" -out "$other/ca.crt" -subj /CN=other-ca -days 1 >/dev/null 2>&1
ok kc config set-cluster wrongca --server="$server" --certificate-authority="$other/ca.crt"
ok kc config set-context wrongca --cluster=wrongca --user="$user"
refused kc --context=wrongca get ns
expect_contains "$LAST_ERR" "x509: certificate signed by unknown authority"
ok kc --context=wrongca --insecure-skip-tls-verify=true get ns "$NS" -o name
expect_eq "$LAST_OUT" "namespace/$NS"
# the serving certificate is valid for the names in-cluster clients use
ok kc --context=wrongca --insecure-skip-tls-verify=true get ns default
crt=$(echo | openssl s_client -connect "${server#https://}" 2>/dev/null | openssl x509 -noout -ext subjectAltName 2>/dev/null)
for san in DNS:kubernetes DNS:kubernetes.default DNS:kubernetes.default.svc DNS:kubernetes.default.svc.cluster.local; do
  expect_contains "$crt" "$san" "the serving certificate names $san"
done
