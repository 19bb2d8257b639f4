#!/usr/bin/env bash
# The raw HTTP surface: /version, health endpoints, /metrics, OpenAPI v2/v3, OIDC discovery,
# Status error bodies, content negotiation (Table, PartialObjectMetadata, YAML, protobuf in
# both directions, aggregated discovery), 405/406/415 answers.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns raw

ok k get --raw /version
expect_match "$LAST_OUT" '"major": ?"1"'
expect_match "$LAST_OUT" '"minor": ?"32"'
expect_match "$LAST_OUT" '"gitVersion": ?"v1\.32\.[0-9]+'
expect_match "$LAST_OUT" '^\{'$'\n''  "major": "1",'$'\n''  "minor": "32",' "/version is indented JSON, as upstream writes it"
for p in /healthz /livez /readyz /healthz/ping /livez/ping /readyz/ping /livez/etcd /readyz/etcd; do
  ok k get --raw "$p"
  expect_eq "$LAST_OUT" "ok" "$p"
done
ok k get --raw '/livez?verbose'
expect_match "$LAST_OUT" '^\[\+\]ping ok'$'\n''\[\+\]log ok'$'\n''\[\+\]etcd ok'
expect_match "$LAST_OUT" $'\nlivez check passed$'
ok k get --raw '/readyz?verbose'
expect_contains "$LAST_OUT" "[+]ping ok"
expect_contains "$LAST_OUT" "[+]informer-sync ok"
expect_contains "$LAST_OUT" "[+]shutdown ok"
expect_match "$LAST_OUT" $'\nreadyz check passed$'
ok k get --raw '/readyz?verbose&exclude=etcd'
expect_contains "$LAST_OUT" "[+]etcd excluded: ok"
refused k get --raw /readyz/nosuchcheck
ok k get --raw /metrics
expect_contains "$LAST_OUT" "# TYPE apiserver_request_total counter"
expect_match "$LAST_OUT" $'\napiserver_request_total\\{[^}]*verb="GET"'
expect_contains "$LAST_OUT" "# TYPE process_start_time_seconds gauge"

# OpenAPI
ok k get --raw /openapi/v2
expect_match "$LAST_OUT" '"swagger": ?"2.0"'
expect_contains "$LAST_OUT" '"io.k8s.api.core.v1.Pod"'
ok k get --raw /openapi/v3
for p in api/v1 apis/apps/v1 apis/batch/v1 apis/rbac.authorization.k8s.io/v1 apis/networking.k8s.io/v1 apis/policy/v1; do
  expect_match "$LAST_OUT" "\"$p\":\\{\"serverRelativeURL\":\"/openapi/v3/$p\\?hash=[0-9A-F]+\"\\}" "openapi/v3 lists $p"
done
url=$(grep -o '"apis/apps/v1":{"serverRelativeURL":"[^"]*"' <<<"$LAST_OUT" | cut -d'"' -f6)
ok k get --raw "$url"
expect_match "$LAST_OUT" '"openapi": ?"3.0.0"'
expect_contains "$LAST_OUT" '"io.k8s.api.apps.v1.Deployment"'
expect_contains "$LAST_OUT" '"/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"'
ok k get --raw /openapi/v3/api/v1
expect_contains "$LAST_OUT" '"enum":["Always","Never","OnFailure"]'
# service-account issuer discovery
ok k get --raw /.well-known/openid-configuration
expect_contains "$LAST_OUT" '"issuer":"https://kubernetes.default.svc.cluster.local"'
expect_contains "$LAST_OUT" '"jwks_uri":"'
ok k get --raw /openid/v1/jwks
expect_match "$LAST_OUT" '^\{"keys":\[\{'

