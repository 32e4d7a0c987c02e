package fakeapiserver_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"fake-apiserver/go/fakeapiserver"
)

var cluster = []string{"testdata/cluster.yaml"}

func podNames(t *testing.T, config *rest.Config, namespace string) ([]string, error) {
	t.Helper()
	pods, err := kubernetes.NewForConfigOrDie(config).CoreV1().Pods(namespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, pod := range pods.Items {
		names = append(names, pod.Namespace+"/"+pod.Name)
	}
	return names, nil
}

func TestStartGivesTheServiceAccountsInClusterConfig(t *testing.T) {
	server := fakeapiserver.Start(t, fakeapiserver.Options{Fixtures: cluster, ServiceAccount: "shop/lister"})

	if server.Namespace != "shop" {
		t.Errorf("Namespace = %q, want shop", server.Namespace)
	}
	for _, file := range []string{server.TokenFile, server.CAFile, server.NamespaceFile, server.KubeconfigPath} {
		if _, err := os.Stat(file); err != nil {
			t.Errorf("%v", err)
		}
	}
	if server.Config.Host != server.URL || server.Config.BearerTokenFile != server.TokenFile ||
		server.Config.TLSClientConfig.CAFile != server.CAFile {
		t.Errorf("Config = %+v, not what rest.InClusterConfig() builds", server.Config)
	}

	names, err := podNames(t, server.Config, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"shop/cart", "shop/checkout"}; !reflect.DeepEqual(names, want) {
		t.Errorf("pods = %v, want %v", names, want)
	}

	// Its Role is in shop: the pods of billing are forbidden, with kube-apiserver's words.
	_, err = podNames(t, server.Config, "billing")
	if !apierrors.IsForbidden(err) {
		t.Fatalf("listing billing's pods: %v, want Forbidden", err)
	}
	want := `pods is forbidden: User "system:serviceaccount:shop:lister" cannot list resource "pods" in API group "" in the namespace "billing"`
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}

	// The admin sees every namespace.
	all, err := podNames(t, server.AdminConfig, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("admin sees %v, want the 3 pods", all)
	}
}

func TestAServiceAccountWithoutBindingGetsTheReal403(t *testing.T) {
	server := fakeapiserver.Start(t, fakeapiserver.Options{Fixtures: cluster, ServiceAccount: "shop/nobody"})
	_, err := podNames(t, server.Config, "shop")
	want := `pods is forbidden: User "system:serviceaccount:shop:nobody" cannot list resource "pods" in API group "" in the namespace "shop"`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Fatalf("error = %v\nwant %q", err, want)
	}

	// A second identity, mounted in the same cluster.
	lister := server.ConfigFor(t, "shop/lister")
	if _, err := podNames(t, lister, "shop"); err != nil {
		t.Fatal(err)
	}
}

func TestResetSnapshotAndRestore(t *testing.T) {
	server := fakeapiserver.Start(t, fakeapiserver.Options{Fixtures: cluster, ServiceAccount: "shop/lister", TokenSigningAlg: "ES256"})
	ctx := context.Background()
	configMaps := kubernetes.NewForConfigOrDie(server.AdminConfig).CoreV1().ConfigMaps("shop")
	create := func(name string) {
		t.Helper()
		_, err := configMaps.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	names := func() []string {
		t.Helper()
		list, err := configMaps.List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, item := range list.Items {
			names = append(names, item.Name)
		}
		return names
	}

	create("one")
	if err := server.Snapshot(ctx, "with-one"); err != nil {
		t.Fatal(err)
	}
	create("two")
	if err := server.Restore(ctx, "with-one"); err != nil {
		t.Fatal(err)
	}
	if got, want := names(), []string{"kube-root-ca.crt", "one"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after restore: %v, want %v", got, want)
	}
	if err := server.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := names(), []string{"kube-root-ca.crt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after reset: %v, want %v", got, want)
	}
	if err := server.Restore(ctx, "missing"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("restoring an unknown snapshot: %v, want a 404", err)
	}
}

