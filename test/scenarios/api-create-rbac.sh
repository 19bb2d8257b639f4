#!/usr/bin/env bash
# kubectl create role/clusterrole/rolebinding/clusterrolebinding/serviceaccount/token, the
# bootstrap roles, kubectl auth can-i (as the admin) and kubectl auth whoami.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns crbac
sfx=$RANDOM$RANDOM

# --- roles -------------------------------------------------------------------------------
ok k create role pod-reader --verb=get,list,watch --resource=pods --resource-name=readablepod --resource-name=anotherpod -n "$NS" --dry-run=server -o yaml
expect_contains "$LAST_OUT" "kind: Role"
ok k create role pod-reader --verb=get,list,watch --resource=pods --resource-name=readablepod --resource-name=anotherpod -n "$NS"
expect_eq "$LAST_OUT" "role.rbac.authorization.k8s.io/pod-reader created"
ok k get role pod-reader -n "$NS" -o jsonpath='{.rules[0].apiGroups}|{.rules[0].resources}|{.rules[0].verbs}|{.rules[0].resourceNames}'
expect_eq "$LAST_OUT" '[""]|["pods"]|["get","list","watch"]|["readablepod","anotherpod"]'
ok k create role apps-scaler --verb=get,update --resource=deployments.apps/scale,replicasets.apps,pods/status -n "$NS"
ok k get role apps-scaler -n "$NS" -o jsonpath='{range .rules[*]}{.apiGroups}{.resources}{.verbs};{end}'
expect_contains "$LAST_OUT" '["apps"]["deployments/scale","replicasets"]["get","update"];'
expect_contains "$LAST_OUT" '[""]["pods/status"]["get","update"];'
ok k get roles -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +CREATED AT$'
expect_match "$LAST_OUT" 'pod-reader +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
f=$(manifest noverbs.yaml <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: noverbs}
rules: [{apiGroups: [""], resources: [pods]}]
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'rules[0].verbs: Required value: verbs must contain at least one value'

cr="ns-logs-$sfx"
ok k create clusterrole "$cr" --verb=get --non-resource-url='/logs/*' --non-resource-url=/healthz
defer k delete clusterrole "$cr"
expect_eq "$LAST_OUT" "clusterrole.rbac.authorization.k8s.io/$cr created"
ok k get clusterrole "$cr" -o jsonpath='{.rules[0].nonResourceURLs}|{.rules[0].verbs}'
expect_eq "$LAST_OUT" '["/logs/*","/healthz"]|["get"]'

# aggregation: the controller copies rules from matching cluster roles
agg="monitoring-$sfx"
ok k create clusterrole "$agg" --aggregation-rule="example.com/aggregate-to-mon-$sfx=true"
defer k delete clusterrole "$agg"
ok k create clusterrole "part-$sfx" --verb=get,list --resource=services
defer k delete clusterrole "part-$sfx"
ok k label clusterrole "part-$sfx" "example.com/aggregate-to-mon-$sfx=true"
wait_for 30 '["services"]' jp "clusterrole $agg" '{.rules[0].resources}'

# the bootstrap roles exist and admin/edit/view are aggregated
ok k get clusterrole cluster-admin -o jsonpath='{.rules[0].apiGroups}{.rules[0].resources}{.rules[0].verbs}'
expect_eq "$LAST_OUT" '["*"]["*"]["*"]'
ok k get clusterrole view -o jsonpath='{.aggregationRule.clusterRoleSelectors[0].matchLabels}'
expect_eq "$LAST_OUT" '{"rbac.authorization.k8s.io/aggregate-to-view":"true"}'
ok k get clusterrole view -o json
expect_contains "$LAST_OUT" '"configmaps"'
ok k get clusterrolebinding cluster-admin -o jsonpath='{.roleRef.name} {.subjects[0].kind} {.subjects[0].name}'
expect_eq "$LAST_OUT" "cluster-admin Group system:masters"
for r in admin edit view system:node system:kube-scheduler system:kube-controller-manager system:basic-user system:discovery; do
  ok k get clusterrole "$r" -o name
done

# --- bindings ----------------------------------------------------------------------------
ok k create serviceaccount robot -n "$NS"
expect_eq "$LAST_OUT" "serviceaccount/robot created"
ok k create rolebinding rb --clusterrole=view --user=alice --group=devs --serviceaccount="$NS:robot" -n "$NS"
expect_eq "$LAST_OUT" "rolebinding.rbac.authorization.k8s.io/rb created"
ok k get rolebinding rb -n "$NS" -o jsonpath='{.roleRef.apiGroup}/{.roleRef.kind}/{.roleRef.name}'
expect_eq "$LAST_OUT" "rbac.authorization.k8s.io/ClusterRole/view"
ok k get rolebinding rb -n "$NS" -o jsonpath='{range .subjects[*]}{.kind}:{.name}:{.namespace}:{.apiGroup};{end}'
expect_eq "$LAST_OUT" "User:alice::rbac.authorization.k8s.io;Group:devs::rbac.authorization.k8s.io;ServiceAccount:robot:$NS:;"
ok k create rolebinding rb2 --role=pod-reader --serviceaccount="$NS:robot" -n "$NS"
ok k get rolebindings -n "$NS" -o wide
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +ROLE +AGE +USERS +GROUPS +SERVICEACCOUNTS$'
expect_match "$LAST_OUT" "rb +ClusterRole/view +[0-9]+s +alice +devs +$NS/robot"
expect_match "$LAST_OUT" "rb2 +Role/pod-reader +[0-9]+s +$NS/robot"
refused k patch rolebinding rb -n "$NS" --type=merge -p '{"roleRef":{"name":"edit"}}'
expect_contains "$LAST_ERR" 'roleRef: Invalid value:'
expect_contains "$LAST_ERR" 'cannot change roleRef'
crb="crb-$sfx"
ok k create clusterrolebinding "$crb" --clusterrole="$cr" --group=ops --user=bob
defer k delete clusterrolebinding "$crb"
expect_eq "$LAST_OUT" "clusterrolebinding.rbac.authorization.k8s.io/$crb created"
ok k get clusterrolebinding "$crb" -o wide --no-headers
expect_match "$LAST_OUT" "^$crb +ClusterRole/$cr +[0-9]+s +bob +ops *\$"

