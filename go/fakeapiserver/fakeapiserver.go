// Package fakeapiserver starts fake-apiserver, a fake Kubernetes API server for tests (real TLS, real
// service-account tokens and RBAC), from Go tests: it runs the `fake-apiserver` command (the npm
// package's CLI), waits until it is serving, and hands back a *rest.Config for the service account, as
// rest.InClusterConfig() builds it in a pod, and one for an admin (system:masters), as envtest's.
//
//	func TestLister(t *testing.T) {
//		server := fakeapiserver.Start(t, fakeapiserver.Options{
//			Fixtures:       []string{"testdata/cluster.yaml", "deploy/rbac.yaml"},
//			ServiceAccount: "shop/lister",
//		})
//		client := kubernetes.NewForConfigOrDie(server.Config) // the service account, with its RBAC
//		...
//	}
//
// The server is stopped in t.Cleanup. For a server shared by a package's tests (TestMain, Ginkgo's
// BeforeSuite), use StartServer and Stop, or Environment, which has envtest.Environment's shape.
package fakeapiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Options are the command's options. The zero value starts the package's default cluster with the
// default/default service account.
type Options struct {
	// Fixtures are manifest files or directories (--fixtures, each); none: the package's own cluster.
	Fixtures []string
	// ServiceAccount is NS/NAME, whose token goes into the sa-dir (--service-account; default
	// default/default).
	ServiceAccount string
	// Pod is NS/NAME: write the sa-dir the kubelet writes for that pod instead (--pod).
	Pod string
	// TokenTTL is the sa-dir token's lifetime (--token-ttl; default 3607s, the kubelet's).
	TokenTTL time.Duration
	// FakeClock starts the server with a clock that stands still until moved (--fake-clock), at
	// FakeClockStart if set, else now. Move it with AdvanceClock.
	FakeClock      bool
	FakeClockStart time.Time
	// TokenSigningAlg is RS256 (the default, as kubeadm) or ES256 (its key is made in a millisecond).
	TokenSigningAlg string
	// RBACReportFile: on Stop, the least-privilege RBAC of every service account that made a request
	// is written there (--rbac-report).
	RBACReportFile string
	// AuditLogFile: every request is appended there as kube-apiserver's audit log (--audit-log).
	AuditLogFile string
	// Args are more command-line arguments, passed as they are.
	Args []string

	// Command runs the server: the program and its first arguments, to which the options are added.
	// Default: the FAKE_APISERVER_CLI environment variable (the path of the command, or of its
	// dist/cli/main.js), else node_modules/fake-apiserver/dist/cli/main.js in the working directory
	// or a parent (npm install --save-dev fake-apiserver), else a checkout of fake-apiserver itself
	// above the working directory (built with npm run build), else fake-apiserver on PATH.
	Command []string
	// Dir receives the sa-dir and the kubeconfig; default: a new temporary directory (t.TempDir() in
	// Start), removed by Stop.
	Dir string
	// StartTimeout bounds the wait for the server to be ready (default 60s).
	StartTimeout time.Duration
	// Stderr, if set, receives the server's stderr as it comes; it is kept in Server.Stderr() anyway.
	Stderr io.Writer
}

// Server is a running fake-apiserver.
type Server struct {
	// Config is what rest.InClusterConfig() builds in a pod running as the service account: the
	// sa-dir's token (re-read from TokenFile, so a rotated token is picked up) and its CA.
	Config *rest.Config
	// AdminConfig is a system:masters client (the kubeconfig's client certificate): for setting up and
	// inspecting state, and what envtest hands out.
	AdminConfig *rest.Config

	Host, Port string // what the command exported as KUBERNETES_SERVICE_HOST and _PORT
	URL        string // https://HOST:PORT
	ControlURL string // URL + /fake-apiserver/v1, the control API (admin only)

	// The service account's directory, in the kubelet's layout (token, ca.crt, namespace).
	SADir, TokenFile, CAFile, NamespaceFile string
	// Namespace is the sa-dir's namespace, what an in-cluster program reads from NamespaceFile.
	Namespace string
	// KubeconfigPath is the admin kubeconfig, for kubectl --kubeconfig.
	KubeconfigPath string

	cmd      *exec.Cmd
	stderr   *lockedBuffer
	exited   chan struct{}
	waitErr  error
	tempDir  string
	stopOnce sync.Once
	stopErr  error
}