func TestAFakeClockRotatesTheToken(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	server := fakeapiserver.Start(t, fakeapiserver.Options{
		Fixtures: cluster, ServiceAccount: "shop/lister", FakeClock: true, FakeClockStart: start, TokenTTL: time.Hour,
	})
	first, err := os.ReadFile(server.TokenFile)
	if err != nil {
		t.Fatal(err)
	}
	now, err := server.AdvanceClock(context.Background(), 50*time.Minute) // past 80 % of the hour
	if err != nil {
		t.Fatal(err)
	}
	if !now.Equal(start.Add(50 * time.Minute)) {
		t.Errorf("clock = %v", now)
	}
	second, err := os.ReadFile(server.TokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(first) == string(second) {
		t.Error("the token was not rotated")
	}
	// The config re-reads the file: the client carries on with the new token.
	if _, err := podNames(t, server.Config, "shop"); err != nil {
		t.Fatal(err)
	}
}

func TestEnvironmentHasEnvtestsShape(t *testing.T) {
	env := &fakeapiserver.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("testdata", "crds")},
		ErrorIfCRDPathMissing: true,
		Options:               fakeapiserver.Options{Fixtures: cluster, ServiceAccount: "shop/lister"},
	}
	config, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	}()
	if config != env.Config || env.ServiceAccountConfig == nil {
		t.Fatal("Start did not set Config and ServiceAccountConfig")
	}

	widgets := dynamic.NewForConfigOrDie(config).Resource(schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"})
	list, err := widgets.Namespace("shop").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("the CRD from CRDDirectoryPaths is not served: %v", err)
	}
	if len(list.Items) != 0 {
		t.Errorf("widgets = %v", list.Items)
	}

	// As envtest: only CRDs, in a cluster with a default namespace (the package's own fixtures).
	only := &fakeapiserver.Environment{CRDDirectoryPaths: []string{filepath.Join("testdata", "crds")}}
	onlyConfig, err := only.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer only.Stop()
	if _, err := dynamic.NewForConfigOrDie(onlyConfig).Resource(schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}).Namespace("default").List(context.Background(), metav1.ListOptions{}); err != nil {
		t.Errorf("widgets in default: %v", err)
	}
	if only.Server.Namespace != "default" {
		t.Errorf("namespace = %q", only.Server.Namespace)
	}

	missing := &fakeapiserver.Environment{CRDDirectoryPaths: []string{"testdata/none"}, ErrorIfCRDPathMissing: true}
	if _, err := missing.Start(); err == nil || !strings.Contains(err.Error(), "testdata/none") {
		t.Errorf("a missing CRD path: %v", err)
	}
}

func TestStopWritesTheRBACReport(t *testing.T) {
	report := filepath.Join(t.TempDir(), "rbac.yaml")
	server, err := fakeapiserver.StartServer(fakeapiserver.Options{Fixtures: cluster, ServiceAccount: "shop/nobody", RBACReportFile: report})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = podNames(t, server.Config, "shop") // denied, and recorded
	if err := server.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := server.Stop(); err != nil {
		t.Fatalf("a second Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(server.SADir)); !os.IsNotExist(err) {
		t.Errorf("the temporary directory is still there: %v", err)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: Role\n", "name: nobody\n", "namespace: shop\n", `resources: ["pods"]`, `verbs: ["list"]`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the report lacks %q:\n%s", want, data)
		}
	}
}

func TestARefusedStartIsAnErrorWithTheCommandsMessage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: v1\nkind: Nonsense\nmetadata: {name: x}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	server, err := fakeapiserver.StartServer(fakeapiserver.Options{Fixtures: []string{bad}})
	if err == nil {
		_ = server.Stop()
	}
	want := "bad.yaml, document 1: v1 Nonsense is not a kind fake-apiserver serves"
	if err == nil || !strings.Contains(err.Error(), "exit status 2") || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v", err)
	}
}

func TestStartFailsClearlyWithoutTheCommand(t *testing.T) {
	_, err := fakeapiserver.StartServer(fakeapiserver.Options{Command: []string{filepath.Join(t.TempDir(), "missing")}})
	if err == nil || !strings.Contains(err.Error(), "starting ") {
		t.Fatalf("error = %v", err)
	}
}
