#!/usr/bin/env bash
# The oldest and newest supported kubectl (1.27, 1.33) against this 1.32 API: discovery,
# tables, create/apply (client- and server-side), patch, diff, explain, wait, delete.
# needs: api
# timeout: 120
source "${SCENARIO_LIB:?}"
new_ns skew
bins=()
for v in 1.27 1.33; do
  b=/usr/lib/google-cloud-sdk/bin/kubectl.$v
  [ -x "$b" ] && bins+=("$v:$b")
done
[ ${#bins[@]} -gt 0 ] || { echo "no other kubectl versions installed: nothing to check"; exit 0; }

for entry in "${bins[@]}"; do
  v=${entry%%:*} kb=${entry#*:}
  kk() { "$kb" "$@"; }
  n="s${v/./}"
  ok kk version -o json
  expect_contains "$LAST_OUT" '"minor": "32"' "kubectl $v sees a 1.32 server"
  ok kk api-resources --api-group=apps -o name
  expect_contains "$LAST_OUT" "deployments.apps" "kubectl $v api-resources"
  ok kk create deployment "$n" --image=busybox --replicas=2 -n "$NS"
  expect_eq "$LAST_OUT" "deployment.apps/$n created"
  ok kk get deploy "$n" -n "$NS"
  expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +READY +UP-TO-DATE +AVAILABLE +AGE$' "kubectl $v server-side table"
  ok kk get deploy "$n" -n "$NS" -o wide --show-labels
  expect_match "$LAST_OUT" "$n .* busybox +busybox +app=$n +app=$n\$"
  ok kk scale deploy "$n" --replicas=3 -n "$NS"
  expect_eq "$LAST_OUT" "deployment.apps/$n scaled"
  ok kk patch deploy "$n" -n "$NS" -p '{"spec":{"template":{"spec":{"containers":[{"name":"busybox","image":"busybox:1.36"}]}}}}'
  ok kk set image "deploy/$n" busybox=busybox:1.35 -n "$NS"
  ok kk get deploy "$n" -n "$NS" -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].image}'
  expect_eq "$LAST_OUT" "3 busybox:1.35" "kubectl $v scale/patch/set"
  f=$(manifest "cm-$n.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: cm-$n}
data: {a: "1"}
YAML
)
  ok kk apply -f "$f" -n "$NS"
  expect_eq "$LAST_OUT" "configmap/cm-$n created"
  sed -i 's/a: "1"/a: "2"/' "$f"
  run kk diff -f "$f" -n "$NS"
  expect_eq "$?" "1" "kubectl $v diff"
  expect_contains "$LAST_OUT" '+  a: "2"'
  ok kk apply -f "$f" -n "$NS"
  expect_eq "$LAST_OUT" "configmap/cm-$n configured"
  ok kk apply --server-side --force-conflicts -f "$f" -n "$NS"
  expect_eq "$LAST_OUT" "configmap/cm-$n serverside-applied"
  ok kk explain deployment.spec.replicas
  expect_contains "$LAST_OUT" "replicas"
  ok kk wait --for=jsonpath='{.data.a}'=2 "cm/cm-$n" -n "$NS" --timeout=10s
  ok kk create token default -n "$NS"
  expect_match "$LAST_OUT" '^ey'
  ok kk auth can-i create pods -n "$NS"
  expect_eq "$LAST_OUT" "yes"
  ok kk delete -f "$f" -n "$NS"
  expect_eq "$LAST_OUT" "configmap \"cm-$n\" deleted"
  ok kk delete deploy "$n" -n "$NS"
done
