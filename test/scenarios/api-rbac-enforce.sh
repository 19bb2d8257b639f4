#!/usr/bin/env bash
# RBAC as the API enforces it: impersonation (--as), can-i yes/no and --list for a service
# account, Forbidden texts, resourceNames, namespaced vs cluster grants, escalation checks,
# anonymous requests, and kubectl auth reconcile.
# needs: api,policy
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns rbe
sa="system:serviceaccount:$NS:robot"
ok k create serviceaccount robot -n "$NS"
ok k run a --image=busybox -n "$NS"
ok k run b --image=busybox -n "$NS"

run k auth can-i list pods --as="$sa" -n "$NS"
expect_eq "$?" "1" "can-i answers no with exit 1"
expect_eq "$LAST_OUT" "no"
refused k get pods --as="$sa" -n "$NS"
expect_contains "$LAST_ERR" "Error from server (Forbidden): pods is forbidden: User \"$sa\" cannot list resource \"pods\" in API group \"\" in the namespace \"$NS\""
refused k get deploy --as=jane -n "$NS"
expect_contains "$LAST_ERR" "Error from server (Forbidden): deployments.apps is forbidden: User \"jane\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"$NS\""
refused k get nodes --as=jane
expect_contains "$LAST_ERR" 'Error from server (Forbidden): nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope'
# every authenticated user may ask about itself
ok k auth can-i create selfsubjectaccessreviews.authorization.k8s.io --as=jane
expect_eq "$LAST_OUT" "yes"
ok k auth whoami --as=jane
expect_match "$LAST_OUT" 'Username +jane'

ok k create role pod-reader --verb=get,list,watch --resource=pods -n "$NS"
ok k create role one-pod --verb=get,delete --resource=pods --resource-name=a -n "$NS"
ok k create rolebinding robot-read --role=pod-reader --serviceaccount="$NS:robot" -n "$NS"
ok k create rolebinding robot-one --role=one-pod --serviceaccount="$NS:robot" -n "$NS"
ok k auth can-i list pods --as="$sa" -n "$NS"
expect_eq "$LAST_OUT" "yes"
ok k get pods --as="$sa" -n "$NS" -o name
expect_eq "$LAST_OUT" $'pod/a\npod/b'
run k auth can-i delete pods/b --as="$sa" -n "$NS"
expect_eq "$LAST_OUT" "no"
ok k auth can-i delete pods/a --as="$sa" -n "$NS"
expect_eq "$LAST_OUT" "yes"
refused k delete pod b --as="$sa" -n "$NS"
expect_contains "$LAST_ERR" "Error from server (Forbidden): pods \"b\" is forbidden: User \"$sa\" cannot delete resource \"pods\" in API group \"\" in the namespace \"$NS\""
run k auth can-i list pods --as="$sa" -n default
expect_eq "$LAST_OUT" "no" "a RoleBinding grants nothing in other namespaces"
ok k auth can-i --list --as="$sa" -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^Resources +Non-Resource URLs +Resource Names +Verbs$'
expect_match "$LAST_OUT" $'\npods +\\[\\] +\\[\\] +\\[get list watch\\]'
expect_match "$LAST_OUT" $'\npods +\\[\\] +\\[a\\] +\\[get delete\\]'
expect_match "$LAST_OUT" $'\nselfsubjectreviews.authentication.k8s.io +\\[\\] +\\[\\] +\\[create\\]'
expect_match "$LAST_OUT" '\[/healthz\] +\[\] +\[get\]'
# groups: a service account's groups and a ClusterRole bound in one namespace
ok k create rolebinding all-sa-view --clusterrole=view --group="system:serviceaccounts:$NS" -n "$NS"
ok k auth can-i list configmaps --as="$sa" -n "$NS"
expect_eq "$LAST_OUT" "yes"
run k auth can-i list secrets --as="$sa" -n "$NS"
expect_eq "$LAST_OUT" "no" "view does not include secrets"
run k auth can-i get pods --as=someone --as-group=qa-team -n "$NS"
expect_eq "$LAST_OUT" "no"
ok k create rolebinding qa --clusterrole=edit --group=qa-team -n "$NS"
ok k auth can-i create deployments.apps --as=someone --as-group=qa-team -n "$NS"
expect_eq "$LAST_OUT" "yes"

# escalation: granting what one does not hold is refused
ok k create role rbac-writer --verb=create,get,list --resource=roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io -n "$NS"
ok k create rolebinding robot-rbac --role=rbac-writer --serviceaccount="$NS:robot" -n "$NS"
refused k create role too-much --verb='*' --resource=secrets -n "$NS" --as="$sa"
expect_contains "$LAST_ERR" "is attempting to grant RBAC permissions not currently held"
ok k create role fine --verb=get --resource=pods -n "$NS" --as="$sa"
refused k create rolebinding to-admin --clusterrole=admin --user=mallory -n "$NS" --as="$sa"
expect_contains "$LAST_ERR" "is attempting to grant RBAC permissions not currently held"

# anonymous requests may read health and version only
server=$(k config view --minify --raw -o jsonpath='{.clusters[0].cluster.server}')
d=$(mktemp -d); defer rm -rf "$d"
k config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$d/ca"
run curl -sS --cacert "$d/ca" "$server/version"
expect_contains "$LAST_OUT" '"gitVersion"'
run curl -sS --cacert "$d/ca" "$server/readyz"
expect_eq "$LAST_OUT" "ok"
run curl -sS --cacert "$d/ca" "$server/api/v1/namespaces"
expect_contains "$LAST_OUT" '"message":"namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope"'
expect_contains "$LAST_OUT" '"reason":"Forbidden"'
expect_contains "$LAST_OUT" '"code":403'
run curl -sS --cacert "$d/ca" -H 'Authorization: Bearer not-a-real-token' "$server/api"
expect_contains "$LAST_OUT" '"reason":"Unauthorized"'
expect_contains "$LAST_OUT" '"code":401'

# kubectl auth reconcile creates and extends roles
f=$(manifest rec.yaml <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reconciled, namespace: $NS}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get]}
YAML
)
ok k auth reconcile -f "$f"
expect_contains "$LAST_OUT" "role.rbac.authorization.k8s.io/reconciled reconciled"
sed -i 's/verbs: \[get\]/verbs: [get, list]/' "$f"
ok k auth reconcile -f "$f"
ok k get role reconciled -n "$NS" -o jsonpath='{.rules[*].verbs}'
expect_contains "$LAST_OUT" '"list"'
