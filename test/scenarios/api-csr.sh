#!/usr/bin/env bash
# CertificateSigningRequests made with openssl: what the server fills in (requestor), the
# table, kubectl certificate approve/deny and the approval subresource rules, validation,
# and (once the signer has issued it) logging in with the certificate.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
sfx=$RANDOM$RANDOM
d=$(mktemp -d); defer rm -rf "$d"
openssl genrsa -out "$d/u.key" 2048 >/dev/null 2>&1
openssl req -new -key "$d/u.key" -out "$d/u.csr" -subj "/CN=jane-$sfx/O=devs" >/dev/null 2>&1 || fail "openssl req failed"
req=$(base64 -w0 <"$d/u.csr")
csr() { # csr NAME [extra spec lines]
  printf 'apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: %s}\nspec:\n  request: %s\n  signerName: kubernetes.io/kube-apiserver-client\n  expirationSeconds: 86400\n  usages: [client auth]\n%s' "$1" "$req" "${2:-}"
}
me=$(k auth whoami -o jsonpath='{.status.userInfo.username}')

a="jane-$sfx"
ok k apply -f <(csr "$a")
defer k delete csr "$a"
expect_eq "$LAST_OUT" "certificatesigningrequest.certificates.k8s.io/$a created"
ok k get csr "$a" -o jsonpath='{.spec.username}|{.spec.signerName}|{.spec.usages}|{.spec.expirationSeconds}'
expect_eq "$LAST_OUT" "$me|kubernetes.io/kube-apiserver-client|[\"client auth\"]|86400" "the server records who asked"
ok k get csr "$a" -o jsonpath='{.spec.groups}'
expect_contains "$LAST_OUT" '"system:authenticated"'
ok k get csr "$a"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +AGE +SIGNERNAME +REQUESTOR +REQUESTEDDURATION +CONDITION$'
expect_match "$LAST_OUT" "$a +[0-9]+s +kubernetes.io/kube-apiserver-client +$me +24h +Pending"
ok k certificate approve "$a"
expect_eq "$LAST_OUT" "certificatesigningrequest.certificates.k8s.io/$a approved"
ok k get csr "$a" -o jsonpath='{.status.conditions[0].type}|{.status.conditions[0].status}|{.status.conditions[0].reason}|{.status.conditions[0].message}'
expect_eq "$LAST_OUT" "Approved|True|KubectlApprove|This CSR was approved by kubectl certificate approve."
ok k get csr "$a" --no-headers
expect_match "$LAST_OUT" "$a .* Approved(,Issued)?\$"
refused k certificate deny "$a"
expect_contains "$LAST_ERR" "certificate signing request \"$a\" is already Approved"
# the approval subresource itself refuses contradicting conditions
refused k patch csr "$a" --subresource=approval --type=json -p '[{"op":"add","path":"/status/conditions/-","value":{"type":"Denied","status":"True","reason":"X","message":"y"}}]'
expect_contains "$LAST_ERR" "Approved and Denied conditions are mutually exclusive"
# the main resource ignores status
ok k patch csr "$a" --type=merge -p '{"status":{"certificate":"Zm9v"}}'
ok k get csr "$a" -o jsonpath='{.status.certificate}'
[ "$LAST_OUT" != "Zm9v" ] || fail "the main resource must not accept status.certificate"
# the request itself is immutable
refused k patch csr "$a" --type=merge -p '{"spec":{"expirationSeconds":3600}}'
expect_contains "$LAST_ERR" "field is immutable"

b="deny-$sfx"
ok k apply -f <(csr "$b")
defer k delete csr "$b"
ok k certificate deny "$b"
expect_eq "$LAST_OUT" "certificatesigningrequest.certificates.k8s.io/$b denied"
ok k get csr "$b" -o jsonpath='{.status.conditions[0].type}|{.status.conditions[0].reason}|{.status.conditions[0].message}'
expect_eq "$LAST_OUT" "Denied|KubectlDeny|This CSR was denied by kubectl certificate deny."
ok k get csr "$b" --no-headers
expect_match "$LAST_OUT" "$b .* Denied\$"

# validation
refused k apply -f <(csr "bad-$sfx" | sed "s|request: .*|request: $(printf 'not a csr' | base64 -w0)|")
expect_contains "$LAST_ERR" "spec.request: Invalid value"
refused k apply -f <(csr "short-$sfx" | sed 's/expirationSeconds: 86400/expirationSeconds: 100/')
expect_contains "$LAST_ERR" "spec.expirationSeconds: Invalid value: 100: may not specify a duration less than 600 seconds (10 minutes)"
refused k apply -f <(csr "nosigner-$sfx" | sed '/signerName/d')
expect_contains "$LAST_ERR" "spec.signerName: Required value"

# the kube-apiserver-client signer issues it; the certificate then logs in as jane
wait_match 30 '^LS0t' jp "csr $a" '{.status.certificate}'
jp "csr $a" '{.status.certificate}' | base64 -d >"$d/u.crt"
expect_contains "$(openssl x509 -in "$d/u.crt" -noout -subject 2>/dev/null)" "CN = jane-$sfx"
cfg="$d/kubeconfig"
k config view --raw --flatten >"$cfg"
user=$(env KUBECONFIG="$cfg" kubectl config view --minify -o jsonpath='{.users[0].name}')
ok env KUBECONFIG="$cfg" kubectl config set-credentials "$user" --client-certificate="$d/u.crt" --client-key="$d/u.key" --embed-certs=true
ok env KUBECONFIG="$cfg" kubectl auth whoami
expect_match "$LAST_OUT" "Username +jane-$sfx"
expect_match "$LAST_OUT" 'Groups +\[devs system:authenticated\]'
ok k get csr "$a" --no-headers
expect_match "$LAST_OUT" "$a .* Approved,Issued\$"