# Status bodies of errors
ok k create configmap c1 -n "$NS" --from-literal=a=1
server=$(k config view --minify --raw -o jsonpath='{.clusters[0].cluster.server}')
d=$(mktemp -d); defer rm -rf "$d"
k config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$d/ca"
k config view --minify --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d >"$d/crt"
k config view --minify --raw -o jsonpath='{.users[0].user.client-key-data}' | base64 -d >"$d/key"
[ -s "$d/crt" ] || fail "this scenario needs a client-certificate kubeconfig"
api() { curl -sS --cacert "$d/ca" --cert "$d/crt" --key "$d/key" -w '\n%{http_code} %{content_type}' "$@"; }
# canon: the JSON on the first line of $LAST_OUT with keys sorted (key order is not compared)
canon() { head -1 <<<"$LAST_OUT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const w=v=>Array.isArray(v)?v.map(w):v&&typeof v=="object"?Object.fromEntries(Object.keys(v).sort().map(k=>[k,w(v[k])])):v;console.log(JSON.stringify(w(JSON.parse(s))))})'; }
run api "$server/api/v1/namespaces/$NS/configmaps/nosuch"
expect_eq "$(canon)" '{"apiVersion":"v1","code":404,"details":{"kind":"configmaps","name":"nosuch"},"kind":"Status","message":"configmaps \"nosuch\" not found","metadata":{},"reason":"NotFound","status":"Failure"}'
expect_eq "$(tail -1 <<<"$LAST_OUT")" "404 application/json"
run api -X POST -H 'Content-Type: application/json' --data '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1"}}' "$server/api/v1/namespaces/$NS/configmaps"
expect_eq "$(canon)" '{"apiVersion":"v1","code":409,"details":{"kind":"configmaps","name":"c1"},"kind":"Status","message":"configmaps \"c1\" already exists","metadata":{},"reason":"AlreadyExists","status":"Failure"}'
expect_eq "$(tail -1 <<<"$LAST_OUT")" "409 application/json"
run api -X POST -H 'Content-Type: application/json' --data '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad"}}' "$server/api/v1/namespaces/$NS/configmaps"
expect_contains "$(canon)" '"code":422,"details":{"causes":[{"field":"metadata.name","message":"Invalid value: \"Bad\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters'
expect_contains "$(canon)" '"kind":"ConfigMap","name":"Bad"},"kind":"Status","message":"ConfigMap \"Bad\" is invalid: metadata.name: Invalid value: \"Bad\"'
expect_contains "$(canon)" '"reason":"Invalid","status":"Failure"}'
run api -X PUT -H 'Content-Type: application/json' --data '{}' "$server/api/v1/namespaces/$NS/configmaps"
expect_contains "$LAST_OUT" '"reason":"MethodNotAllowed"'
expect_match "$LAST_OUT" $'\n405 '
run api -X POST -H 'Content-Type: text/plain' --data 'hello' "$server/api/v1/namespaces/$NS/configmaps"
expect_contains "$LAST_OUT" '"reason":"UnsupportedMediaType"'
expect_match "$LAST_OUT" $'\n415 '
run api -H 'Accept: text/html' "$server/api/v1/namespaces/$NS/configmaps/c1"
expect_contains "$LAST_OUT" '"reason":"NotAcceptable"'
expect_match "$LAST_OUT" $'\n406 '
run api -X POST -H 'Content-Type: application/json' --data '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}' "$server/api/v1/namespaces/$NS/configmaps"
expect_contains "$LAST_OUT" '"code":400'

# content negotiation
run api -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$server/api/v1/namespaces/$NS/configmaps"
expect_match "$LAST_OUT" '^\{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":\{"resourceVersion":"[0-9]+"\},"columnDefinitions":\[\{"name":"Name","type":"string","format":"name","description":"[^"]+","priority":0\},\{"name":"Data","type":"string","format":"","description":"[^"]+","priority":0\},\{"name":"Age","type":"string","format":"","description":"[^"]+","priority":0\}\],"rows":\['
expect_contains "$LAST_OUT" '"cells":["c1",1,'
expect_contains "$LAST_OUT" '"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"c1"'
run api -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$server/api/v1/namespaces/$NS/configmaps?includeObject=None"
expect_contains "$LAST_OUT" '"object":null'
expect_not_contains "$LAST_OUT" '"kind":"PartialObjectMetadata"'
run api -H 'Accept: application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' "$server/api/v1/namespaces/$NS/configmaps"
expect_match "$LAST_OUT" '^\{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1"'
expect_not_contains "$LAST_OUT" '"data"'
run api -H 'Accept: application/yaml' "$server/api/v1/namespaces/$NS/configmaps/c1"
expect_match "$LAST_OUT" '^apiVersion: v1'$'\n''data:'$'\n''  a: "1"'$'\n''kind: ConfigMap'
expect_match "$LAST_OUT" $'\n200 application/yaml$'
run api -X POST -H 'Content-Type: application/yaml' --data-binary $'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromyaml\ndata:\n  k: v\n' "$server/api/v1/namespaces/$NS/configmaps"
expect_match "$LAST_OUT" $'\n201 application/json$'
ok k get cm fromyaml -n "$NS" -o jsonpath='{.data.k}'
expect_eq "$LAST_OUT" "v"
# aggregated discovery, as kubectl 1.30+ asks for it
run api -H 'Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' "$server/apis"
expect_match "$LAST_OUT" '^\{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2"'
expect_contains "$LAST_OUT" '"resource":"deployments","responseKind":{"group":"","version":"","kind":"Deployment"},"scope":"Namespaced","singularResource":"deployment"'
expect_match "$LAST_OUT" $'\n200 application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList$'
run api -H 'Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' "$server/api"
expect_contains "$LAST_OUT" '"resource":"pods"'

# protobuf out and in
curl -sS --cacert "$d/ca" --cert "$d/crt" --key "$d/key" -H 'Accept: application/vnd.kubernetes.protobuf' \
  -o "$d/cm.pb" -w '%{content_type}' "$server/api/v1/namespaces/$NS/configmaps/c1" >"$d/ct"
expect_eq "$(cat "$d/ct")" "application/vnd.kubernetes.protobuf"
expect_eq "$(head -c 4 "$d/cm.pb" | od -An -c | tr -s ' ')" " k 8 s \\0"
expect_contains "$(tr -c '[:print:]' '.' <"$d/cm.pb")" "ConfigMap"
node -e '
const v=(n)=>{const o=[];do{let b=n&127;n>>>=7;if(n)b|=128;o.push(b)}while(n);return Buffer.from(o)};
const f=(n,b)=>Buffer.concat([Buffer.from([n<<3|2]),v(b.length),b]);
const s=(n,x)=>f(n,Buffer.from(x));
const meta=s(1,"frompb");
const entry=Buffer.concat([s(1,"k"),s(2,"v")]);
const cm=Buffer.concat([f(1,meta),f(2,entry)]);
const unk=Buffer.concat([f(1,Buffer.concat([s(1,"v1"),s(2,"ConfigMap")])),f(2,cm)]);
process.stdout.write(Buffer.concat([Buffer.from("k8s\0"),unk]));' >"$d/in.pb"
run api -X POST -H 'Content-Type: application/vnd.kubernetes.protobuf' -H 'Accept: application/json' --data-binary @"$d/in.pb" "$server/api/v1/namespaces/$NS/configmaps"
expect_match "$LAST_OUT" $'\n201 application/json$' "a protobuf body creates the object"
ok k get cm frompb -n "$NS" -o jsonpath='{.data.k}'
expect_eq "$LAST_OUT" "v"
# nested messages, maps, bytes and varints: a Secret, a Pod and a Deployment in protobuf
node -e '
const v=(n)=>{const o=[];do{let b=n&127;n>>>=7;if(n)b|=128;o.push(b)}while(n);return Buffer.from(o)};
const f=(n,b)=>Buffer.concat([Buffer.from([n<<3|2]),v(b.length),b]);
const s=(n,x)=>f(n,Buffer.from(x));
const i=(n,x)=>Buffer.concat([Buffer.from([n<<3|0]),v(x)]);
const m=(n,k,val)=>f(n,Buffer.concat([s(1,k),Buffer.isBuffer(val)?f(2,val):s(2,val)]));
const wrap=(apiVersion,kind,raw)=>Buffer.concat([Buffer.from("k8s\0"),f(1,Buffer.concat([s(1,apiVersion),s(2,kind)])),f(2,raw)]);
const fs=require("fs"), dir=process.argv[1];
fs.writeFileSync(dir+"/secret.pb", wrap("v1","Secret",Buffer.concat([f(1,s(1,"pbsecret")),m(2,"bin",Buffer.from([0,1,255])),s(3,"Opaque")])));
const container=Buffer.concat([s(1,"c"),s(2,"busybox"),s(3,"sleep"),s(3,"60")]);
fs.writeFileSync(dir+"/pod.pb", wrap("v1","Pod",Buffer.concat([f(1,Buffer.concat([s(1,"pbpod"),m(11,"app","pb")])),f(2,f(2,container))])));
const tmpl=Buffer.concat([f(1,m(11,"app","pbd")),f(2,f(2,container))]);
fs.writeFileSync(dir+"/deploy.pb", wrap("apps/v1","Deployment",Buffer.concat([f(1,s(1,"pbdeploy")),f(2,Buffer.concat([i(1,3),f(2,m(1,"app","pbd")),f(3,tmpl),i(6,4)]))])));
' "$d"
run api -X POST -H 'Content-Type: application/vnd.kubernetes.protobuf' --data-binary @"$d/secret.pb" "$server/api/v1/namespaces/$NS/secrets"
expect_match "$LAST_OUT" $'\n201 ' "a protobuf Secret"
ok k get secret pbsecret -n "$NS" -o jsonpath='{.data.bin} {.type}'
expect_eq "$LAST_OUT" "AAH/ Opaque" "bytes values survive"
run api -X POST -H 'Content-Type: application/vnd.kubernetes.protobuf' --data-binary @"$d/pod.pb" "$server/api/v1/namespaces/$NS/pods"
expect_match "$LAST_OUT" $'\n201 ' "a protobuf Pod"
ok k get pod pbpod -n "$NS" -o jsonpath='{.metadata.labels.app} {.spec.containers[0].command} {.spec.restartPolicy} {.spec.containers[0].terminationMessagePath}'
expect_eq "$LAST_OUT" 'pb ["sleep","60"] Always /dev/termination-log' "repeated strings, maps, and defaults after decoding"
run api -X POST -H 'Content-Type: application/vnd.kubernetes.protobuf' --data-binary @"$d/deploy.pb" "$server/apis/apps/v1/namespaces/$NS/deployments"
expect_match "$LAST_OUT" $'\n201 ' "a protobuf Deployment"
ok k get deploy pbdeploy -n "$NS" -o jsonpath='{.spec.replicas} {.spec.revisionHistoryLimit} {.spec.selector.matchLabels.app} {.spec.template.metadata.labels.app} {.spec.progressDeadlineSeconds}'
expect_eq "$LAST_OUT" "3 4 pbd pbd 600" "varints and nested messages"
printf 'k8s\0\x0a\x05garbage' >"$d/bad.pb"
run api -X POST -H 'Content-Type: application/vnd.kubernetes.protobuf' --data-binary @"$d/bad.pb" "$server/api/v1/namespaces/$NS/configmaps"
expect_match "$LAST_OUT" $'\n400 ' "a malformed protobuf body is a 400"
# a protobuf list and a protobuf watch event stream
curl -sS --cacert "$d/ca" --cert "$d/crt" --key "$d/key" -H 'Accept: application/vnd.kubernetes.protobuf' \
  -o "$d/list.pb" "$server/api/v1/namespaces/$NS/configmaps"
expect_contains "$(tr -c '[:print:]' '.' <"$d/list.pb")" "ConfigMapList"
expect_contains "$(tr -c '[:print:]' '.' <"$d/list.pb")" "frompb"
curl -sS --max-time 3 --cacert "$d/ca" --cert "$d/crt" --key "$d/key" -H 'Accept: application/vnd.kubernetes.protobuf;stream=watch' \
  -o "$d/watch.pb" -w '%{content_type}' "$server/api/v1/namespaces/$NS/configmaps?watch=1&timeoutSeconds=1" >"$d/ct"
expect_eq "$(cat "$d/ct")" "application/vnd.kubernetes.protobuf;stream=watch"
expect_contains "$(tr -c '[:print:]' '.' <"$d/watch.pb")" "ADDED"
