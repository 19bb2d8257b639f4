#!/usr/bin/env bash
# kubectl create service clusterip|nodeport|loadbalancer|externalname (and headless): the
# fields kubectl sends, the defaults the server adds, the table, and validation errors.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns csvc

ok k create service clusterip my-cs --tcp=5678:8080 -n "$NS" --dry-run=client -o yaml
expect_contains "$LAST_OUT" "name: 5678-8080"
expect_contains "$LAST_OUT" "type: ClusterIP"
ok k create service clusterip my-cs --tcp=5678:8080 -n "$NS" --dry-run=server -o jsonpath='{.spec.clusterIP}'
expect_match "$LAST_OUT" '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "dry-run still shows an allocated ClusterIP"
refused k get svc my-cs -n "$NS"

ok k create service clusterip my-cs --tcp=5678:8080 --tcp=443:https -n "$NS"
expect_eq "$LAST_OUT" "service/my-cs created"
ok k get svc my-cs -n "$NS" -o jsonpath='{.metadata.labels.app} {.spec.selector.app} {.spec.ports[0].name} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.ports[0].protocol} {.spec.ports[1].targetPort}'
expect_eq "$LAST_OUT" "my-cs my-cs 5678-8080 5678 8080 TCP https"
ok k get svc my-cs -n "$NS" -o jsonpath='{.spec.sessionAffinity} {.spec.ipFamilyPolicy} {.spec.ipFamilies} {.spec.internalTrafficPolicy}'
expect_eq "$LAST_OUT" 'None SingleStack ["IPv4"] Cluster' "ClusterIP service defaults"
ip=$(jp "svc my-cs -n $NS" '{.spec.clusterIP}')
ok k get svc my-cs -n "$NS" -o jsonpath='{.spec.clusterIPs[0]}'
expect_eq "$LAST_OUT" "$ip" "clusterIPs[0] equals clusterIP"
# the externalTrafficPolicy field belongs to NodePort/LoadBalancer only
ok k get svc my-cs -n "$NS" -o jsonpath='{.spec.externalTrafficPolicy}'
expect_eq "$LAST_OUT" ""

ok k create service clusterip headless --clusterip=None -n "$NS"
ok k get svc headless -n "$NS" -o jsonpath='{.spec.clusterIP} {.spec.clusterIPs}'
expect_eq "$LAST_OUT" 'None ["None"]'

ok k create service nodeport np --tcp=80:8080 -n "$NS"
expect_eq "$LAST_OUT" "service/np created"
ok k get svc np -n "$NS" -o jsonpath='{.spec.type} {.spec.externalTrafficPolicy} {.spec.ports[0].nodePort}'
expect_match "$LAST_OUT" '^NodePort Cluster (3[0-1][0-9]{3}|32[0-6][0-9]{2}|327[0-5][0-9]|3276[0-7])$' "NodePort defaults and a port in 30000-32767"
npport=$(jp "svc np -n $NS" '{.spec.ports[0].nodePort}')

ok k create service loadbalancer lb --tcp=5678:8080 -n "$NS"
expect_eq "$LAST_OUT" "service/lb created"
ok k get svc lb -n "$NS" -o jsonpath='{.spec.type} {.spec.allocateLoadBalancerNodePorts} {.spec.externalTrafficPolicy}'
expect_eq "$LAST_OUT" "LoadBalancer true Cluster"

ok k create service externalname ext --external-name bar.com -n "$NS"
expect_eq "$LAST_OUT" "service/ext created"
ok k get svc ext -n "$NS" -o jsonpath='{.spec.type}|{.spec.externalName}|{.spec.clusterIP}|{.spec.ports}|{.spec.sessionAffinity}'
expect_eq "$LAST_OUT" "ExternalName|bar.com|||None" "an ExternalName service gets no ClusterIP"

ok k get svc -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE$'
expect_match "$LAST_OUT" "my-cs +ClusterIP +$ip +<none> +5678/TCP,443/TCP +[0-9]+s"
expect_match "$LAST_OUT" "headless +ClusterIP +None +<none> +<none> +[0-9]+s"
expect_match "$LAST_OUT" "np +NodePort +[0-9.]+ +<none> +80:$npport/TCP +[0-9]+s"
expect_match "$LAST_OUT" "lb +LoadBalancer +[0-9.]+ +<pending> +5678:3[0-9]{4}/TCP +[0-9]+s"
expect_match "$LAST_OUT" "ext +ExternalName +<none> +bar.com +<none> +[0-9]+s"
ok k get svc my-cs -n "$NS" -o wide
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE +SELECTOR$'
expect_match "$LAST_OUT" 'my-cs .* app=my-cs$'

# updates: type changes allocate and release what they need
ok k patch svc np -n "$NS" -p '{"spec":{"type":"ClusterIP"}}'
ok k get svc np -n "$NS" -o jsonpath='{.spec.type}|{.spec.ports[0].nodePort}|{.spec.externalTrafficPolicy}'
expect_eq "$LAST_OUT" "ClusterIP||" "NodePort to ClusterIP drops the node port and externalTrafficPolicy"
refused k patch svc my-cs -n "$NS" -p '{"spec":{"clusterIP":"10.0.0.99","clusterIPs":["10.0.0.99"]}}'
expect_contains "$LAST_ERR" 'spec.clusterIPs[0]: Invalid value: []string{"10.0.0.99"}: may not change once set'

# validation errors name the field
f=$(manifest badport.yaml <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: badport}
spec:
  ports: [{port: 70000}]
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'The Service "badport" is invalid: '
# targetPort defaults to port, so it is reported as well
expect_contains "$LAST_ERR" '* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive'
expect_contains "$LAST_ERR" '* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive'
f=$(manifest noports.yaml <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: noports}
spec:
  selector: {app: x}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'spec.ports: Required value'
f=$(manifest dupports.yaml <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: dupports}
spec:
  ports: [{name: a, port: 80}, {name: a, port: 81}]
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'spec.ports[1].name: Duplicate value: "a"'
f=$(manifest badtype.yaml <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: badtype}
spec:
  type: Magic
  ports: [{port: 80}]
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'
refused k create service clusterip x --tcp=80:80 --clusterip=1.2.3.4 -n "$NS"
expect_contains "$LAST_ERR" 'failed to create ClusterIP service: Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"1.2.3.4"}: failed to allocate IP 1.2.3.4: the provided IP (1.2.3.4) is not in the valid range. The range of valid IPs is'
