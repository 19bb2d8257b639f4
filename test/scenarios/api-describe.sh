#!/usr/bin/env bash
# kubectl describe of namespace, configmap, secret, service, deployment, serviceaccount,
# role, rolebinding, pdb, priorityclass, job, cronjob and a pending pod (no nodes needed).
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns desc

ok k describe ns "$NS"
expect_match "$LAST_OUT" "^Name: +$NS"$'\n'"Labels: +kubernetes.io/metadata.name=$NS"$'\n''Annotations: +<none>'$'\n''Status: +Active'
expect_contains "$LAST_OUT" "No resource quota."
expect_contains "$LAST_OUT" "No LimitRange resource."

ok k create configmap app --from-literal=mode=fast -n "$NS"
ok k label cm app -n "$NS" team=blue
ok k annotate cm app -n "$NS" note=hi
ok k describe cm app -n "$NS"
expect_match "$LAST_OUT" "^Name: +app"$'\n'"Namespace: +$NS"$'\n''Labels: +team=blue'$'\n''Annotations: +note: hi'
expect_match "$LAST_OUT" $'\nData\n====\nmode:\n----\nfast\n'
expect_contains "$LAST_OUT" $'BinaryData\n===='
expect_match "$LAST_OUT" 'Events: +<none>'
# describe with a selector and for every object of a type
ok k describe cm -n "$NS" -l team=blue
expect_match "$LAST_OUT" '^Name: +app'
ok k describe configmaps -n "$NS"
expect_contains "$LAST_OUT" "kube-root-ca.crt"
refused k describe cm nosuch -n "$NS"
expect_contains "$LAST_ERR" 'Error from server (NotFound): configmaps "nosuch" not found'

ok k create secret generic db --from-literal=password='s3cr3t!' --from-literal=user=admin -n "$NS"
ok k describe secret db -n "$NS"
expect_match "$LAST_OUT" "^Name: +db"$'\n'"Namespace: +$NS"
expect_match "$LAST_OUT" $'\nType: +Opaque\n'
expect_match "$LAST_OUT" $'\nData\n====\n'
expect_match "$LAST_OUT" 'password: +7 bytes'
expect_match "$LAST_OUT" 'user: +5 bytes'
expect_not_contains "$LAST_OUT" "s3cr3t" "describe never prints secret values"

ok k create service clusterip web --tcp=80:8080 -n "$NS"
ip=$(jp "svc web -n $NS" '{.spec.clusterIP}')
ok k describe svc web -n "$NS"
expect_match "$LAST_OUT" "^Name: +web"$'\n'"Namespace: +$NS"$'\n''Labels: +app=web'$'\n''Annotations: +<none>'$'\n''Selector: +app=web'$'\n''Type: +ClusterIP'$'\n''IP Family Policy: +SingleStack'$'\n''IP Families: +IPv4'$'\n'"IP: +$ip"$'\n'"IPs: +$ip"$'\n''Port: +80-8080 +80/TCP'$'\n''TargetPort: +8080/TCP'
expect_match "$LAST_OUT" 'Session Affinity: +None'
expect_match "$LAST_OUT" 'Internal Traffic Policy: +Cluster'
ok k create service nodeport np --tcp=80:80 -n "$NS"
np=$(jp "svc np -n $NS" '{.spec.ports[0].nodePort}')
ok k describe svc np -n "$NS"
expect_match "$LAST_OUT" "NodePort: +80-80 +$np/TCP"
expect_match "$LAST_OUT" 'External Traffic Policy: +Cluster'

ok k create serviceaccount robot -n "$NS"
ok k describe sa robot -n "$NS"
expect_match "$LAST_OUT" "^Name: +robot"$'\n'"Namespace: +$NS"
expect_match "$LAST_OUT" 'Image pull secrets: +<none>'
expect_match "$LAST_OUT" 'Mountable secrets: +<none>'
expect_match "$LAST_OUT" 'Tokens: +<none>'

ok k create role pod-reader --verb=get,list --resource=pods -n "$NS"
ok k describe role pod-reader -n "$NS"
expect_match "$LAST_OUT" '^Name: +pod-reader'
expect_match "$LAST_OUT" $'PolicyRule:\n  Resources +Non-Resource URLs +Resource Names +Verbs\n  -+ +-+ +-+ +-+\n  pods +\\[\\] +\\[\\] +\\[get list\\]'
ok k create rolebinding rb --role=pod-reader --user=alice --serviceaccount="$NS:robot" -n "$NS"
ok k describe rolebinding rb -n "$NS"
expect_match "$LAST_OUT" $'Role:\n  Kind: +Role\n  Name: +pod-reader\nSubjects:\n  Kind +Name +Namespace\n  -+ +-+ +-+\n  User +alice *\n  ServiceAccount +robot +'"$NS"

