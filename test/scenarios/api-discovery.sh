#!/usr/bin/env bash
# Discovery as kubectl shows it: api-versions, api-resources with every filter and output,
# the raw /api and /apis documents, aggregated discovery, and short names/categories.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"

ok k api-versions
for gv in admissionregistration.k8s.io/v1 apiextensions.k8s.io/v1 apiregistration.k8s.io/v1 apps/v1 \
  authentication.k8s.io/v1 authorization.k8s.io/v1 autoscaling/v1 autoscaling/v2 batch/v1 \
  certificates.k8s.io/v1 coordination.k8s.io/v1 discovery.k8s.io/v1 events.k8s.io/v1 \
  flowcontrol.apiserver.k8s.io/v1 networking.k8s.io/v1 node.k8s.io/v1 policy/v1 \
  rbac.authorization.k8s.io/v1 scheduling.k8s.io/v1 storage.k8s.io/v1 v1; do
  grep -qx "$gv" <<<"$LAST_OUT" || fail "api-versions lacks $gv"
done
expect_eq "$LAST_OUT" "$(sort <<<"$LAST_OUT")" "api-versions is sorted"

ok k api-resources
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +SHORTNAMES +APIVERSION +NAMESPACED +KIND$'
ok k api-resources -o wide
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +SHORTNAMES +APIVERSION +NAMESPACED +KIND +VERBS +CATEGORIES$'
for r in "pods +po +v1 +true +Pod +create,delete,deletecollection,get,list,patch,update,watch +all" \
         "namespaces +ns +v1 +false +Namespace +create,delete,get,list,patch,update,watch *" \
         "bindings +v1 +true +Binding +create *" \
         "componentstatuses +cs +v1 +false +ComponentStatus +get,list *" \
         "deployments +deploy +apps/v1 +true +Deployment +create,delete,deletecollection,get,list,patch,update,watch +all" \
         "horizontalpodautoscalers +hpa +autoscaling/v2 +true +HorizontalPodAutoscaler +create,delete,deletecollection,get,list,patch,update,watch +all" \
         "selfsubjectaccessreviews +authorization.k8s.io/v1 +false +SelfSubjectAccessReview +create *" \
         "tokenreviews +authentication.k8s.io/v1 +false +TokenReview +create *" \
         "customresourcedefinitions +crd,crds +apiextensions.k8s.io/v1 +false +CustomResourceDefinition +create,delete,deletecollection,get,list,patch,update,watch +api-extensions" \
         "apiservices +apiregistration.k8s.io/v1 +false +APIService +create,delete,deletecollection,get,list,patch,update,watch +api-extensions" \
         "validatingadmissionpolicies +admissionregistration.k8s.io/v1 +false +ValidatingAdmissionPolicy +create,delete,deletecollection,get,list,patch,update,watch +api-extensions" \
         "validatingadmissionpolicybindings +admissionregistration.k8s.io/v1 +false +ValidatingAdmissionPolicyBinding +create,delete,deletecollection,get,list,patch,update,watch +api-extensions" \
         "flowschemas +flowcontrol.apiserver.k8s.io/v1 +false +FlowSchema +create,delete,deletecollection,get,list,patch,update,watch *" \
         "prioritylevelconfigurations +flowcontrol.apiserver.k8s.io/v1 +false +PriorityLevelConfiguration +create,delete,deletecollection,get,list,patch,update,watch *" \
         "events +ev +events.k8s.io/v1 +true +Event +create,delete,deletecollection,get,list,patch,update,watch *" \
         "priorityclasses +pc +scheduling.k8s.io/v1 +false +PriorityClass +create,delete,deletecollection,get,list,patch,update,watch *" \
         "csinodes +storage.k8s.io/v1 +false +CSINode +create,delete,deletecollection,get,list,patch,update,watch *"; do
  grep -Eq "^$r\$" <<<"$LAST_OUT" || fail "api-resources -o wide lacks a row like /$r/"
done

ok k api-resources --namespaced=false -o name
for r in namespaces nodes persistentvolumes clusterroles.rbac.authorization.k8s.io storageclasses.storage.k8s.io priorityclasses.scheduling.k8s.io; do
  grep -qx "$r" <<<"$LAST_OUT" || fail "--namespaced=false lacks $r"
done
expect_not_contains "$LAST_OUT" $'\npods\n'
ok k api-resources --namespaced=true -o name
grep -qx pods <<<"$LAST_OUT" || fail "--namespaced=true lacks pods"
grep -qx nodes <<<"$LAST_OUT" && fail "--namespaced=true lists nodes"
ok k api-resources --api-group=apps -o name
expect_eq "$LAST_OUT" $'controllerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps'
ok k api-resources --api-group=apps --no-headers
expect_match "$LAST_OUT" 'deployments +deploy +apps/v1 +true +Deployment'
ok k api-resources --api-group='' -o name
grep -qx configmaps <<<"$LAST_OUT" || fail "core group lacks configmaps"
grep -q '\.' <<<"$LAST_OUT" && fail "--api-group='' lists non-core resources"
ok k api-resources --verbs=list,watch --namespaced=false -o name
grep -qx namespaces <<<"$LAST_OUT" || fail "--verbs=list,watch lacks namespaces"
grep -qx componentstatuses <<<"$LAST_OUT" && fail "componentstatuses cannot be watched"
grep -qx tokenreviews.authentication.k8s.io <<<"$LAST_OUT" && fail "tokenreviews cannot be listed"
ok k api-resources --verbs=create --api-group=authorization.k8s.io -o name
expect_eq "$LAST_OUT" $'localsubjectaccessreviews.authorization.k8s.io\nselfsubjectaccessreviews.authorization.k8s.io\nselfsubjectrulesreviews.authorization.k8s.io\nsubjectaccessreviews.authorization.k8s.io'
ok k api-resources --sort-by=name --no-headers
expect_eq "$(awk '{print $1}' <<<"$LAST_OUT")" "$(awk '{print $1}' <<<"$LAST_OUT" | sort)" "--sort-by=name"
ok k api-resources --sort-by=kind --no-headers -o wide
ok k api-resources --categories=all -o name
for r in pods services deployments.apps replicasets.apps statefulsets.apps daemonsets.apps jobs.batch cronjobs.batch replicationcontrollers horizontalpodautoscalers.autoscaling; do
  grep -qx "$r" <<<"$LAST_OUT" || fail "category all lacks $r"
