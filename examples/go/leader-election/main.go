// An in-cluster program: it lists the pods of its namespace, then runs for leadership on a Lease with
// client-go's leaderelection and resourcelock.LeaseLock. Its Role: pods list; leases get, create, update.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// configFrom builds what rest.InClusterConfig() builds, from a serviceaccount directory anywhere
// (in a pod, SA_DIR is unset and rest.InClusterConfig() reads /var/run/secrets/kubernetes.io/serviceaccount).
func configFrom(saDir string) (*rest.Config, string, error) {
	if saDir == "" {
		saDir = "/var/run/secrets/kubernetes.io/serviceaccount"
	}
	namespace, err := os.ReadFile(filepath.Join(saDir, "namespace"))
	if err != nil {
		return nil, "", err
	}
	if saDir == "/var/run/secrets/kubernetes.io/serviceaccount" {
		config, err := rest.InClusterConfig()
		return config, string(namespace), err
	}
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	return &rest.Config{
		Host:            "https://" + net.JoinHostPort(host, port),
		BearerTokenFile: filepath.Join(saDir, "token"), // re-read every minute, so a rotated token is picked up
		TLSClientConfig: rest.TLSClientConfig{CAFile: filepath.Join(saDir, "ca.crt")},
	}, string(namespace), nil
}

// seconds reads a duration in seconds from the environment.
func seconds(name string, otherwise time.Duration) time.Duration {
	if value, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return time.Duration(value * float64(time.Second))
	}
	return otherwise
}

func main() {
	config, namespace, err := configFrom(os.Getenv("SA_DIR"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	client := kubernetes.NewForConfigOrDie(config)

	pods, err := client.CoreV1().Pods(namespace).List(context.TODO(), metav1.ListOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // apierrors.IsForbidden(err) without RBAC, with kube-apiserver's message
		os.Exit(1)
	}
	for _, pod := range pods.Items {
		fmt.Printf("%s\t%s\n", pod.Name, pod.Status.Phase)
	}

	id := os.Getenv("IDENTITY") // in a pod: its name, from the downward API
	if id == "" {
		id, _ = os.Hostname()
	}
	// SIGTERM (a pod being deleted) cancels the context: the leader releases the lease on its way out.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	leadFor := seconds("LEAD_SECONDS", 0) // > 0: exit while leading, without releasing, as a crash would

	fmt.Println(id, "is a candidate")
	leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
		Lock: &resourcelock.LeaseLock{
			LeaseMeta:  metav1.ObjectMeta{Name: "shop-controller", Namespace: namespace},
			Client:     client.CoordinationV1(),
			LockConfig: resourcelock.ResourceLockConfig{Identity: id},
		},
		LeaseDuration:   seconds("LEASE_DURATION", 15*time.Second),
		RenewDeadline:   seconds("RENEW_DEADLINE", 10*time.Second),
		RetryPeriod:     seconds("RETRY_PERIOD", 2*time.Second),
		ReleaseOnCancel: true,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) {
				fmt.Println(id, "is leading")
				if leadFor > 0 {
					time.Sleep(leadFor)
					fmt.Println(id, "exits while leading")
					os.Exit(0)
				}
				<-ctx.Done() // the controller's work would run here
			},
			OnStoppedLeading: func() { fmt.Println(id, "stopped leading") },
			OnNewLeader:      func(leader string) { fmt.Println("leader:", leader) },
		},
	})
	if ctx.Err() == nil {
		os.Exit(1) // lost the lease without being asked to stop
	}
}
