#!/usr/bin/env bash
# Mutating admission runs before validation, as in kube-apiserver: a pod that projects a
# service account token without naming an account is valid once ServiceAccount admission
# has filled in "default"; and the client's managedFields do not own what admission added.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns order

f=$(manifest proj.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: proj}
spec:
  containers: [{name: c, image: busybox, volumeMounts: [{name: t, mountPath: /t}]}]
  volumes: [{name: t, projected: {sources: [{serviceAccountToken: {path: token, audience: api}}]}}]
YAML
)
ok k create -f "$f" -n "$NS"
ok k get pod proj -n "$NS" -o jsonpath='{.spec.serviceAccountName}'
expect_eq "$LAST_OUT" "default"
ok k get pod proj -n "$NS" -o jsonpath='{.metadata.managedFields[?(@.manager=="kubectl-create")].fieldsV1}'
expect_contains "$LAST_OUT" '"k:{\"name\":\"t\"}"'
expect_not_contains "$LAST_OUT" 'kube-api-access'
expect_not_contains "$LAST_OUT" 'serviceAccountName'
