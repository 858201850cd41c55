/**
 * The Corefile kubeadm writes into `kube-system/coredns` for Kubernetes 1.3x with the default
 * cluster domain and upstream resolver. Used as the base when a user supplies no Corefile.
 * Note kubeadm's own layout: plugins indented by 4 spaces, plugin options by 3 more.
 */
export const KUBEADM_DEFAULT_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;
