#!/usr/bin/env bash
# kubectl create namespace / configmap / secret: what the server stores, its defaults and
# validation, and the --dry-run=client|server -o yaml forms.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns ccfg
tmp=$(mktemp -d); defer rm -rf "$tmp"

# --- namespace -------------------------------------------------------------------------
name="cns-$RANDOM$RANDOM"
ok k create namespace "$name" --dry-run=client -o yaml
expect_contains "$LAST_OUT" "kind: Namespace"
expect_contains "$LAST_OUT" "name: $name"
# server dry run: defaults and the metadata.name label, nothing stored
ok k create namespace "$name" --dry-run=server -o jsonpath='{.metadata.labels.kubernetes\.io/metadata\.name} {.status.phase} {.spec.finalizers}'
expect_eq "$LAST_OUT" "$name Active [\"kubernetes\"]" "namespace dry-run defaults"
refused k get ns "$name"
expect_contains "$LAST_ERR" "Error from server (NotFound): namespaces \"$name\" not found"
ok k create namespace "$name"
defer k delete namespace "$name" --wait=false
expect_eq "$LAST_OUT" "namespace/$name created"
ok k get ns "$name" --show-labels --no-headers
expect_match "$LAST_OUT" "^$name +Active +[0-9]+s +kubernetes.io/metadata.name=$name\$" "namespace row with its label"
# a label that contradicts the name is overwritten by the server
ok k label ns "$name" kubernetes.io/metadata.name=other --overwrite
ok k get ns "$name" -o jsonpath='{.metadata.labels.kubernetes\.io/metadata\.name}'
expect_eq "$LAST_OUT" "$name" "kubernetes.io/metadata.name always equals the name"

# --- configmap ---------------------------------------------------------------------------
ok k create configmap lit --from-literal=a=1 --from-literal=b='two words' -n "$NS" --dry-run=client -o yaml
expect_contains "$LAST_OUT" "kind: ConfigMap"
expect_contains "$LAST_OUT" "b: two words"
expect_contains "$LAST_OUT" "namespace: $NS"
ok k create configmap lit --from-literal=a=1 --from-literal=b='two words' -n "$NS" --dry-run=server -o yaml --show-managed-fields
expect_contains "$LAST_OUT" "uid: "
expect_contains "$LAST_OUT" "creationTimestamp: \""
expect_contains "$LAST_OUT" "manager: kubectl-create"
# a dry-run create never reaches storage, so it has no resourceVersion
expect_not_contains "$LAST_OUT" "resourceVersion:" "a dry-run create carries no resourceVersion"
refused k get cm lit -n "$NS"
ok k create configmap lit --from-literal=a=1 --from-literal=b='two words' -n "$NS"
expect_eq "$LAST_OUT" "configmap/lit created"
ok k get cm lit -n "$NS" -o jsonpath='{.data.a}|{.data.b}'
expect_eq "$LAST_OUT" "1|two words"
ok k get cm lit -n "$NS" -o jsonpath='{.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation} {.metadata.managedFields[0].fieldsType}'
expect_eq "$LAST_OUT" "kubectl-create Update FieldsV1" "create records a managedFields entry"

printf 'k1=v1\n# a comment\n\nK2=hello world\n' >"$tmp/app.env"
printf 'server {\n  listen 80;\n}\n' >"$tmp/nginx.conf"
mkdir "$tmp/dir"; printf one >"$tmp/dir/one.txt"; printf two >"$tmp/dir/two.txt"
printf '\xff\xfe\x00\x01' >"$tmp/blob.bin"
ok k create configmap envs --from-env-file="$tmp/app.env" -n "$NS"
ok k get cm envs -n "$NS" -o jsonpath='{.data.k1}|{.data.K2}'
expect_eq "$LAST_OUT" "v1|hello world" "env-file: comments and blank lines skipped"
ok k create configmap files --from-file="$tmp/nginx.conf" --from-file=renamed.conf="$tmp/nginx.conf" --from-file="$tmp/dir" --from-file="$tmp/blob.bin" -n "$NS"
ok k get cm files -n "$NS" -o jsonpath='{.data.nginx\.conf}'
expect_eq "$LAST_OUT" $'server {\n  listen 80;\n}'
ok k get cm files -n "$NS" -o jsonpath='{.data.renamed\.conf}|{.data.one\.txt}|{.data.two\.txt}|{.binaryData.blob\.bin}'
expect_eq "$LAST_OUT" $'server {\n  listen 80;\n}\n|one|two|//4AAQ==' "file, key=file, directory and binary file"
ok k get cm -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +DATA +AGE$'
expect_match "$LAST_OUT" $'\nfiles +5 +[0-9]+s' "DATA counts data and binaryData keys"
expect_match "$LAST_OUT" $'\nenvs +2 +[0-9]+s'
expect_match "$LAST_OUT" 'kube-root-ca.crt +1 +'

