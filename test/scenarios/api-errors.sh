#!/usr/bin/env bash
# The error texts users meet most: NotFound in its forms, AlreadyExists, Invalid with one and
# several field errors, decoding errors, unknown fields with --validate=strict|warn|ignore,
# size limits, collection deletes, and objects in missing namespaces.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns err
missing="no-such-ns-$RANDOM$RANDOM"

for cmd in "get" "describe" "delete" "edit" "label cm nosuch a=b" "annotate cm nosuch a=b"; do
  case "$cmd" in
    label*|annotate*) run k $cmd -n "$NS" ;;
    *) run env KUBE_EDITOR=true kubectl $cmd cm nosuch -n "$NS" ;;
  esac
  expect_contains "$LAST_ERR" 'Error from server (NotFound): configmaps "nosuch" not found' "kubectl $cmd"
done
ok k get cm -n "$missing"
expect_eq "$LAST_ERR" "No resources found in $missing namespace." "listing in a missing namespace is empty, not an error"
refused k get cm x -n "$missing"
# kubectl 1.31+ follows a NotFound with a GET of the namespace and reports the missing namespace
expect_match "$LAST_ERR" "Error from server \\(NotFound\\): (configmaps \"x\"|namespaces \"$missing\") not found"
f=$(manifest cm.yaml <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: x, namespace: $missing}
YAML
)
refused k create -f "$f"
expect_contains "$LAST_ERR" "Error from server (NotFound): error when creating \"$f\": namespaces \"$missing\" not found"
refused k get --raw /api/v1/nosuchresources
expect_contains "$LAST_ERR" "Error from server (NotFound): the server could not find the requested resource"
refused k get --raw "/apis/apps/v1/namespaces/$NS/deployments/nosuch"
expect_contains "$LAST_ERR" 'Error from server (NotFound): deployments.apps "nosuch" not found'
refused k get clusterrole nosuch-role-xyz
expect_contains "$LAST_ERR" 'Error from server (NotFound): clusterroles.rbac.authorization.k8s.io "nosuch-role-xyz" not found'

# several field errors are listed one per line
f=$(manifest pod.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: Sometimes
  containers:
  - {name: Bad_Name, image: busybox}
  - {name: dup, image: busybox}
  - {name: dup, image: busybox}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'The Pod "p" is invalid: '
expect_contains "$LAST_ERR" $'\n* spec.containers[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')'
expect_contains "$LAST_ERR" $'\n* spec.containers[2].name: Duplicate value: "dup"'
expect_contains "$LAST_ERR" $'\n* spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'
f=$(manifest nocont.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: nocont}
spec: {containers: []}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'The Pod "nocont" is invalid: spec.containers: Required value'
refused k create namespace "$(printf 'a%.0s' $(seq 64))"
expect_contains "$LAST_ERR" 'must be no more than 63 characters'

# decoding errors are 400s naming the kind
f=$(manifest qty.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: qty}
spec:
  containers:
  - name: c
    image: busybox
    resources: {limits: {cpu: lots}}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" "Error from server (BadRequest): error when creating \"$f\": Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)\$'"
f=$(manifest type.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: typed}
spec:
  replicas: three
  selector: {matchLabels: {app: t}}
  template:
    metadata: {labels: {app: t}}
    spec: {containers: [{name: c, image: busybox}]}
YAML
)
# (server dry runs: a server that wrongly accepted these would store objects other clients
# cannot decode)
refused k create -f "$f" -n "$NS" --dry-run=server
expect_contains "$LAST_ERR" "Error from server (BadRequest): error when creating \"$f\": Deployment in version \"v1\" cannot be handled as a Deployment:"
f=$(manifest stdin.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: typed}
spec:
  terminationGracePeriodSeconds: thirty
  containers: [{name: c, image: busybox, stdin: "yes"}]
YAML
)
refused k create -f "$f" -n "$NS" --dry-run=server
expect_contains "$LAST_ERR" "Error from server (BadRequest): error when creating \"$f\": Pod in version \"v1\" cannot be handled as a Pod:"

# unknown fields under each --validate mode
f=$(manifest unknown.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: unknown, colour: red}
data: {a: "1"}
extra: field
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'Error from server (BadRequest): error when creating'
expect_contains "$LAST_ERR" 'strict decoding error: unknown field "extra", unknown field "metadata.colour"'
ok k create -f "$f" -n "$NS" --validate=warn
expect_contains "$LAST_ERR" 'Warning: unknown field "extra"'
expect_contains "$LAST_ERR" 'Warning: unknown field "metadata.colour"'
expect_eq "$LAST_OUT" "configmap/unknown created"
ok k delete cm unknown -n "$NS"
ok k create -f "$f" -n "$NS" --validate=false
expect_eq "$LAST_ERR" ""
ok k get cm unknown -n "$NS" -o json
expect_not_contains "$LAST_OUT" '"extra"'
expect_not_contains "$LAST_OUT" '"colour"'

# size limits
big=$(mktemp); defer rm -f "$big"
node -e 'process.stdout.write(JSON.stringify({apiVersion:"v1",kind:"ConfigMap",metadata:{name:"big"},data:{a:"x".repeat(1048577)}}))' >"$big"
refused k create -f "$big" -n "$NS"
expect_match "$LAST_ERR" 'ConfigMap "big" is invalid: \[\]: Too long: .*1048576 bytes'

# delete collection through the raw API returns what it deleted
for n in d1 d2 keep; do ok k create configmap "$n" -n "$NS"; done
ok k label cm d1 d2 gone=yes -n "$NS"
ok k delete --raw "/api/v1/namespaces/$NS/configmaps?labelSelector=gone%3Dyes"
expect_match "$LAST_OUT" '"kind":"ConfigMapList"'
expect_contains "$LAST_OUT" '"name":"d1"'
expect_contains "$LAST_OUT" '"name":"d2"'
ok k get cm -n "$NS" -o name -l gone=yes
expect_eq "$LAST_OUT" ""
ok k get cm keep -n "$NS" -o name

# a manifest's namespace must agree with -n
f=$(manifest ns.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: elsewhere, namespace: some-other-ns}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" "the namespace from the provided object \"some-other-ns\" does not match the namespace \"$NS\". You must pass '--namespace=some-other-ns' to perform this operation."
# a body whose name differs from the URL
refused k replace --raw "/api/v1/namespaces/$NS/configmaps/keep" -f <(printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}}')
expect_contains "$LAST_ERR" "the name of the object (other) does not match the name on the URL (keep)"
# a body whose namespace differs from the URL
refused k create --raw "/api/v1/namespaces/$NS/configmaps" -f <(printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"nsdiff","namespace":"default"}}')
expect_contains "$LAST_ERR" "the namespace of the provided object does not match the namespace sent on the request"
# create with generateName
ok k create --raw "/api/v1/namespaces/$NS/configmaps" -f <(printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"gen-"}}')
expect_match "$LAST_OUT" '"name":"gen-[a-z0-9]{5}"'
expect_contains "$LAST_OUT" '"generateName":"gen-"'
