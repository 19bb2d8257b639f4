#!/usr/bin/env bash
# The resource metrics API (metrics.k8s.io/v1beta1) as a cluster with metrics-server shows
# it, without any kubelet to scrape: discovery (what `kubectl top` checks first), its local
# APIService, get/list only, the NotFound answers, and what `kubectl top` prints when there
# is nothing to show. (Real usage numbers: runtime/65-top.sh.)
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns metrics

ok k api-versions
grep -qx metrics.k8s.io/v1beta1 <<<"$LAST_OUT" || fail "api-versions lacks metrics.k8s.io/v1beta1"
ok k api-resources --api-group=metrics.k8s.io -o wide --no-headers
expect_match "$LAST_OUT" '^nodes +metrics.k8s.io/v1beta1 +false +NodeMetrics +get,list'
expect_match "$LAST_OUT" 'pods +metrics.k8s.io/v1beta1 +true +PodMetrics +get,list'
ok k api-resources --api-group=metrics.k8s.io -o name
expect_eq "$LAST_OUT" $'nodes.metrics.k8s.io\npods.metrics.k8s.io'
ok k get --raw /apis/metrics.k8s.io
expect_contains "$LAST_OUT" '"name":"metrics.k8s.io","versions":[{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}]'
ok k get apiservice v1beta1.metrics.k8s.io -o jsonpath='{.status.conditions[?(@.type=="Available")].status}'
expect_eq "$LAST_OUT" True

# lists are answered (empty: a namespace without pods), gets name what is missing
ok k get --raw "/apis/metrics.k8s.io/v1beta1/namespaces/$NS/pods"
expect_eq "$LAST_OUT" '{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[]}'
refused k get --raw "/apis/metrics.k8s.io/v1beta1/namespaces/$NS/pods/nope"
expect_contains "$LAST_ERR" 'pods "nope" not found'
refused k get --raw /apis/metrics.k8s.io/v1beta1/nodes/no-such-node
expect_contains "$LAST_ERR" 'nodes "no-such-node" not found'
refused k get podmetrics -n "$NS" -w
refused k delete podmetrics x -n "$NS"
expect_contains "$LAST_ERR" 'MethodNotAllowed'

ok k top pod -n "$NS"
expect_eq "$LAST_ERR" "No resources found in $NS namespace."
ok k get podmetrics -n "$NS"
expect_eq "$LAST_ERR" "No resources found in $NS namespace."
if [ -z "$(k get nodes -o name 2>/dev/null)" ]; then
  refused k top node
  expect_eq "$LAST_ERR" "error: metrics not available yet"
fi