// Start starts a server for one test and stops it in t.Cleanup; on failure the test fails at once. When
// the test has failed, the server's stderr is logged at cleanup.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	server, err := StartServer(opts)
	if err != nil {
		t.Fatalf("fakeapiserver: %v", err)
	}
	t.Cleanup(func() {
		if err := server.Stop(); err != nil {
			t.Errorf("fakeapiserver: %v", err)
		}
		if t.Failed() {
			t.Logf("fake-apiserver's stderr:\n%s", server.Stderr())
		}
	})
	return server
}

// StartServer starts a server, for TestMain or a suite; Stop it when done.
func StartServer(opts Options) (*Server, error) {
	command, err := resolveCommand(opts.Command)
	if err != nil {
		return nil, err
	}
	server := &Server{stderr: &lockedBuffer{}, exited: make(chan struct{})}
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "fakeapiserver-"); err != nil {
			return nil, err
		}
		server.tempDir = dir
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	server.SADir = filepath.Join(dir, "serviceaccount")
	server.TokenFile = filepath.Join(server.SADir, "token")
	server.CAFile = filepath.Join(server.SADir, "ca.crt")
	server.NamespaceFile = filepath.Join(server.SADir, "namespace")
	server.KubeconfigPath = filepath.Join(dir, "kubeconfig")

	args := append(command[1:len(command):len(command)], "--port", "0",
		"--sa-dir", server.SADir, "--kubeconfig", server.KubeconfigPath)
	args = append(args, opts.arguments()...)
	server.cmd = exec.Command(command[0], args...)
	server.cmd.Env = append(os.Environ(), "NO_COLOR=1")
	server.cmd.Stdin = nil
	if opts.Stderr != nil {
		server.cmd.Stderr = io.MultiWriter(server.stderr, opts.Stderr)
	} else {
		server.cmd.Stderr = server.stderr
	}
	exports := &exportWriter{ready: make(chan struct{})}
	server.cmd.Stdout = exports
	if err := server.cmd.Start(); err != nil {
		server.removeTempDir()
		return nil, fmt.Errorf("starting %s: %w", strings.Join(command, " "), err)
	}
	go func() {
		server.waitErr = server.cmd.Wait()
		close(server.exited)
	}()

	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	select {
	case <-exports.ready:
		server.Host, server.Port = exports.values["KUBERNETES_SERVICE_HOST"], exports.values["KUBERNETES_SERVICE_PORT"]
	case <-server.exited:
		server.removeTempDir()
		return nil, fmt.Errorf("%s exited before serving (%v):\n%s", strings.Join(command, " "),
			server.waitErr, server.Stderr())
	case <-time.After(timeout):
		_ = server.Stop()
		return nil, fmt.Errorf("%s was not serving after %s:\n%s", strings.Join(command, " "), timeout,
			server.Stderr())
	}

	server.URL = "https://" + net.JoinHostPort(server.Host, server.Port)
	server.ControlURL = server.URL + "/fake-apiserver/v1"
	if server.Config, err = InClusterConfig(server.SADir, server.Host, server.Port); err == nil {
		server.AdminConfig, err = clientcmd.BuildConfigFromFlags("", server.KubeconfigPath)
	}
	if err == nil {
		var namespace []byte
		namespace, err = os.ReadFile(server.NamespaceFile)
		server.Namespace = string(namespace)
	}
	if err != nil {
		_ = server.Stop()
		return nil, err
	}
	return server, nil
}

func (opts Options) arguments() []string {
	var args []string
	for _, fixture := range opts.Fixtures {
		args = append(args, "--fixtures", fixture)
	}
	if opts.ServiceAccount != "" {
		args = append(args, "--service-account", opts.ServiceAccount)
	}
	if opts.Pod != "" {
		args = append(args, "--pod", opts.Pod)
	}
	if opts.TokenTTL != 0 {
		args = append(args, "--token-ttl", opts.TokenTTL.String())
	}
	if opts.FakeClock {
		args = append(args, "--fake-clock")
		if !opts.FakeClockStart.IsZero() {
			args = append(args, opts.FakeClockStart.UTC().Format(time.RFC3339))
		}
	}
	if opts.TokenSigningAlg != "" {
		args = append(args, "--token-signing-alg", opts.TokenSigningAlg)
	}
	if opts.RBACReportFile != "" {
		args = append(args, "--rbac-report", opts.RBACReportFile)
	}
	if opts.AuditLogFile != "" {
		args = append(args, "--audit-log", opts.AuditLogFile)
	}
	return append(args, opts.Args...)
}

