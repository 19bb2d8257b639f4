#!/usr/bin/env bash
# kubectl create priorityclass / poddisruptionbudget / quota / ingress, and LimitRange objects:
# stored fields, server defaults, quantity canonical form, tables, describe, validation.
# (Quota and LimitRange enforcement is not checked here: only storage and printing.)
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns cpol

# --- priorityclass (cluster-scoped) ------------------------------------------------------
pc="hp-$RANDOM$RANDOM"
ok k create priorityclass "$pc" --value=1000 --description="high priority" --dry-run=client -o yaml
expect_contains "$LAST_OUT" "value: 1000"
ok k create priorityclass "$pc" --value=1000 --description="high priority"
defer k delete priorityclass "$pc"
expect_eq "$LAST_OUT" "priorityclass.scheduling.k8s.io/$pc created"
ok k get pc "$pc" -o jsonpath='{.value}|{.description}|{.preemptionPolicy}'
expect_eq "$LAST_OUT" "1000|high priority|PreemptLowerPriority" "preemptionPolicy defaults to PreemptLowerPriority"
ok k get pc "$pc"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +VALUE +GLOBAL-DEFAULT +AGE +PREEMPTIONPOLICY$'
expect_match "$LAST_OUT" "$pc +1000 +false +[0-9]+s +PreemptLowerPriority"
pc2="never-$RANDOM$RANDOM"
ok k create priorityclass "$pc2" --value=10 --preemption-policy=Never
defer k delete priorityclass "$pc2"
ok k get pc "$pc2" -o jsonpath='{.preemptionPolicy}'
expect_eq "$LAST_OUT" "Never"
# the two built-in classes exist
ok k get pc system-cluster-critical system-node-critical -o jsonpath='{range .items[*]}{.metadata.name}={.value} {end}'
expect_eq "$LAST_OUT" "system-cluster-critical=2000000000 system-node-critical=2000001000 "
refused k create priorityclass "too-high-$RANDOM" --value=2000000000
expect_contains "$LAST_ERR" "maximum allowed value of a user defined priority is 1000000000"
refused k create priorityclass "system-mine-$RANDOM" --value=5
expect_contains "$LAST_ERR" "priority class names with 'system-' prefix are reserved"
refused k patch pc "$pc" -p '{"value":2000}'
expect_contains "$LAST_ERR" "value: Forbidden: may not be changed in an update."

# --- poddisruptionbudget -----------------------------------------------------------------
ok k create pdb web-pdb --selector=app=web --min-available=1 -n "$NS"
expect_eq "$LAST_OUT" "poddisruptionbudget.policy/web-pdb created"
ok k create pdb pct-pdb --selector=app=web,tier=fe --max-unavailable=25% -n "$NS"
ok k get pdb web-pdb -n "$NS" -o jsonpath='{.spec.minAvailable} {.spec.selector.matchLabels.app}'
expect_eq "$LAST_OUT" "1 web"
ok k get pdb pct-pdb -n "$NS" -o jsonpath='{.spec.maxUnavailable} {.spec.selector.matchLabels}'
expect_eq "$LAST_OUT" '25% {"app":"web","tier":"fe"}'
ok k get pdb -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +MIN AVAILABLE +MAX UNAVAILABLE +ALLOWED DISRUPTIONS +AGE$'
expect_match "$LAST_OUT" 'web-pdb +1 +N/A +0 +[0-9]+s'
expect_match "$LAST_OUT" 'pct-pdb +N/A +25% +0 +[0-9]+s'
f=$(manifest both.yaml <<'YAML'
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: both}
spec:
  minAvailable: 1
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'minAvailable and maxUnavailable cannot be both set'
f=$(manifest neg.yaml <<'YAML'
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: neg}
spec:
  minAvailable: -1
  selector: {matchLabels: {app: web}}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'spec.minAvailable: Invalid value: -1: must be greater than or equal to 0'
f=$(manifest pct.yaml <<'YAML'
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pct}
spec:
  maxUnavailable: 150%
  selector: {matchLabels: {app: web}}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'spec.maxUnavailable: Invalid value: "150%": must not be greater than 100%'

