// Command envtest-start times controller-runtime's envtest start (kube-apiserver and etcd as processes, the
// binaries built from k8s.io/kubernetes v1.33.4 and etcd v3.5.21 by scripts/oracle/envtest-start.mjs) against
// fake-apiserver's Environment (go/fakeapiserver, envtest's shape), taking turns in one run. It prints one JSON
// object: the start and stop times of each, every round, in milliseconds.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"fake-apiserver/go/fakeapiserver"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

type round struct {
	EnvtestStartMs float64 `json:"envtestStartMs"`
	EnvtestStopMs  float64 `json:"envtestStopMs"`
	FakeStartMs    float64 `json:"fakeStartMs"`
	FakeStopMs     float64 `json:"fakeStopMs"`
}

func main() {
	assets := flag.String("assets", "", "directory holding kube-apiserver and etcd")
	rounds := flag.Int("rounds", 5, "rounds, each starting and stopping both")
	flag.Parse()
	log.SetLogger(logr.Discard())
	var out []round
	for i := 0; i < *rounds; i++ {
		var r round
		var err error
		if r.EnvtestStartMs, r.EnvtestStopMs, err = timeEnvtest(*assets); err != nil {
			fail("envtest", err)
		}
		if r.FakeStartMs, r.FakeStopMs, err = timeFake(); err != nil {
			fail("fake-apiserver", err)
		}
		out = append(out, r)
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}

// timeEnvtest starts envtest until its Start returns (kube-apiserver healthy, admin config made) and checks
// that a request is answered, as a suite's first step would.
func timeEnvtest(assets string) (float64, float64, error) {
	env := &envtest.Environment{BinaryAssetsDirectory: assets}
	t0 := time.Now()
	cfg, err := env.Start()
	if err != nil {
		return 0, 0, err
	}
	if err := firstRequest(cfg); err != nil {
		return 0, 0, err
	}
	start := ms(time.Since(t0))
	t1 := time.Now()
	if err := env.Stop(); err != nil {
		return 0, 0, err
	}
	return start, ms(time.Since(t1)), nil
}

func timeFake() (float64, float64, error) {
	env := &fakeapiserver.Environment{}
	t0 := time.Now()
	cfg, err := env.Start()
	if err != nil {
		return 0, 0, err
	}
	if err := firstRequest(cfg); err != nil {
		return 0, 0, err
	}
	start := ms(time.Since(t0))
	t1 := time.Now()
	if err := env.Stop(); err != nil {
		return 0, 0, err
	}
	return start, ms(time.Since(t1)), nil
}

func firstRequest(cfg *rest.Config) error {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	_, err = client.Discovery().ServerVersion()
	return err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
