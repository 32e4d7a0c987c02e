// Command kube starts the real kube-apiserver (k8s.io/kubernetes, the release pinned in go.mod) on loopback,
// backed by an embedded etcd in a temporary directory, configured as a cluster is: RBAC authorization,
// service-account tokens signed by a key of its own, the default admission plugins. It is the oracle of the
// differential harness (scripts/oracle/): once /readyz answers it prints one JSON line on stdout
// ({"url","token","caFile","dir"}) and serves until SIGTERM or SIGINT, then removes its directory.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
	kcm "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

// adminToken is the bearer token of the user "admin" in system:masters (a static token file, as kubeadm's
// bootstrap admin is a client certificate in the same group).
const adminToken = "oracle-admin-token"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "controller-manager" {
		// The child process: kube-controller-manager in a process of its own, as on a cluster (two
		// components in one process would share the global feature gates, metrics and flag registries).
		cmd := kcm.NewControllerManagerCommand()
		cmd.SetArgs(os.Args[2:])
		if err := cmd.Execute(); err != nil {
			os.Exit(1)
		}
		return
	}
	port := flag.Int("port", 0, "secure port of kube-apiserver (0: a free one)")
	issuer := flag.String("issuer", "https://kubernetes.default.svc.cluster.local", "service-account issuer")
	verbose := flag.Bool("v", false, "keep kube-apiserver's and etcd's logs on stderr")
	flag.Parse()
	if err := run(*port, *issuer, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
}

func run(port int, issuer string, verbose bool) error {
	dir, err := os.MkdirTemp("", "oracle-kube-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	etcdURL, stopEtcd, err := startEtcd(filepath.Join(dir, "etcd"), verbose)
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer stopEtcd()

	keyFile := filepath.Join(dir, "sa.key")
	if err := writeServiceAccountKey(keyFile); err != nil {
		return err
	}
	tokenFile := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(adminToken+",admin,admin-uid,system:masters\n"), 0o600); err != nil {
		return err
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return err
		}
	}
	certDir := filepath.Join(dir, "certs")
	args := []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + certDir,
		"--service-account-issuer=" + issuer,
		"--service-account-key-file=" + keyFile,
		"--service-account-signing-key-file=" + keyFile,
		"--api-audiences=" + issuer,
		"--authorization-mode=Node,RBAC",
		"--token-auth-file=" + tokenFile,
		"--service-cluster-ip-range=10.96.0.0/12",
		"--allow-privileged=true",
	}
	if !verbose {
		args = append(args, "-v=0", "--logging-format=text")
		devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err == nil {
			os.Stderr = devNull
		}
	}
	stderr := os.Stderr
	// client-go's user agent, and so the field manager of what a component writes, is its program's name:
	// kube-apiserver's writes must say kube-apiserver, not this program's name.
	os.Args[0] = "kube-apiserver"
	cmd := app.NewAPIServerCommand()
	cmd.SetArgs(args)
	done := make(chan error, 1)
	go func() { done <- cmd.Execute() }()

	url := "https://127.0.0.1:" + strconv.Itoa(port)
	caFile := filepath.Join(certDir, "apiserver.crt")
	if err := waitReady(url, done); err != nil {
		fmt.Fprintln(stderr, "oracle: not ready:", err)
		return err
	}
	stopKCM, err := startControllerManager(dir, url, caFile, keyFile, verbose, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "oracle: kube-controller-manager:", err)
		return err
	}
	defer stopKCM()
	if err := waitServiceAccount(url, "default", "default"); err != nil {
		fmt.Fprintln(stderr, "oracle: kube-controller-manager not working:", err)
		return err
	}
	line, _ := json.Marshal(map[string]string{"url": url, "token": adminToken, "caFile": caFile, "dir": dir})
	fmt.Println(string(line))
	// kube-apiserver's own graceful shutdown waits on its clients' long requests; an oracle has nothing to
	// drain, so a signal gives it 5 s and then ends the run (the deferred steps remove etcd and the directory).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-done:
		return err
	case <-sigs:
		stopKCM()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		return nil
	}
}

// startControllerManager runs this program again as kube-controller-manager (every controller on by default,
// no leader election, no serving port), with an admin kubeconfig, the service-account key for the legacy
// token controller and the CA for kube-root-ca.crt.
func startControllerManager(dir, url, caFile, keyFile string, verbose bool, stderr *os.File) (func(), error) {
	kubeconfig := filepath.Join(dir, "kubeconfig")
	text := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: oracle
  cluster: {server: %q, certificate-authority: %q}
users:
- name: admin
  user: {token: %q}
contexts:
- name: oracle
  context: {cluster: oracle, user: admin}
current-context: oracle
`, url, caFile, adminToken)
	if err := os.WriteFile(kubeconfig, []byte(text), 0o600); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "controller-manager",
		"--kubeconfig="+kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--controllers=*",
		"--service-account-private-key-file="+keyFile,
		"--root-ca-file="+caFile,
		"--use-service-account-credentials=true",
		"--cluster-signing-duration=8760h",
	)
	cmd.Args[0] = "kube-controller-manager" // its user agent and field manager, as on a cluster
	if verbose {
		cmd.Stdout, cmd.Stderr = stderr, stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			_, _ = cmd.Process.Wait()
		})
	}, nil
}

// waitServiceAccount waits until the service account exists: the serviceaccount controller makes it in every
// namespace, so its presence says kube-controller-manager is up.
func waitServiceAccount(base, namespace, name string) error {
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/namespaces/"+namespace+"/serviceaccounts/"+name, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("no serviceaccount %s/%s after 120s", namespace, name)
}

// startEtcd starts an embedded single-member etcd on free loopback ports.
func startEtcd(dir string, verbose bool) (string, func(), error) {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.Name = "oracle"
	clientPort, err := freePort()
	if err != nil {
		return "", nil, err
	}
	peerPort, err := freePort()
	if err != nil {
		return "", nil, err
	}
	client := url.URL{Scheme: "http", Host: "127.0.0.1:" + strconv.Itoa(clientPort)}
	peer := url.URL{Scheme: "http", Host: "127.0.0.1:" + strconv.Itoa(peerPort)}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.UnsafeNoFsync = true
	if !verbose {
		cfg.LogLevel = "error"
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return "", nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		e.Close()
		return "", nil, fmt.Errorf("not ready after 60s")
	}
	return client.String(), e.Close, nil
}

func writeServiceAccountKey(path string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	return os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls /readyz as the admin until it answers 200, or the server's command ends.
func waitReady(base string, done chan error) error {
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-done:
			return fmt.Errorf("kube-apiserver exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
