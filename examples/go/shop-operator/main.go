// An in-cluster operator built with controller-runtime: a manager, elected leader on a Lease, whose
// reconciler keeps a ConfigMap for each shop.example.com/v1 Storefront of its namespace, owned by it.
// Its Role (namespace only, as the manager's cache is): storefronts get, list, watch;
// storefronts/status update; configmaps get, list, watch, create, update; leases get, create, update;
// events create, patch.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"fake-apiserver/examples/go/internal/incluster"
)

func main() {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr)))
	config, namespace, err := incluster.Config()
	if err == nil {
		err = run(ctrl.SetupSignalHandler(), config, namespace, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run runs the manager until ctx is done.
func run(ctx context.Context, config *rest.Config, namespace string, out io.Writer) error {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := SchemeBuilder.AddToScheme(scheme); err != nil {
		return err
	}
	leaseDuration, renewDeadline, retryPeriod := 15*time.Second, 10*time.Second, 2*time.Second
	manager, err := ctrl.NewManager(config, ctrl.Options{
		Scheme: scheme,
		// Only its own namespace: a Role, not a ClusterRole, is enough.
		Cache:                         cache.Options{DefaultNamespaces: map[string]cache.Config{namespace: {}}},
		Metrics:                       metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:        "0",
		LeaderElection:                true,
		LeaderElectionID:              "shop-operator",
		LeaderElectionNamespace:       namespace,
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 &leaseDuration,
		RenewDeadline:                 &renewDeadline,
		RetryPeriod:                   &retryPeriod,
	})
	if err != nil {
		return err
	}
	reconciler := &StorefrontReconciler{Client: manager.GetClient(), Scheme: scheme, Out: out}
	if err := reconciler.SetupWithManager(manager); err != nil {
		return err
	}
	go func() {
		<-manager.Elected()
		fmt.Fprintln(out, "elected leader")
	}()
	fmt.Fprintln(out, "starting in namespace", namespace)
	return manager.Start(ctx)
}
