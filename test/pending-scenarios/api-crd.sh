#!/usr/bin/env bash
# CustomResourceDefinitions: establishing, discovery, kubectl get/describe/explain of custom
# resources, printer columns, schema validation and pruning, defaults, the status and scale
# subresources, field selectors, short names, categories, and deletion of the definition.
# needs: api
# timeout: 90
source "${SCENARIO_LIB:?}"
new_ns crd
g="scen$RANDOM$RANDOM.example.com"
crd="widgets.$g"
ok k apply -f - <<YAML
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: $crd}
spec:
  group: $g
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wdg], categories: [scenario]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    additionalPrinterColumns:
    - {name: Size, type: string, jsonPath: .spec.size}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    selectableFields:
    - jsonPath: .spec.size
    schema:
      openAPIV3Schema:
        type: object
        description: A widget for scenarios.
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: string, enum: [small, large], description: How big it is.}
              replicas: {type: integer, minimum: 0, default: 1}
              color: {type: string, default: blue}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
YAML
defer k delete crd "$crd" --wait=false
expect_eq "$LAST_OUT" "customresourcedefinition.apiextensions.k8s.io/$crd created"
ok k wait --for=condition=Established "crd/$crd" --timeout=30s
expect_eq "$LAST_OUT" "customresourcedefinition.apiextensions.k8s.io/$crd condition met"
ok k get crd "$crd" -o jsonpath='{.status.acceptedNames.kind} {.status.conditions[?(@.type=="NamesAccepted")].status}'
expect_eq "$LAST_OUT" "Widget True"
ok k get crd "$crd"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +CREATED AT$'
wait_match 30 "widgets +wdg +$g/v1 +true +Widget" k api-resources --api-group="$g" --no-headers

ok k apply -n "$NS" -f - <<YAML
apiVersion: $g/v1
kind: Widget
metadata: {name: w1, labels: {tier: a}}
spec: {size: small, replicas: 2, unknownField: dropped}
YAML
expect_eq "$LAST_OUT" "widget.$g/w1 created"
expect_contains "$LAST_ERR" 'Warning: unknown field "spec.unknownField"'
ok k get widget w1 -n "$NS" -o json
expect_not_contains "$LAST_OUT" "unknownField" "unknown fields are pruned"
expect_contains "$LAST_OUT" '"color": "blue"' "schema defaults apply"
ok k get wdg -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +SIZE +REPLICAS +AGE$'
expect_match "$LAST_OUT" $'\nw1 +small +2 +[0-9]+s'
ok k get "widgets.$g" -n "$NS" -o name
expect_eq "$LAST_OUT" "widget.$g/w1"
ok k get scenario -n "$NS" -o name
expect_eq "$LAST_OUT" "widget.$g/w1" "the custom category"
ok k describe widget w1 -n "$NS"
expect_match "$LAST_OUT" '^Name: +w1'
expect_match "$LAST_OUT" "API Version: +$g/v1"
expect_match "$LAST_OUT" 'Kind: +Widget'
expect_match "$LAST_OUT" 'Size: +small'
ok k explain widget.spec
expect_match "$LAST_OUT" "GROUP: +$g"
expect_match "$LAST_OUT" $'\n  size\t<string> -required-\n'
ok k explain widget
expect_contains "$LAST_OUT" "A widget for scenarios."

# validation against the schema
refused k apply -n "$NS" -f - <<YAML
apiVersion: $g/v1
kind: Widget
metadata: {name: bad}
spec: {size: medium, replicas: -1}
YAML
expect_contains "$LAST_ERR" "The Widget \"bad\" is invalid: "
expect_contains "$LAST_ERR" 'spec.size: Unsupported value: "medium": supported values: "small", "large"'
expect_contains "$LAST_ERR" 'spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0'
refused k apply -n "$NS" -f - <<YAML
apiVersion: $g/v1
kind: Widget
metadata: {name: nosize}
spec: {replicas: 1}
YAML
expect_contains "$LAST_ERR" 'spec.size: Required value'

# status and scale subresources
ok k patch widget w1 -n "$NS" --type=merge -p '{"status":{"replicas":5}}'
ok k get widget w1 -n "$NS" -o jsonpath='{.status.replicas}'
expect_eq "$LAST_OUT" "" "the main resource ignores status"
ok k patch widget w1 -n "$NS" --subresource=status --type=merge -p '{"status":{"replicas":2,"selector":"tier=a"}}'
ok k get widget w1 -n "$NS" -o jsonpath='{.status.replicas}'
expect_eq "$LAST_OUT" "2"
ok k scale widget w1 -n "$NS" --replicas=4
expect_eq "$LAST_OUT" "widget.$g/w1 scaled"
ok k get --raw "/apis/$g/v1/namespaces/$NS/widgets/w1/scale"
expect_contains "$LAST_OUT" '"kind":"Scale","apiVersion":"autoscaling/v1"'
expect_contains "$LAST_OUT" '"spec":{"replicas":4}'
expect_contains "$LAST_OUT" '"status":{"replicas":2,"selector":"tier=a"}'
g1=$(jp "widget w1 -n $NS" '{.metadata.generation}')
ok k patch widget w1 -n "$NS" --type=merge -p '{"metadata":{"labels":{"x":"y"}}}'
expect_eq "$(jp "widget w1 -n $NS" '{.metadata.generation}')" "$g1" "metadata changes leave generation alone"
ok k patch widget w1 -n "$NS" --type=merge -p '{"spec":{"size":"large"}}'
expect_eq "$(jp "widget w1 -n $NS" '{.metadata.generation}')" "$((g1+1))"

# selectable fields (GA in 1.32) and labels
ok k apply -n "$NS" -f - <<YAML
apiVersion: $g/v1
kind: Widget
metadata: {name: w2}
spec: {size: small}
YAML
ok k get widgets -n "$NS" --field-selector spec.size=small -o name
expect_eq "$LAST_OUT" "widget.$g/w2"
ok k get widgets -n "$NS" -l tier=a -o name
expect_eq "$LAST_OUT" "widget.$g/w1"
refused k get widgets -n "$NS" --field-selector spec.color=blue
expect_contains "$LAST_ERR" 'field label not supported: spec.color'
# server-side apply and strategic merge on custom resources
ok k apply --server-side -n "$NS" -f - <<YAML
apiVersion: $g/v1
kind: Widget
metadata: {name: w2}
spec: {size: small, color: red}
YAML
ok k get widget w2 -n "$NS" -o jsonpath='{.spec.color}'
expect_eq "$LAST_OUT" "red"
refused k patch widget w2 -n "$NS" -p '{"spec":{"color":"green"}}'
expect_contains "$LAST_ERR" 'strategic merge patch is not supported for'

# deleting the definition removes its objects and its discovery entry
ok k delete crd "$crd"
wait_for 30 "" bash -c "kubectl api-resources --api-group=$g -o name"
refused k get widgets -n "$NS"