// resolveCommand finds the fake-apiserver command (see Options.Command).
func resolveCommand(command []string) ([]string, error) {
	if len(command) > 0 {
		return command, nil
	}
	if cli := os.Getenv("FAKE_APISERVER_CLI"); cli != "" {
		return commandFor(cli), nil
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			installed := filepath.Join(dir, "node_modules", "fake-apiserver", "dist", "cli", "main.js")
			if isFile(installed) {
				return commandFor(installed), nil
			}
			if isCheckout(dir) {
				cli := filepath.Join(dir, "dist", "cli", "main.js")
				if !isFile(cli) {
					return nil, fmt.Errorf("%s is a fake-apiserver checkout without dist/: run npm run build there", dir)
				}
				return commandFor(cli), nil
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if path, err := exec.LookPath("fake-apiserver"); err == nil {
		return []string{path}, nil
	}
	return nil, errors.New("the fake-apiserver command was not found: npm install --save-dev fake-apiserver " +
		"in this project (or a parent directory), set FAKE_APISERVER_CLI, or set Options.Command")
}

func commandFor(cli string) []string {
	if strings.HasSuffix(cli, ".js") || strings.HasSuffix(cli, ".mjs") {
		return []string{"node", cli}
	}
	return []string{cli}
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// isCheckout tells whether dir holds fake-apiserver's own package.json (this repository).
func isCheckout(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return false
	}
	var pkg struct {
		Name string `json:"name"`
	}
	return json.Unmarshal(data, &pkg) == nil && pkg.Name == "fake-apiserver"
}

// InClusterConfig builds what rest.InClusterConfig() builds in a pod, from a serviceaccount directory
// anywhere and the server's host and port (in a pod: KUBERNETES_SERVICE_HOST and _PORT). The token is
// read now and re-read from its file (client-go does every minute), so a rotated token is picked up.
func InClusterConfig(saDir, host, port string) (*rest.Config, error) {
	tokenFile := filepath.Join(saDir, "token")
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(saDir, "ca.crt")
	if _, err := os.Stat(caFile); err != nil {
		return nil, err
	}
	return &rest.Config{
		Host:            "https://" + net.JoinHostPort(host, port),
		TLSClientConfig: rest.TLSClientConfig{CAFile: caFile},
		BearerToken:     string(token),
		BearerTokenFile: tokenFile,
	}, nil
}

// Env is the server's address as the kubelet gives it to a pod, to add to a program's environment.
func (s *Server) Env() []string {
	return []string{"KUBERNETES_SERVICE_HOST=" + s.Host, "KUBERNETES_SERVICE_PORT=" + s.Port}
}

// Stderr is what the server has written on its stderr so far.
func (s *Server) Stderr() string {
	return s.stderr.String()
}

// Stop ends the server as SIGTERM does (watches end, in-flight requests complete, an --rbac-report is
// written), waits for it to exit, and removes the directory StartServer created. It is idempotent.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		defer s.removeTempDir()
		select {
		case <-s.exited:
			s.stopErr = fmt.Errorf("fake-apiserver had exited (%v):\n%s", s.waitErr, s.Stderr())
			return
		default:
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
			if s.waitErr != nil {
				s.stopErr = fmt.Errorf("fake-apiserver exited with %v:\n%s", s.waitErr, s.Stderr())
			}
		case <-time.After(15 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
			s.stopErr = fmt.Errorf("fake-apiserver did not stop within 15s of SIGTERM: killed")
		}
	})
	return s.stopErr
}

func (s *Server) removeTempDir() {
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
	}
}

