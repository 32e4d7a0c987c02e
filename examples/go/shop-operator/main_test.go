package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"fake-apiserver/go/fakeapiserver"
)

// The operator's tests run it in-process against fake-apiserver, where envtest would start etcd and
// kube-apiserver: as its service account, with only the Role it ships, not as system:masters.
var fixtures = []string{"../../fixtures/shop.yaml", "../../fixtures/storefront-crd.yaml", "../fixtures/shop-operator-rbac.yaml"}

type lockedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// eventually polls check until it returns nil, or fails the test with its last error.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startOperator starts the server and the operator's manager as shop/go-shop-operator, and returns an
// admin client (the test's, for setting up and checking).
func startOperator(t *testing.T) (client.Client, *lockedWriter, <-chan error) {
	server := fakeapiserver.Start(t, fakeapiserver.Options{Fixtures: fixtures, ServiceAccount: "shop/go-shop-operator"})
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := SchemeBuilder.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	admin, err := client.New(server.AdminConfig, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedWriter{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, server.Config, server.Namespace, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the manager: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("the manager did not stop")
		}
	})
	return admin, out, done
}

func TestTheOperatorCreatesOwnsAndRestoresTheConfigMap(t *testing.T) {
	admin, out, _ := startOperator(t)
	ctx := context.Background()

	store := &Storefront{
		ObjectMeta: metav1.ObjectMeta{Name: "main", Namespace: "shop"},
		Spec:       StorefrontSpec{Currency: "EUR", Greeting: "Welcome"},
	}
	if err := admin.Create(ctx, store); err != nil {
		t.Fatal(err)
	}

	key := client.ObjectKey{Namespace: "shop", Name: "main-storefront"}
	var configMap corev1.ConfigMap
	eventually(t, "the ConfigMap", func() error { return admin.Get(ctx, key, &configMap) })
	if configMap.Data["currency"] != "EUR" || configMap.Data["greeting"] != "Welcome" {
		t.Errorf("data = %v", configMap.Data)
	}
	owner := metav1.GetControllerOf(&configMap)
	if owner == nil || owner.Kind != "Storefront" || owner.Name != "main" || owner.UID != store.UID {
		t.Errorf("controller = %+v, want the Storefront %s", owner, store.UID)
	}
	eventually(t, "the status", func() error {
		if err := admin.Get(ctx, client.ObjectKeyFromObject(store), store); err != nil {
			return err
		}
		if store.Status.ConfigMap != "main-storefront" || store.Status.ObservedGeneration != store.Generation {
			return fmt.Errorf("status = %+v at generation %d", store.Status, store.Generation)
		}
		return nil
	})

	// A change to the spec is carried over; a change to the owned ConfigMap is reconciled away.
	store.Spec.Currency = "CHF"
	if err := admin.Update(ctx, store); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new currency", func() error {
		if err := admin.Get(ctx, key, &configMap); err != nil {
			return err
		}
		return expectData(configMap, "CHF")
	})
	configMap.Data["currency"] = "USD"
	if err := admin.Update(ctx, &configMap); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the ConfigMap restored", func() error {
		if err := admin.Get(ctx, key, &configMap); err != nil {
			return err
		}
		return expectData(configMap, "CHF")
	})

	// The manager was elected on a Lease before reconciling.
	var lease coordinationv1.Lease
	if err := admin.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "shop-operator"}, &lease); err != nil {
		t.Fatal(err)
	}
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "" {
		t.Errorf("lease holder = %v", lease.Spec.HolderIdentity)
	}

	// Deleting the Storefront deletes what it owns: the garbage collector follows the ownerReference.
	if err := admin.Delete(ctx, store); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the ConfigMap garbage-collected", func() error {
		err := admin.Get(ctx, key, &configMap)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (%v)", err)
	})

	for _, want := range []string{"elected leader", "configmap shop/main-storefront created", "configmap shop/main-storefront updated"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the operator did not print %q:\n%s", want, out)
		}
	}
}

func TestWithoutItsRoleBindingTheOperatorsClientGetsTheReal403(t *testing.T) {
	server := fakeapiserver.Start(t, fakeapiserver.Options{Fixtures: fixtures, ServiceAccount: "shop/go-shop-operator"})
	ctx := context.Background()
	admin, err := client.New(server.AdminConfig, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "go-shop-operator"}}
	if err := admin.Delete(ctx, binding); err != nil {
		t.Fatal(err)
	}

	scheme := runtime.NewScheme()
	if err := SchemeBuilder.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	operator, err := client.New(server.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	err = operator.List(ctx, &StorefrontList{}, client.InNamespace("shop"))
	want := `storefronts.shop.example.com is forbidden: User "system:serviceaccount:shop:go-shop-operator" cannot list resource "storefronts" in API group "shop.example.com" in the namespace "shop"`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("error = %v\nwant  %s", err, want)
	}
}

func expectData(configMap corev1.ConfigMap, currency string) error {
	if configMap.Data["currency"] != currency {
		return fmt.Errorf("currency = %q, want %q", configMap.Data["currency"], currency)
	}
	return nil
}
