#!/usr/bin/env bash
# kubernetes.io "Distribute Credentials Securely Using Secrets": a secret volume, a single
# variable, several secrets as variables, envFrom, file modes, live updates of the volume.
# (the docs use nginx and busybox; offline only `busybox` exists)
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns secrets

ok k create secret generic test-secret --from-literal='username=my-app' --from-literal='password=39528$vdg7Jb' -n "$NS"
ok k create secret generic backend-user --from-literal=backend-username='backend-admin' -n "$NS"
ok k create secret generic db-user --from-literal=db-username='db-admin' -n "$NS"
f=$(manifest secrets.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: secret-test-pod}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: test-container
    image: busybox
    command: [sh, -c, "httpd -f -p 80 -h /tmp"]
    volumeMounts:
    - name: secret-volume
      mountPath: /etc/secret-volume
      readOnly: true
  volumes:
  - name: secret-volume
    secret:
      secretName: test-secret
---
apiVersion: v1
kind: Pod
metadata: {name: env-single-secret}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: envars-test-container
    image: busybox
    command: [sleep, "3600"]
    env:
    - name: SECRET_USERNAME
      valueFrom: {secretKeyRef: {name: backend-user, key: backend-username}}
---
apiVersion: v1
kind: Pod
metadata: {name: envvars-multiple-secrets}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: envars-test-container
    image: busybox
    command: [sleep, "3600"]
    env:
    - name: BACKEND_USERNAME
      valueFrom: {secretKeyRef: {name: backend-user, key: backend-username}}
    - name: DB_USERNAME
      valueFrom: {secretKeyRef: {name: db-user, key: db-username}}
---
apiVersion: v1
kind: Pod
metadata: {name: envfrom-secret}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: envars-test-container
    image: busybox
    command: [sleep, "3600"]
    envFrom:
    - secretRef: {name: test-secret}
---
apiVersion: v1
kind: Pod
metadata: {name: mode-demo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: [sleep, "3600"]
    volumeMounts: [{name: foo, mountPath: /etc/foo, readOnly: true}]
  volumes:
  - name: foo
    secret:
      secretName: test-secret
      defaultMode: 0400
      items:
      - {key: username, path: my-group/my-username, mode: 0777}
      - {key: password, path: pw}
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/secret-test-pod pod/env-single-secret pod/envvars-multiple-secrets pod/envfrom-secret pod/mode-demo -n "$NS" --timeout=60s

ok k exec secret-test-pod -n "$NS" -- ls /etc/secret-volume
expect_eq "$LAST_OUT" $'password\nusername'
ok k exec secret-test-pod -n "$NS" -- sh -c 'echo "$( cat /etc/secret-volume/username )"; echo "$( cat /etc/secret-volume/password )"'
expect_eq "$LAST_OUT" $'my-app\n39528$vdg7Jb'
# secret volumes live in memory and default to mode 0644
ok k exec secret-test-pod -n "$NS" -- sh -c 'grep " /etc/secret-volume " /proc/mounts | cut -d" " -f3,4 | cut -d, -f1; stat -L -c %a /etc/secret-volume/username'
expect_eq "$LAST_OUT" $'tmpfs ro\n644'

ok k exec env-single-secret -n "$NS" -- /bin/sh -c 'echo $SECRET_USERNAME'
expect_eq "$LAST_OUT" "backend-admin"
ok k exec envvars-multiple-secrets -n "$NS" -- env
expect_contains "$LAST_OUT" "BACKEND_USERNAME=backend-admin"
expect_contains "$LAST_OUT" "DB_USERNAME=db-admin"
ok k exec envfrom-secret -n "$NS" -- sh -c 'echo "username: $username\npassword: $password\n"'
expect_eq "$LAST_OUT" $'username: my-app\\npassword: 39528$vdg7Jb\\n'

ok k exec mode-demo -n "$NS" -- sh -c 'stat -L -c %a /etc/foo/my-group/my-username /etc/foo/pw; cat /etc/foo/my-group/my-username; echo; ls /etc/foo'
expect_eq "$LAST_OUT" $'777\n400\nmy-app\nmy-group\npw'

# an updated secret reaches the volume (not the environment)
ok k patch secret test-secret -n "$NS" --type merge -p '{"stringData":{"username":"new-app"}}'
wait_for 90 "new-app" k exec secret-test-pod -n "$NS" -- cat /etc/secret-volume/username
ok k exec envfrom-secret -n "$NS" -- sh -c 'echo $username'
expect_eq "$LAST_OUT" "my-app"