// Control sends a request to the control API as the admin: path is below /fake-apiserver/v1 (reset,
// snapshots, clock, mounts, faults, requests), body is marshalled to JSON (nil: none), and the answer is
// decoded into out (nil: discarded). A status other than 2xx is an error with the answer's body.
func (s *Server) Control(ctx context.Context, method, path string, body, out any) error {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(data)
	}
	client, err := rest.HTTPClientFor(s.AdminConfig)
	if err != nil {
		return err
	}
	request, err := http.NewRequestWithContext(ctx, method, s.ControlURL+"/"+strings.TrimPrefix(path, "/"), reader)
	if err != nil {
		return err
	}
	request.Header.Set("Content-Type", "application/json")
	response, err := client.Do(request)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		return err
	}
	if response.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, response.Status, strings.TrimSpace(string(data)))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// Reset returns the cluster to its state after start-up; open watches see it as ordinary changes.
func (s *Server) Reset(ctx context.Context) error {
	return s.Control(ctx, http.MethodPost, "reset", struct{}{}, nil)
}

// Snapshot saves the cluster's state under a name, for Restore.
func (s *Server) Snapshot(ctx context.Context, name string) error {
	return s.Control(ctx, http.MethodPost, "snapshots", map[string]string{"name": name}, nil)
}

// Restore returns the cluster to a named snapshot.
func (s *Server) Restore(ctx context.Context, name string) error {
	return s.Control(ctx, http.MethodPost, "snapshots/"+name+"/restore", struct{}{}, nil)
}

// AdvanceClock moves a fake clock (Options.FakeClock) forward, and returns the new time once every
// sa-dir due for a new token has it.
func (s *Server) AdvanceClock(ctx context.Context, by time.Duration) (time.Time, error) {
	var answer struct {
		Now time.Time `json:"now"`
	}
	err := s.Control(ctx, http.MethodPost, "clock", map[string]string{"advance": by.String()}, &answer)
	return answer.Now, err
}

// Mount is a serviceaccount directory written by MountServiceAccount.
type Mount struct {
	Dir            string    `json:"dir"`
	TokenFile      string    `json:"tokenFile"`
	CAFile         string    `json:"caFile"`
	NamespaceFile  string    `json:"namespaceFile"`
	ServiceAccount string    `json:"serviceAccount"`
	Pod            string    `json:"pod,omitempty"`
	ExpiresAt      time.Time `json:"expiresAt"`
	RefreshAt      time.Time `json:"refreshAt"`
	// Config is what rest.InClusterConfig() builds from it.
	Config *rest.Config `json:"-"`
}

// MountServiceAccount writes one more sa-dir, at dir (an absolute path), for a service account
// ("NS/NAME"), and keeps its token fresh as the kubelet does: a second identity in the same cluster.
func (s *Server) MountServiceAccount(ctx context.Context, dir, serviceAccount string) (*Mount, error) {
	var mount Mount
	body := map[string]string{"dir": dir, "serviceAccount": serviceAccount}
	if err := s.Control(ctx, http.MethodPost, "mounts", body, &mount); err != nil {
		return nil, err
	}
	config, err := InClusterConfig(mount.Dir, s.Host, s.Port)
	mount.Config = config
	return &mount, err
}

// ConfigFor mounts a service account ("NS/NAME") in a new directory of the test's and returns its
// in-cluster config.
func (s *Server) ConfigFor(t testing.TB, serviceAccount string) *rest.Config {
	t.Helper()
	mount, err := s.MountServiceAccount(context.Background(), filepath.Join(t.TempDir(), "serviceaccount"), serviceAccount)
	if err != nil {
		t.Fatalf("fakeapiserver: mounting %s: %v", serviceAccount, err)
	}
	return mount.Config
}

// exportWriter reads the command's stdout: its two export lines, then nothing more.
type exportWriter struct {
	pending []byte
	values  map[string]string
	ready   chan struct{}
}

func (w *exportWriter) Write(p []byte) (int, error) {
	if w.values == nil {
		w.values = map[string]string{}
	}
	if len(w.values) == 2 {
		return len(p), nil
	}
	w.pending = append(w.pending, p...)
	for len(w.values) < 2 {
		line, rest, found := bytes.Cut(w.pending, []byte("\n"))
		if !found {
			break
		}
		w.pending = rest
		name, value, ok := strings.Cut(strings.TrimPrefix(string(line), "export "), "=")
		if ok && strings.HasPrefix(name, "KUBERNETES_SERVICE_") {
			w.values[name] = value
		}
		if len(w.values) == 2 {
			close(w.ready)
		}
	}
	return len(p), nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