done

# the raw discovery documents
ok k get --raw /api
expect_match "$LAST_OUT" '^\{"kind":"APIVersions","versions":\["v1"\],"serverAddressByClientCIDRs":\[\{"clientCIDR":"0.0.0.0/0","serverAddress":"[^"]+"\}\]\}$'
ok k get --raw /apis
expect_match "$LAST_OUT" '^\{"kind":"APIGroupList","apiVersion":"v1","groups":\[\{"name":"apiregistration.k8s.io"'
expect_contains "$LAST_OUT" '{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}'
ok k get --raw /apis/apps
expect_eq "$LAST_OUT" '{"kind":"APIGroup","apiVersion":"v1","name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}'
# resource lists: compare entries as JSON (key order aside)
entry() { # entry GROUPVERSION-PATH NAME: the discovery entry for NAME, keys sorted
  k get --raw "$1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const l=JSON.parse(s);const r=l.resources.find(x=>x.name===process.argv[1]);if(!r){console.log("missing");return}delete r.storageVersionHash;const o={};for(const k of Object.keys(r).sort())o[k]=r[k];console.log(l.kind+" "+l.groupVersion+" "+JSON.stringify(o))})' "$2"
}
expect_eq "$(entry /apis/apps/v1 deployments)" 'APIResourceList apps/v1 {"categories":["all"],"kind":"Deployment","name":"deployments","namespaced":true,"shortNames":["deploy"],"singularName":"deployment","verbs":["create","delete","deletecollection","get","list","patch","update","watch"]}'
expect_eq "$(entry /apis/apps/v1 deployments/scale)" 'APIResourceList apps/v1 {"group":"autoscaling","kind":"Scale","name":"deployments/scale","namespaced":true,"singularName":"","verbs":["get","patch","update"],"version":"v1"}'
expect_eq "$(entry /apis/apps/v1 deployments/status)" 'APIResourceList apps/v1 {"kind":"Deployment","name":"deployments/status","namespaced":true,"singularName":"","verbs":["get","patch","update"]}'
expect_eq "$(entry /api/v1 pods/log)" 'APIResourceList v1 {"kind":"Pod","name":"pods/log","namespaced":true,"singularName":"","verbs":["get"]}'
expect_eq "$(entry /api/v1 pods/exec)" 'APIResourceList v1 {"kind":"PodExecOptions","name":"pods/exec","namespaced":true,"singularName":"","verbs":["create","get"]}'
expect_eq "$(entry /api/v1 pods/eviction)" 'APIResourceList v1 {"group":"policy","kind":"Eviction","name":"pods/eviction","namespaced":true,"singularName":"","verbs":["create"],"version":"v1"}'
expect_eq "$(entry /api/v1 serviceaccounts/token)" 'APIResourceList v1 {"group":"authentication.k8s.io","kind":"TokenRequest","name":"serviceaccounts/token","namespaced":true,"singularName":"","verbs":["create"],"version":"v1"}'
expect_eq "$(entry /api/v1 namespaces/finalize)" 'APIResourceList v1 {"kind":"Namespace","name":"namespaces/finalize","namespaced":false,"singularName":"","verbs":["update"]}'
expect_eq "$(entry /api/v1 services/proxy)" 'APIResourceList v1 {"kind":"ServiceProxyOptions","name":"services/proxy","namespaced":true,"singularName":"","verbs":["create","delete","get","patch","update"]}'
ok k get --raw /apis/apps/v1
expect_match "$LAST_OUT" '"storageVersionHash":"[^"]+"'
refused k get --raw /apis/nosuch.example.com/v1
expect_contains "$LAST_ERR" "NotFound"
refused k get --raw /api/v2
expect_contains "$LAST_ERR" "NotFound"

# aggregated discovery (kubectl 1.30+ asks for it first)
ok k get --raw /apis -v=8
expect_contains "$LAST_ERR" 'Accept'
# short names and singular names resolve; unknown types are a kubectl error from discovery
for n in po svc deploy ds sts rs rc cm ns no pv pvc sa ep ev ing netpol hpa cj pdb pc sc csr crd limits quota; do
  ok k get "$n" -A --chunk-size=1 -o name
done
ok k get pod -A -o name
ok k get deployment.apps -A -o name
ok k get deployments.v1.apps -A -o name
refused k get potatoes
expect_contains "$LAST_ERR" 'error: the server doesn'"'"'t have a resource type "potatoes"'