# --- resourcequota -----------------------------------------------------------------------
ok k create quota q1 --hard=cpu=1,memory=1G,pods=2,services=3,configmaps=10 -n "$NS"
expect_eq "$LAST_OUT" "resourcequota/q1 created"
ok k create quota q2 --hard=pods=5 --scopes=BestEffort -n "$NS"
ok k get quota q1 -n "$NS" -o jsonpath='{.spec.hard.cpu} {.spec.hard.memory} {.spec.hard.pods} {.spec.hard.services}'
expect_eq "$LAST_OUT" "1 1G 2 3"
ok k get quota q2 -n "$NS" -o jsonpath='{.spec.scopes}'
expect_eq "$LAST_OUT" '["BestEffort"]'
ok k get quota -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +AGE +REQUEST +LIMIT$'
expect_match "$LAST_OUT" $'\nq1 +[0-9]+s'
# quantities are stored in canonical form
f=$(manifest canon.yaml <<'YAML'
apiVersion: v1
kind: ResourceQuota
metadata: {name: canon}
spec:
  hard:
    requests.cpu: 1000m
    requests.memory: 1024Mi
    limits.cpu: "0.5"
    limits.memory: 2048M
YAML
)
ok k create -f "$f" -n "$NS"
ok k get quota canon -n "$NS" -o jsonpath='{.spec.hard.requests\.cpu} {.spec.hard.requests\.memory} {.spec.hard.limits\.cpu} {.spec.hard.limits\.memory}'
expect_eq "$LAST_OUT" "1 1Gi 500m 2048M" "quantities are canonicalised"
f=$(manifest negq.yaml <<'YAML'
apiVersion: v1
kind: ResourceQuota
metadata: {name: negq}
spec:
  hard: {pods: "-1"}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0'
refused k create quota badscope --hard=services=1 --scopes=BestEffort -n "$NS"
expect_contains "$LAST_ERR" 'unsupported scope applied to resource'
ok k describe quota q1 -n "$NS"
expect_match "$LAST_OUT" 'Name: +q1'
expect_match "$LAST_OUT" "Namespace: +$NS"
expect_match "$LAST_OUT" 'Resource +Used +Hard'
# describe lists status.hard/used, which the quota controller fills in within seconds
wait_match 30 'pods +0 +2' k describe quota q1 -n "$NS"
ok k describe ns "$NS"
expect_contains "$LAST_OUT" "Resource Quotas"
expect_match "$LAST_OUT" 'Name: +q1'

# --- limitrange --------------------------------------------------------------------------
f=$(manifest lr.yaml <<'YAML'
apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
    max: {cpu: "2"}
    min: {cpu: 50m}
YAML
)
ok k apply -f "$f" -n "$NS"
expect_eq "$LAST_OUT" "limitrange/limits created"
ok k get limits -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +CREATED AT$'
expect_match "$LAST_OUT" 'limits +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z'
ok k get limitrange limits -n "$NS" -o jsonpath='{.spec.limits[0].default.cpu} {.spec.limits[0].defaultRequest.memory} {.spec.limits[0].max.cpu}'
expect_eq "$LAST_OUT" "500m 128Mi 2"
ok k describe limitrange limits -n "$NS"
expect_match "$LAST_OUT" 'Type +Resource +Min +Max +Default Request +Default Limit +Max Limit/Request Ratio'
expect_match "$LAST_OUT" 'Container +cpu +50m +2 +100m +500m +-'
f=$(manifest badlr.yaml <<'YAML'
apiVersion: v1
kind: LimitRange
metadata: {name: badlr}
spec:
  limits:
  - type: Container
    min: {cpu: "2"}
    max: {cpu: "1"}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'min value 2 is greater than max value 1'

# --- ingress -----------------------------------------------------------------------------
ok k create ingress simple --rule="foo.com/bar=svc1:8080,tls=my-cert" -n "$NS" --dry-run=client -o yaml
expect_contains "$LAST_OUT" "pathType: Exact"
ok k create ingress simple --rule="foo.com/bar=svc1:8080,tls=my-cert" -n "$NS"
expect_eq "$LAST_OUT" "ingress.networking.k8s.io/simple created"
ok k get ing simple -n "$NS" -o jsonpath='{.spec.rules[0].host} {.spec.rules[0].http.paths[0].path} {.spec.rules[0].http.paths[0].pathType} {.spec.rules[0].http.paths[0].backend.service.name} {.spec.rules[0].http.paths[0].backend.service.port.number} {.spec.tls[0].hosts[0]} {.spec.tls[0].secretName}'
expect_eq "$LAST_OUT" "foo.com /bar Exact svc1 8080 foo.com my-cert"
ok k create ingress catch --class=default --rule="/path*=svc2:http" --default-backend=defsvc:80 -n "$NS"
ok k get ing catch -n "$NS" -o jsonpath='{.spec.ingressClassName} {.spec.rules[0].http.paths[0].pathType} {.spec.rules[0].http.paths[0].backend.service.port.name} {.spec.defaultBackend.service.name}'
expect_eq "$LAST_OUT" "default Prefix http defsvc"
ok k create ingress multi --rule="a.com/=a:80" --rule="b.com/*=b:80" -n "$NS"
ok k get ingress -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +CLASS +HOSTS +ADDRESS +PORTS +AGE$'
expect_match "$LAST_OUT" 'simple +<none> +foo.com +80, 443 +[0-9]+s'
expect_match "$LAST_OUT" 'catch +default +\* +80 +[0-9]+s'
expect_match "$LAST_OUT" 'multi +<none> +a.com,b.com +80 +[0-9]+s'
f=$(manifest relpath.yaml <<'YAML'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: relpath}
spec:
  rules:
  - http:
      paths:
      - {path: foo, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'spec.rules[0].http.paths[0].path: Invalid value: "foo": must be an absolute path'
