// An in-cluster program: a shared informer on the pods of its namespace (client-go's
// SharedInformerFactory), printing each add, update and delete, and the lister's count once the cache
// has synced. Its Role: pods list, watch.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"fake-apiserver/examples/go/internal/incluster"
)

func main() {
	config, namespace, err := incluster.Config()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	client := kubernetes.NewForConfigOrDie(config)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	factory := informers.NewSharedInformerFactoryWithOptions(client, 10*time.Minute, informers.WithNamespace(namespace))
	pods := factory.Core().V1().Pods()
	_, err = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			pod := obj.(*corev1.Pod)
			fmt.Printf("ADDED\t%s\t%s\n", pod.Name, pod.Status.Phase)
		},
		UpdateFunc: func(old, obj any) {
			before, pod := old.(*corev1.Pod), obj.(*corev1.Pod)
			if before.ResourceVersion != pod.ResourceVersion { // not a resync
				fmt.Printf("MODIFIED\t%s\t%s\n", pod.Name, pod.Status.Phase)
			}
		},
		DeleteFunc: func(obj any) {
			if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tombstone.Obj
			}
			fmt.Printf("DELETED\t%s\n", obj.(*corev1.Pod).Name)
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Without list or watch, the reflector logs the 403 (with the server's message) and retries: a
	// real program would never sync. SYNC_TIMEOUT makes it give up.
	syncCtx, cancel := context.WithTimeout(ctx, durationFrom("SYNC_TIMEOUT", time.Hour))
	defer cancel()
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(syncCtx.Done(), pods.Informer().HasSynced) {
		fmt.Fprintln(os.Stderr, "the pod cache did not sync")
		os.Exit(1)
	}
	cached, _ := pods.Lister().Pods(namespace).List(labels.Everything())
	fmt.Printf("synced: %d pods\n", len(cached))
	<-ctx.Done()
	factory.Shutdown()
}

func durationFrom(name string, otherwise time.Duration) time.Duration {
	if value, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return value
	}
	return otherwise
}