# --- service accounts and tokens ---------------------------------------------------------
ok k get sa -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +SECRETS +AGE$'
expect_match "$LAST_OUT" 'robot +0 +[0-9]+s'
expect_match "$LAST_OUT" 'default +0 +[0-9]+s'
ok k create token robot -n "$NS" --duration=10m --audience=api-test
tok=$LAST_OUT
expect_match "$tok" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "a JWT"
claims=$(node -e 'const p=process.argv[1].split(".")[1];const c=JSON.parse(Buffer.from(p,"base64url"));console.log([c.sub,JSON.stringify(c.aud),c.exp-c.iat,c["kubernetes.io"].namespace,c["kubernetes.io"].serviceaccount.name,typeof c.iss,typeof c.jti].join(" "))' "$tok")
expect_eq "$claims" "system:serviceaccount:$NS:robot [\"api-test\"] 600 $NS robot string string" "token claims"
sauid=$(jp "sa robot -n $NS" '{.metadata.uid}')
expect_eq "$(node -e 'const c=JSON.parse(Buffer.from(process.argv[1].split(".")[1],"base64url"));console.log(c["kubernetes.io"].serviceaccount.uid)' "$tok")" "$sauid" "token names the service account's uid"
refused k create token nosuch -n "$NS"
expect_contains "$LAST_ERR" 'serviceaccounts "nosuch" not found'
refused k create token robot -n "$NS" --duration=1m
expect_contains "$LAST_ERR" 'may not specify a duration less than 10 minutes'
ok k run holder --image=busybox -n "$NS"
ok k create token robot -n "$NS" --bound-object-kind=Pod --bound-object-name=holder
podclaim=$(node -e 'const c=JSON.parse(Buffer.from(process.argv[1].split(".")[1],"base64url"));console.log(c["kubernetes.io"].pod.name)' "$LAST_OUT")
expect_eq "$podclaim" "holder" "a token bound to a pod names it"
refused k create token robot -n "$NS" --bound-object-kind=Pod --bound-object-name=nopod
expect_contains "$LAST_ERR" 'pods "nopod" not found'

# the token authenticates as the service account
cfg=$(mktemp); defer rm -f "$cfg"
server=$(k config view --minify --raw -o jsonpath='{.clusters[0].cluster.server}')
k config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$cfg.ca"
defer rm -f "$cfg.ca"
ok env KUBECONFIG="$cfg" kubectl config set-cluster c --server="$server" --certificate-authority="$cfg.ca" --embed-certs=true
ok env KUBECONFIG="$cfg" kubectl config set-credentials robot --token="$tok"
ok env KUBECONFIG="$cfg" kubectl config set-context robot --cluster=c --user=robot --namespace="$NS"
ok env KUBECONFIG="$cfg" kubectl config use-context robot
ok env KUBECONFIG="$cfg" kubectl auth whoami
expect_match "$LAST_OUT" "Username +system:serviceaccount:$NS:robot"
expect_match "$LAST_OUT" "Groups +\\[system:serviceaccounts system:serviceaccounts:$NS system:authenticated\\]"

# --- auth can-i / whoami as the admin ----------------------------------------------------
ok k auth can-i create pods -n "$NS"
expect_eq "$LAST_OUT" "yes"
ok k auth can-i '*' '*'
expect_eq "$LAST_OUT" "yes"
ok k auth can-i get /healthz
expect_eq "$LAST_OUT" "yes"
ok k auth can-i delete deployments.apps --all-namespaces
expect_eq "$LAST_OUT" "yes"
ok k auth can-i --list -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^Resources +Non-Resource URLs +Resource Names +Verbs$'
expect_match "$LAST_OUT" '\*\.\* +\[\] +\[\] +\[\*\]'
ok k auth whoami
expect_match "$(head -1 <<<"$LAST_OUT")" '^ATTRIBUTE +VALUE$'
expect_match "$LAST_OUT" 'Username +[^ ]+'
expect_match "$LAST_OUT" 'Groups +\[.*system:authenticated\]'
ok k auth whoami -o jsonpath='{.kind} {.apiVersion}'
expect_eq "$LAST_OUT" "SelfSubjectReview authentication.k8s.io/v1"
ok k auth whoami --as=jane --as-group=qa
expect_match "$LAST_OUT" 'Username +jane'
expect_match "$LAST_OUT" 'Groups +\[qa system:authenticated\]'
