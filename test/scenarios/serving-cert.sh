#!/usr/bin/env bash
# needs: api
# The API's serving certificate chains to the kubeconfig's CA and names every address a
# client may use: loopback, the host, and the in-cluster names of the kubernetes Service.
source "$(dirname "$0")/lib.sh"

port=$(kubeconfig_port)
ca=$(mktemp)
defer rm -f "$ca"
k config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$ca"

out=$(openssl s_client -connect "127.0.0.1:$port" -servername kubernetes.default.svc -CAfile "$ca" -verify_return_error </dev/null 2>&1)
expect_contains "$out" "Verify return code: 0 (ok)" "TLS verification against the kubeconfig CA"

sans=$(echo "$out" | openssl x509 -noout -ext subjectAltName 2>/dev/null)
for want in DNS:localhost DNS:kubernetes DNS:kubernetes.default DNS:kubernetes.default.svc \
  DNS:kubernetes.default.svc.cluster.local "DNS:$(hostname | tr 'A-Z' 'a-z')" "IP Address:127.0.0.1" "IP Address:10.43.0.1"; do
  expect_contains "$sans" "$want" "serving certificate SAN"
done
for ip in $(hostname -I 2>/dev/null); do
  [[ $ip == *:* ]] && continue # openssl prints IPv6 SANs uncompressed; IPv4 is enough here
  expect_contains "$sans" "$ip" "serving certificate SAN for host address"
done

# the real kubectl, verifying TLS, reaching the API by the in-cluster service name
ok k get --raw /version --tls-server-name kubernetes.default.svc.cluster.local
expect_contains "$LAST_OUT" '"gitVersion"'
