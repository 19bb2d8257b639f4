#!/usr/bin/env bash
# kubernetes.io "Configure a Pod to Use a Projected Volume for Storage" (+ the projected
# volume examples in "Volumes"): secrets, downward API, configMap items and a service
# account token in one directory; the default service account token mount.
# (the docs use busybox:1.28; offline only `busybox` exists)
# needs: runtime
# timeout: 120
source "${SCENARIO_LIB:?}"
new_ns proj

d=$(mktemp -d)
echo -n "admin" > "$d/username.txt"
echo -n "1f2d1e2e67df" > "$d/password.txt"
ok k create secret generic user --from-file="$d/username.txt" -n "$NS"
ok k create secret generic pass --from-file="$d/password.txt" -n "$NS"
rm -rf "$d"
ok k create configmap myconfigmap --from-literal=config=debug -n "$NS"

f=$(manifest projected.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: test-projected-volume}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: test-projected-volume
    image: busybox
    args: [sleep, "86400"]
    volumeMounts:
    - name: all-in-one
      mountPath: "/projected-volume"
      readOnly: true
  volumes:
  - name: all-in-one
    projected:
      sources:
      - secret: {name: user}
      - secret: {name: pass}
---
apiVersion: v1
kind: Pod
metadata: {name: volume-test, labels: {app: proj}}
spec:
  terminationGracePeriodSeconds: 1
  serviceAccountName: default
  containers:
  - name: container-test
    image: busybox
    command: ["sleep", "3600"]
    resources: {limits: {cpu: 500m}}
    volumeMounts:
    - name: all-in-one
      mountPath: "/projected-volume"
      readOnly: true
  volumes:
  - name: all-in-one
    projected:
      defaultMode: 0440
      sources:
      - secret:
          name: user
          items: [{key: username.txt, path: my-group/my-username}]
      - downwardAPI:
          items:
          - {path: "labels", fieldRef: {fieldPath: metadata.labels}}
          - {path: "cpu_limit", resourceFieldRef: {containerName: container-test, resource: limits.cpu}}
      - configMap:
          name: myconfigmap
          items: [{key: config, path: my-group/my-config, mode: 0400}]
      - serviceAccountToken:
          audience: vault
          expirationSeconds: 3600
          path: token
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/test-projected-volume pod/volume-test -n "$NS" --timeout=60s
ok k exec test-projected-volume -n "$NS" -- ls /projected-volume/
expect_eq "$LAST_OUT" $'password.txt\nusername.txt'
ok k exec test-projected-volume -n "$NS" -- sh -c 'cat /projected-volume/username.txt; echo; cat /projected-volume/password.txt'
expect_eq "$LAST_OUT" $'admin\n1f2d1e2e67df'
refused k exec test-projected-volume -n "$NS" -- touch /projected-volume/new
expect_contains "$LAST_ERR" "Read-only file system"

ok k exec volume-test -n "$NS" -- sh -c 'cd /projected-volume; ls; cat my-group/my-username; echo; cat my-group/my-config; echo; cat labels; echo; cat cpu_limit'
expect_eq "$LAST_OUT" $'cpu_limit\nlabels\nmy-group\ntoken\nadmin\ndebug\napp="proj"\n1'
ok k exec volume-test -n "$NS" -- sh -c 'stat -L -c %a /projected-volume/my-group/my-username /projected-volume/my-group/my-config /projected-volume/labels'
expect_eq "$LAST_OUT" $'440\n400\n440'
# the token is a JWT for the requested audience, bound to this pod
ok k exec volume-test -n "$NS" -- cat /projected-volume/token
tok=$LAST_OUT
expect_match "$tok" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
payload=$(cut -d. -f2 <<<"$tok" | tr '_-' '/+'); while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload="$payload="; done
claims=$(base64 -d <<<"$payload" 2>/dev/null)
expect_contains "$claims" '"aud":["vault"]'
expect_contains "$claims" "\"sub\":\"system:serviceaccount:$NS:default\""
expect_contains "$claims" '"name":"volume-test"'

# every pod gets the default service account's token, CA and namespace
ok k exec volume-test -n "$NS" -- ls /var/run/secrets/kubernetes.io/serviceaccount
expect_eq "$LAST_OUT" $'ca.crt\nnamespace\ntoken'
ok k exec volume-test -n "$NS" -- cat /var/run/secrets/kubernetes.io/serviceaccount/namespace
expect_eq "$LAST_OUT" "$NS"
ok k get pod volume-test -n "$NS" -o jsonpath='{.spec.volumes[*].name}'
expect_match "$LAST_OUT" 'kube-api-access-[a-z0-9]{5}'
