#!/usr/bin/env bash
# kubernetes.io "Adding entries to Pod /etc/hosts with HostAliases", "DNS for Services and
# Pods" (dnsPolicy None + dnsConfig, hostname/subdomain) and "Using sysctls in a Kubernetes
# Cluster" (safe sysctls).
# (the docs use busybox:1.28 and nginx; offline only `busybox` exists)
# needs: runtime
# timeout: 120
source "${SCENARIO_LIB:?}"
new_ns hosts

f=$(manifest hosts.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: hostaliases-pod}
spec:
  restartPolicy: Never
  hostAliases:
  - ip: "127.0.0.1"
    hostnames: ["foo.local", "bar.local"]
  - ip: "10.1.2.3"
    hostnames: ["foo.remote", "bar.remote"]
  containers:
  - name: cat-hosts
    image: busybox
    command: [cat]
    args: ["/etc/hosts"]
---
apiVersion: v1
kind: Pod
metadata: {name: dns-example}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: test
    image: busybox
    command: [sleep, "3600"]
  dnsPolicy: "None"
  dnsConfig:
    nameservers: ["192.0.2.1"]
    searches: [ns1.svc.cluster-domain.example, my.dns.search.suffix]
    options:
    - name: ndots
      value: "2"
    - name: edns0
---
apiVersion: v1
kind: Pod
metadata: {name: busybox1, labels: {name: busybox}}
spec:
  terminationGracePeriodSeconds: 1
  hostname: busybox-1
  subdomain: busybox-subdomain
  containers:
  - name: busybox
    image: busybox
    command: [sleep, "3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: sysctl-example}
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    sysctls:
    - {name: kernel.shm_rmid_forced, value: "1"}
    - {name: net.ipv4.ip_local_port_range, value: "32768 60999"}
    - {name: net.ipv4.ping_group_range, value: "0 2147483647"}
  containers:
  - name: c
    image: busybox
    command: [sleep, "3600"]
YAML
)
ok k apply -n "$NS" -f "$f"
wait_for 60 "Succeeded" jp "pod hostaliases-pod -n $NS" '{.status.phase}'
ip=$(jp "pod hostaliases-pod -n $NS" '{.status.podIP}')
ok k logs hostaliases-pod -n "$NS"
expect_eq "$LAST_OUT" "# Kubernetes-managed hosts file."$'\n'"127.0.0.1	localhost"$'\n'"::1	localhost ip6-localhost ip6-loopback"$'\n'"fe00::0	ip6-localnet"$'\n'"fe00::0	ip6-mcastprefix"$'\n'"fe00::1	ip6-allnodes"$'\n'"fe00::2	ip6-allrouters"$'\n'"$ip	hostaliases-pod"$'\n\n'"# Entries added by HostAliases."$'\n'"127.0.0.1	foo.local	bar.local"$'\n'"10.1.2.3	foo.remote	bar.remote"

ok k wait --for=condition=Ready pod/dns-example pod/busybox1 pod/sysctl-example -n "$NS" --timeout=60s
ok k exec -it dns-example -n "$NS" -- cat /etc/resolv.conf
expect_eq "$(tr -d '\r' <<<"$LAST_OUT")" $'search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 192.0.2.1\noptions ndots:2 edns0'

ok k exec busybox1 -n "$NS" -- hostname
expect_eq "$LAST_OUT" "busybox-1"
ok k exec busybox1 -n "$NS" -- cat /etc/hosts
expect_match "$LAST_OUT" "$(jp "pod busybox1 -n $NS" '{.status.podIP}')	busybox-1\\.busybox-subdomain\\.$NS\\.svc\\.cluster\\.local	busybox-1"

ok k exec sysctl-example -n "$NS" -- sh -c 'cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ip_local_port_range /proc/sys/net/ipv4/ping_group_range'
expect_eq "$(tr -s ' \t' '  ' <<<"$LAST_OUT")" $'1\n32768 60999\n0 2147483647'
