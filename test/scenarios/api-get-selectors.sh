#!/usr/bin/env bash
# Label selectors with every operator, field selectors per resource (and their errors),
# --chunk-size with tables and selectors, and get --watch-only.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns gsel

for spec in "c1 env=prod tier=web rank=1" "c2 env=dev tier=web rank=5" "c3 env=qa tier=db" "c4 team=x rank=10" "c5"; do
  set -- $spec; n=$1; shift
  ok k create configmap "$n" -n "$NS" --from-literal=x=y
  [ $# -gt 0 ] && ok k label cm "$n" -n "$NS" "$@"
done
sel() { k get cm -n "$NS" -l "$1" -o jsonpath='{range .items[*]}{.metadata.name} {end}'; }
expect_eq "$(sel 'env=prod')" "c1 " "equality ="
expect_eq "$(sel 'env==dev')" "c2 " "equality =="
expect_eq "$(sel 'env!=prod')" "c2 c3 c4 c5 kube-root-ca.crt " "!= also matches objects without the key"
expect_eq "$(sel 'env in (prod,qa)')" "c1 c3 " "in"
expect_eq "$(sel 'env notin (prod,qa)')" "c2 c4 c5 kube-root-ca.crt " "notin matches objects without the key"
expect_eq "$(sel 'tier')" "c1 c2 c3 " "exists"
expect_eq "$(sel '!tier')" "c4 c5 kube-root-ca.crt " "does not exist"
expect_eq "$(sel 'tier=web,env!=prod')" "c2 " "AND of requirements"
expect_eq "$(sel 'tier in (web),!team,rank')" "c1 c2 " "mixed set-based"
expect_eq "$(sel 'rank>2')" "c2 c4 " "gt on integer values"
expect_eq "$(sel 'rank<5')" "c1 " "lt on integer values"
expect_eq "$(sel 'env in ()')" "" "empty set matches nothing"
ok k get cm -n "$NS" --selector='env=prod' -o name
expect_eq "$LAST_OUT" "configmap/c1"
refused k get cm -n "$NS" -l 'env in prod'
expect_contains "$LAST_ERR" "Error from server (BadRequest)"
refused k get cm -n "$NS" -l 'bad key=1'
expect_contains "$LAST_ERR" "Error from server (BadRequest)"
# label selectors on the raw API
ok k get --raw "/api/v1/namespaces/$NS/configmaps?labelSelector=tier%20in%20(db)"
expect_contains "$LAST_OUT" '"name":"c3"'
expect_not_contains "$LAST_OUT" '"name":"c1"'

# field selectors
ok k get cm -n "$NS" --field-selector metadata.name=c2 -o name
expect_eq "$LAST_OUT" "configmap/c2"
ok k get cm -n "$NS" --field-selector 'metadata.name!=c2,metadata.name!=kube-root-ca.crt' -o name
expect_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "configmap/c1 configmap/c3 configmap/c4 configmap/c5 "
ok k get cm -n "$NS" --field-selector metadata.name==c3 -l env=qa -o name
expect_eq "$LAST_OUT" "configmap/c3" "field and label selectors together"
refused k get cm -n "$NS" --field-selector data.x=y
expect_contains "$LAST_ERR" 'Error from server (BadRequest)'
expect_contains "$LAST_ERR" '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'

ok k run p1 --image=busybox -n "$NS" --restart=Never
ok k run p2 --image=busybox -n "$NS"
ok k get pods -n "$NS" --field-selector status.phase=Pending -o name
expect_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "pod/p1 pod/p2 "
ok k get pods -n "$NS" --field-selector spec.restartPolicy=Never -o name
expect_eq "$LAST_OUT" "pod/p1"
ok k get pods -n "$NS" --field-selector spec.nodeName= -o name
expect_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "pod/p1 pod/p2 " "unscheduled pods have an empty spec.nodeName"
ok k get pods -n "$NS" --field-selector spec.serviceAccountName=default,status.phase!=Running -o name
expect_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "pod/p1 pod/p2 "
ok k get pods -n "$NS" --field-selector spec.schedulerName=default-scheduler,spec.hostNetwork=false -o name
expect_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "pod/p1 pod/p2 "
refused k get pods -n "$NS" --field-selector spec.containers=x
expect_contains "$LAST_ERR" 'field label not supported: spec.containers'

ok k create secret generic plain -n "$NS" --from-literal=a=b
ok k create secret generic tlsish -n "$NS" --type=kubernetes.io/basic-auth --from-literal=username=u
ok k get secrets -n "$NS" --field-selector type=kubernetes.io/basic-auth -o name
expect_eq "$LAST_OUT" "secret/tlsish"
ok k get ns --field-selector "metadata.name=$NS,status.phase=Active" -o name
expect_eq "$LAST_OUT" "namespace/$NS"
ok k get ns --field-selector status.phase=Terminating -o name
expect_not_contains "$LAST_OUT" "namespace/$NS"

# --chunk-size: tables from several pages merge under one header, with selectors too
ok k get cm -n "$NS" --chunk-size=2
expect_eq "$(grep -c '^NAME ' <<<"$LAST_OUT")" "1" "one header across pages"
expect_eq "$(grep -c '^c[0-9] ' <<<"$LAST_OUT")" "5" "every row across pages"
ok k get cm -n "$NS" --chunk-size=1 -l tier -o name
expect_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "configmap/c1 configmap/c2 configmap/c3 "
ok k get cm -A --chunk-size=3 -l tier --no-headers
expect_eq "$(grep -c "^$NS " <<<"$LAST_OUT")" "3"
ok k get --raw "/api/v1/namespaces/$NS/configmaps?limit=2&labelSelector=tier"
expect_match "$LAST_OUT" '"continue":"[^"]+"'
# with a selector the server cannot know how many remain: no remainingItemCount
expect_not_contains "$LAST_OUT" '"remainingItemCount"'
cont=$(grep -o '"continue":"[^"]*"' <<<"$LAST_OUT" | cut -d'"' -f4)
ok k get --raw "/api/v1/namespaces/$NS/configmaps?limit=2&labelSelector=tier&continue=$cont"
expect_contains "$LAST_OUT" '"name":"c3"'
expect_not_contains "$LAST_OUT" '"continue":"e' "the last page has no continue token"
refused k get --raw "/api/v1/namespaces/$NS/configmaps?limit=2&continue=bm90LWEtdG9rZW4"
expect_match "$LAST_ERR" "continue key is not valid|BadRequest|Expired"

# --watch-only prints changes but not what already exists
out=$(mktemp); defer rm -f "$out"
"$KUBECTL" get cm -n "$NS" --watch-only -o name >"$out" 2>&1 &
wpid=$!
defer kill "$wpid"
sleep 2
ok k create configmap late -n "$NS" --from-literal=a=b
deadline=$((SECONDS+15))
until grep -q late "$out" || [ $SECONDS -ge $deadline ]; do sleep 0.3; done
kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null
expect_eq "$(sort -u "$out" | tr '\n' ' ')" "configmap/late " "only the new object appears"
# -w without --watch-only first lists, then streams
"$KUBECTL" get cm late -n "$NS" -w -o jsonpath='{.metadata.name}:{.data.a}{"\n"}' >"$out" 2>&1 &
wpid=$!
defer kill "$wpid"
sleep 2
ok k patch cm late -n "$NS" -p '{"data":{"a":"c"}}'
deadline=$((SECONDS+15))
until grep -q 'late:c' "$out" || [ $SECONDS -ge $deadline ]; do sleep 0.3; done
kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null
expect_eq "$(tr '\n' ' ' <<<"$(cat "$out")")" "late:b late:c " "watch on one object: current state, then the change"