ok k create pdb pdb1 --selector=app=web --min-available=1 -n "$NS"
ok k describe pdb pdb1 -n "$NS"
expect_match "$LAST_OUT" "^Name: +pdb1"$'\n'"Namespace: +$NS"$'\n''Min available: +1'$'\n''Selector: +app=web'

ok k describe pc system-node-critical
expect_match "$LAST_OUT" '^Name: +system-node-critical'
expect_match "$LAST_OUT" 'Value: +2000001000'
expect_match "$LAST_OUT" 'GlobalDefault: +false'
expect_match "$LAST_OUT" 'PreemptionPolicy: +PreemptLowerPriority'

ok k create job j1 --image=busybox -n "$NS" -- true
ok k describe job j1 -n "$NS"
expect_match "$LAST_OUT" "^Name: +j1"$'\n'"Namespace: +$NS"
expect_match "$LAST_OUT" 'Selector: +batch.kubernetes.io/controller-uid='
expect_match "$LAST_OUT" 'Parallelism: +1'
expect_match "$LAST_OUT" 'Completions: +1'
expect_match "$LAST_OUT" 'Completion Mode: +NonIndexed'
expect_match "$LAST_OUT" 'Suspend: +false'
expect_match "$LAST_OUT" 'Backoff Limit: +6'
ok k create cronjob cj1 --image=busybox --schedule='0 * * * *' -n "$NS" -- true
ok k describe cronjob cj1 -n "$NS"
expect_match "$LAST_OUT" '^Name: +cj1'
expect_match "$LAST_OUT" 'Schedule: +0 \* \* \* \*'
expect_match "$LAST_OUT" 'Concurrency Policy: +Allow'
expect_match "$LAST_OUT" 'Suspend: +False'
expect_match "$LAST_OUT" 'Successful Job History Limit: +3'
expect_match "$LAST_OUT" 'Failed Job History Limit: +1'
expect_match "$LAST_OUT" 'Last Schedule Time: +<unset>'

ok k run pending --image=busybox -n "$NS" --labels=app=x
ok k describe pod pending -n "$NS"
expect_match "$LAST_OUT" "^Name: +pending"$'\n'"Namespace: +$NS"
expect_match "$LAST_OUT" 'Node: +<none>'
expect_match "$LAST_OUT" 'Labels: +app=x'
expect_match "$LAST_OUT" 'Status: +Pending'
expect_match "$LAST_OUT" $'Containers:\n  pending:\n    Image: +busybox'
expect_match "$LAST_OUT" 'QoS Class: +BestEffort'

# a deployment, once the deployment controller has acted on it
ok k create deployment web --image=busybox --replicas=2 -n "$NS"
wait_match 30 'NewReplicaSet: +web-[a-z0-9]+ \(2/2 replicas created\)' k describe deploy web -n "$NS"
ok k describe deploy web -n "$NS"
expect_match "$LAST_OUT" "^Name: +web"$'\n'"Namespace: +$NS"$'\n''CreationTimestamp: +[A-Z][a-z]{2}, '
expect_match "$LAST_OUT" 'Labels: +app=web'
expect_match "$LAST_OUT" 'Annotations: +deployment.kubernetes.io/revision: 1'
expect_match "$LAST_OUT" 'Selector: +app=web'
expect_match "$LAST_OUT" 'Replicas: +2 desired \| 2 updated \| 2 total \| 0 available \| 2 unavailable'
expect_match "$LAST_OUT" 'StrategyType: +RollingUpdate'
expect_match "$LAST_OUT" 'MinReadySeconds: +0'
expect_match "$LAST_OUT" 'RollingUpdateStrategy: +25% max unavailable, 25% max surge'
expect_match "$LAST_OUT" $'Pod Template:\n  Labels: +app=web\n  Containers:\n   busybox:\n    Image: +busybox'
expect_match "$LAST_OUT" 'Available +False +MinimumReplicasUnavailable'
expect_match "$LAST_OUT" 'Progressing +True +ReplicaSetUpdated'
expect_match "$LAST_OUT" 'OldReplicaSets: +<none>'
expect_match "$LAST_OUT" 'Normal +ScalingReplicaSet +[0-9a-z]+ +deployment-controller +Scaled up replica set web-[a-z0-9]+ (to 2|from 0 to 2)'

