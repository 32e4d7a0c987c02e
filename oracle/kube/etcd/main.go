// Command etcd is etcd v3.5's own main (go.etcd.io/etcd/server/v3/etcdmain), built at the version
// k8s.io/kubernetes v1.33.4 tests with: the `etcd` binary controller-runtime's envtest starts beside
// kube-apiserver (oracle/envtest).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
