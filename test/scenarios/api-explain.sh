#!/usr/bin/env bash
# kubectl explain from the server's OpenAPI v3 (default) and v2 (plaintext-openapiv2):
# kinds, groups, nested fields, required markers, enums, --recursive, --api-version, errors.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"

ok k explain pods
expect_match "$LAST_OUT" '^KIND: +Pod'$'\n''VERSION: +v1'$'\n\n''DESCRIPTION:'$'\n'' +Pod is a collection of containers that can run on a host\.'
expect_match "$LAST_OUT" $'\nFIELDS:\n  apiVersion\t<string>\n'
expect_match "$LAST_OUT" $'\n  metadata\t<ObjectMeta>\n'
expect_match "$LAST_OUT" $'\n  spec\t<PodSpec>\n'
expect_match "$LAST_OUT" $'\n  status\t<PodStatus>\n'
ok k explain deployment
expect_match "$LAST_OUT" '^GROUP: +apps'$'\n''KIND: +Deployment'$'\n''VERSION: +v1'
ok k explain pods.spec.containers
expect_match "$LAST_OUT" $'\nFIELD: containers <\\[\\]Container>\n'
expect_match "$LAST_OUT" $'\n  name\t<string> -required-\n'
expect_match "$LAST_OUT" $'\n  image\t<string>\n'
expect_match "$LAST_OUT" $'\n  ports\t<\\[\\]ContainerPort>\n'
ok k explain pod.spec.containers.ports.containerPort
expect_match "$LAST_OUT" 'FIELD: containerPort <integer>'
ok k explain pod.spec.restartPolicy
expect_match "$LAST_OUT" $'FIELD: restartPolicy <string>\nENUM:\n +Always\n +Never\n +OnFailure'
ok k explain deployment.spec.replicas
expect_match "$LAST_OUT" 'FIELD: replicas <integer>'
ok k explain deploy.spec.strategy.rollingUpdate.maxSurge
expect_match "$LAST_OUT" 'FIELD: maxSurge <IntOrString>'
ok k explain svc.spec.ports.targetPort
expect_match "$LAST_OUT" 'FIELD: targetPort <IntOrString>'
ok k explain cm.data
expect_match "$LAST_OUT" 'FIELD: data <map\[string\]string>'
ok k explain pod.metadata.creationTimestamp
expect_match "$LAST_OUT" 'FIELD: creationTimestamp <string>'
ok k explain pod.spec.containers.resources.limits
expect_match "$LAST_OUT" 'FIELD: limits <map\[string\]Quantity>'
ok k explain networkpolicy.spec
expect_match "$LAST_OUT" '^GROUP: +networking.k8s.io'$'\n''KIND: +NetworkPolicy'
expect_match "$LAST_OUT" $'\n  podSelector\t<LabelSelector>'
ok k explain cronjob.spec.jobTemplate.spec.template.spec.containers.name
expect_match "$LAST_OUT" 'FIELD: name <string>'

ok k explain pod.spec.securityContext --recursive
expect_match "$LAST_OUT" $'\n  runAsUser\t<integer>\n'
expect_match "$LAST_OUT" $'\n  seLinuxOptions\t<SELinuxOptions>\n    level\t<string>\n'
ok k explain deployment --recursive
expect_match "$LAST_OUT" $'\n    template\t<PodTemplateSpec> -required-\n'
expect_match "$LAST_OUT" $'\n          livenessProbe\t<Probe>\n'

ok k explain hpa --api-version=autoscaling/v1
expect_match "$LAST_OUT" '^GROUP: +autoscaling'$'\n''KIND: +HorizontalPodAutoscaler'$'\n''VERSION: +v1'
ok k explain hpa.spec --api-version=autoscaling/v1
expect_contains "$LAST_OUT" "targetCPUUtilizationPercentage"
ok k explain hpa.spec
expect_match "$LAST_OUT" 'VERSION: +v2'
expect_contains "$LAST_OUT" "metrics"

# the swagger 2.0 based printer
ok k explain pods --output=plaintext-openapiv2
expect_match "$LAST_OUT" '^KIND: +Pod'$'\n''VERSION: +v1'$'\n\n''DESCRIPTION:'
expect_match "$LAST_OUT" $'\nFIELDS:\n   apiVersion\t<string>\n'
ok k explain deployment.spec.template --output=plaintext-openapiv2
expect_match "$LAST_OUT" 'RESOURCE: template <Object>'
expect_match "$LAST_OUT" $'\n   spec\t<Object>\n'

# errors
refused k explain pod.spec.nosuchfield
expect_contains "$LAST_ERR" 'field "nosuchfield" does not exist'
refused k explain potatoes
expect_contains "$LAST_ERR" "the server doesn't have a resource type \"potatoes\""
refused k explain deployment --api-version=apps/v1beta1
expect_contains "$LAST_ERR" 'couldn'"'"'t find resource for "apps/v1beta1, Resource=deployments"'