# invalid data keys are rejected by the server with the field path
f=$(manifest badkey.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: badkey}
data: {"bad key": "x"}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'The ConfigMap "badkey" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters'
f=$(manifest dupkey.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: dupkey}
data: {a: "1"}
binaryData: {a: "MQ=="}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'data[a]: Invalid value: "a": duplicate of key present in binaryData'

# --- secrets -----------------------------------------------------------------------------
ok k create secret generic gen --from-literal=user=admin --from-file=conf="$tmp/nginx.conf" -n "$NS" --dry-run=client -o yaml
expect_contains "$LAST_OUT" "kind: Secret"
expect_contains "$LAST_OUT" "user: YWRtaW4="
ok k create secret generic gen --from-literal=user=admin --from-file=conf="$tmp/nginx.conf" -n "$NS"
expect_eq "$LAST_OUT" "secret/gen created"
ok k get secret gen -n "$NS" -o jsonpath='{.type} {.data.user}'
expect_eq "$LAST_OUT" "Opaque YWRtaW4="
ok k create secret generic typed --type=example.com/custom --from-literal=k=v -n "$NS"
ok k get secret typed -n "$NS" -o jsonpath='{.type}'
expect_eq "$LAST_OUT" "example.com/custom"

# stringData is write-only: the server merges it into data
f=$(manifest sd.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: sd}
stringData: {plain: hello}
data: {enc: d29ybGQ=}
YAML
)
ok k apply -f "$f" -n "$NS"
ok k get secret sd -n "$NS" -o json
expect_contains "$LAST_OUT" '"plain": "aGVsbG8="'
expect_contains "$LAST_OUT" '"enc": "d29ybGQ="'
expect_not_contains "$LAST_OUT" '"stringData"' "stringData is not stored"

# tls
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/tls.key" -out "$tmp/tls.crt" -subj /CN=tls.example -days 2 >/dev/null 2>&1 || fail "openssl could not make a key pair"
ok k create secret tls web-tls --cert="$tmp/tls.crt" --key="$tmp/tls.key" -n "$NS"
expect_eq "$LAST_OUT" "secret/web-tls created"
ok k get secret web-tls -n "$NS" -o jsonpath='{.type}'
expect_eq "$LAST_OUT" "kubernetes.io/tls"
ok k get secret web-tls -n "$NS" -o jsonpath='{.data.tls\.crt}'
expect_eq "$(base64 -d <<<"$LAST_OUT")" "$(cat "$tmp/tls.crt")" "the certificate round-trips"
refused k create secret generic badtls --type=kubernetes.io/tls --from-literal=tls.crt=x -n "$NS"
expect_contains "$LAST_ERR" 'data[tls.key]: Required value'

# docker-registry
ok k create secret docker-registry reg --docker-server=registry.example:5000 --docker-username=u --docker-password=p --docker-email=e@example.com -n "$NS"
ok k get secret reg -n "$NS" -o jsonpath='{.type}'
expect_eq "$LAST_OUT" "kubernetes.io/dockerconfigjson"
ok k get secret reg -n "$NS" -o jsonpath='{.data.\.dockerconfigjson}'
cfg=$(base64 -d <<<"$LAST_OUT")
expect_contains "$cfg" '"registry.example:5000":{"username":"u","password":"p","email":"e@example.com","auth":"dTpw"}'
refused k create secret generic badreg --type=kubernetes.io/dockerconfigjson --from-literal=.dockerconfigjson=notjson -n "$NS"
expect_contains "$LAST_ERR" 'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>"'
refused k create secret generic noreg --type=kubernetes.io/dockerconfigjson --from-literal=x=y -n "$NS"
expect_contains "$LAST_ERR" 'data[.dockerconfigjson]: Required value'

ok k get secrets -n "$NS"
expect_match "$LAST_OUT" 'web-tls +kubernetes.io/tls +2 +[0-9]+s'
expect_match "$LAST_OUT" 'reg +kubernetes.io/dockerconfigjson +1 +[0-9]+s'
expect_match "$LAST_OUT" 'gen +Opaque +2 +[0-9]+s'

# a secret's type cannot change
refused k patch secret gen -n "$NS" -p '{"type":"example.com/other"}'
expect_contains "$LAST_ERR" 'type: Invalid value: "example.com/other": field is immutable'

# already exists through create -f names the file
f=$(manifest again.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: lit}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" "Error from server (AlreadyExists): error when creating \"$f\": configmaps \"lit\" already exists"
