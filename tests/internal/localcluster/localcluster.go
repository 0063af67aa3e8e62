// Package localcluster runs etcd, kube-apiserver and kube-controller-manager on loopback for
// tests, with the API server's OIDC authenticator configured from the same settings.Claims value
// the program sends to EKS. Binaries come from PATH (scripts/tools.sh builds them).
package localcluster

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/headlamp-eks/headlamp-eks/internal/settings"
	"github.com/headlamp-eks/headlamp-eks/tests/internal/testpki"
)

// OIDC says which issuer the API server trusts and how it maps claims.
type OIDC struct {
	IssuerURL string
	ClientID  string
	CAPEM     []byte
	Claims    settings.Claims
}

// Cluster is a running local control plane.
type Cluster struct {
	// Server is the API server URL.
	Server string
	// Kubeconfig is an admin (system:masters) kubeconfig as a YAML/JSON string.
	Kubeconfig string
	// CAPEM is the API server's serving CA.
	CAPEM []byte

	dir   string
	procs []*exec.Cmd
	logs  []*os.File
	admin *http.Client
	anon  *http.Client
}

// Start brings up etcd, kube-apiserver and kube-controller-manager under dir and waits until
// the API server answers. Call Stop to end every process.
func Start(ctx context.Context, dir string, o OIDC) (*Cluster, error) {
	c := &Cluster{dir: dir}
	ok := false
	defer func() {
		if !ok {
			c.Stop()
		}
	}()
	pki, err := newPKI(dir)
	if err != nil {
		return nil, err
	}
	c.CAPEM = pki.caPEM
	if err := os.WriteFile(filepath.Join(dir, "oidc-ca.pem"), o.CAPEM, 0o600); err != nil {
		return nil, err
	}
	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	etcdClient, etcdPeer, apiPort, kcmPort := ports[0], ports[1], ports[2], ports[3]
	c.Server = fmt.Sprintf("https://127.0.0.1:%d", apiPort)

	if err := c.run("etcd",
		"--name=rehearsal", "--data-dir="+filepath.Join(dir, "etcd"),
		fmt.Sprintf("--listen-client-urls=http://127.0.0.1:%d", etcdClient),
		fmt.Sprintf("--advertise-client-urls=http://127.0.0.1:%d", etcdClient),
		fmt.Sprintf("--listen-peer-urls=http://127.0.0.1:%d", etcdPeer),
		fmt.Sprintf("--initial-advertise-peer-urls=http://127.0.0.1:%d", etcdPeer),
		fmt.Sprintf("--initial-cluster=rehearsal=http://127.0.0.1:%d", etcdPeer),
		"--log-level=warn",
	); err != nil {
		return nil, err
	}

	args := []string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdClient),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--tls-cert-file=" + pki.file("apiserver.crt"), "--tls-private-key-file=" + pki.file("apiserver.key"),
		"--client-ca-file=" + pki.file("ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + pki.file("sa.pub"),
		"--service-account-signing-key-file=" + pki.file("sa.key"),
		"--service-cluster-ip-range=10.96.0.0/24",
		"--authorization-mode=RBAC",
		// No kubelets or load balancer on loopback: nothing to reconcile the endpoints with.
		"--endpoint-reconciler-type=none",
		"--oidc-ca-file=" + filepath.Join(dir, "oidc-ca.pem"),
	}
	// The same Claims value OidcAssociation sends to EKS: not a second copy of the mapping.
	args = append(args, o.Claims.APIServerFlags(o.IssuerURL, o.ClientID)...)
	if err := c.run("kube-apiserver", args...); err != nil {
		return nil, err
	}

	c.Kubeconfig = pki.kubeconfig(c.Server)
	kc := filepath.Join(dir, "admin.kubeconfig")
	if err := os.WriteFile(kc, []byte(c.Kubeconfig), 0o600); err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pki.caPEM)
	c.admin = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pki.admin.TLS}}}}
	c.anon = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	if err := c.waitReady(ctx); err != nil {
		return nil, err
	}

	// The garbage collector and namespace controller make deletes finish (pulumi-kubernetes
	// deletes with foreground propagation); clusterrole-aggregation fills the view, edit and
	// admin roles, as on EKS.
	if err := c.run("kube-controller-manager",
		"--kubeconfig="+kc, "--authentication-kubeconfig="+kc, "--authorization-kubeconfig="+kc,
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", kcmPort),
		"--leader-elect=false",
		"--controllers=garbagecollector,namespace,serviceaccount,serviceaccount-token,deployment,replicaset,clusterrole-aggregation",
		"--service-account-private-key-file="+pki.file("sa.key"),
		"--root-ca-file="+pki.file("ca.crt"),
		"--use-service-account-credentials=false",
	); err != nil {
		return nil, err
	}
	if err := c.waitAggregated(ctx); err != nil {
		return nil, err
	}
	ok = true
	return c, nil
}

// waitAggregated waits until the controller manager has filled the aggregated "view" role.
func (c *Cluster) waitAggregated(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, body, err := c.Do(ctx, "", http.MethodGet, "/apis/rbac.authorization.k8s.io/v1/clusterroles/view", nil)
		var role struct {
			Rules []json.RawMessage `json:"rules"`
		}
		if err == nil && code == http.StatusOK && json.Unmarshal(body, &role) == nil && len(role.Rules) > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the view ClusterRole was never aggregated (%d %v)\n%s", code, err, c.Logs("kube-controller-manager"))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// run starts a binary from PATH with its output in dir/<name>.log.
func (c *Cluster) run(name string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%s not on PATH (run scripts/tools.sh): %w", name, err)
	}
	log, err := os.Create(filepath.Join(c.dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group, so Stop ends it and anything it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	c.procs = append(c.procs, cmd)
	c.logs = append(c.logs, log)
	return nil
}

// Stop ends every process, newest first, and waits for them.
func (c *Cluster) Stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	for _, l := range c.logs {
		l.Close()
	}
	c.procs, c.logs = nil, nil
}

// Logs returns the tail of a component's log, for failure messages.
func (c *Cluster) Logs(name string) string {
	b, _ := os.ReadFile(filepath.Join(c.dir, name+".log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (c *Cluster) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(90 * time.Second)
	for {
		code, body, err := c.Do(ctx, "", http.MethodGet, "/readyz", nil)
		if err == nil && code == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kube-apiserver not ready (last: %d %s %v)\n%s", code, body, err, c.Logs("kube-apiserver"))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// Do sends a request to the API server: as the admin when token is "", else with the bearer token.
func (c *Cluster) Do(ctx context.Context, token, method, path string, body interface{}) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Server+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	client := c.admin
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		client = c.anon
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// CanI asks the API server, as the token's user, whether it may do verb on resource (in
// namespace, "" for all), the way `kubectl auth can-i` does; resource may name its API group
// as in "deployments.apps".
func (c *Cluster) CanI(ctx context.Context, token, verb, resource, namespace string) (allowed bool, code int, err error) {
	resource, group, _ := strings.Cut(resource, ".")
	review := map[string]interface{}{
		"apiVersion": "authorization.k8s.io/v1",
		"kind":       "SelfSubjectAccessReview",
		"spec": map[string]interface{}{"resourceAttributes": map[string]interface{}{
			"verb": verb, "resource": resource, "group": group, "namespace": namespace,
		}},
	}
	code, body, err := c.Do(ctx, token, http.MethodPost, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review)
	if err != nil || code != http.StatusCreated {
		return false, code, err
	}
	var out struct {
		Status struct {
			Allowed bool `json:"allowed"`
		} `json:"status"`
	}
	err = json.Unmarshal(body, &out)
	return out.Status.Allowed, code, err
}

// WhoAmI returns the user name and groups the API server gives a token (SelfSubjectReview).
func (c *Cluster) WhoAmI(ctx context.Context, token string) (string, []string, int, error) {
	code, body, err := c.Do(ctx, token, http.MethodPost, "/apis/authentication.k8s.io/v1/selfsubjectreviews",
		map[string]interface{}{"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
	if err != nil || code != http.StatusCreated {
		return "", nil, code, err
	}
	var out struct {
		Status struct {
			UserInfo struct {
				Username string   `json:"username"`
				Groups   []string `json:"groups"`
			} `json:"userInfo"`
		} `json:"status"`
	}
	err = json.Unmarshal(body, &out)
	return out.Status.UserInfo.Username, out.Status.UserInfo.Groups, code, err
}

// pki holds the certificates and keys of a local cluster.
type pki struct {
	dir   string
	caPEM []byte
	admin *testpki.Leaf
}

func (p *pki) file(name string) string { return filepath.Join(p.dir, "pki", name) }

func newPKI(dir string) (*pki, error) {
	p := &pki{dir: dir}
	if err := os.MkdirAll(filepath.Join(dir, "pki"), 0o700); err != nil {
		return nil, err
	}
	ca, err := testpki.NewCA("rehearsal-ca")
	if err != nil {
		return nil, err
	}
	p.caPEM = ca.PEM
	srv, err := ca.Server("kube-apiserver", []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"}, "10.96.0.1")
	if err != nil {
		return nil, err
	}
	if p.admin, err = ca.Client("rehearsal-admin", "system:masters"); err != nil {
		return nil, err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return nil, err
	}
	for name, b := range map[string][]byte{
		"ca.crt": ca.PEM, "apiserver.crt": srv.CertPEM, "apiserver.key": srv.KeyPEM,
		"sa.key": testpki.PEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)), "sa.pub": testpki.PEM("PUBLIC KEY", saPub),
	} {
		if err := os.WriteFile(p.file(name), b, 0o600); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// kubeconfig is an admin kubeconfig with the certificates inline, as the Pulumi provider takes it.
func (p *pki) kubeconfig(server string) string {
	cfg := map[string]interface{}{
		"apiVersion": "v1", "kind": "Config", "current-context": "rehearsal",
		"clusters": []interface{}{map[string]interface{}{"name": "rehearsal", "cluster": map[string]interface{}{
			"server": server, "certificate-authority-data": p.caPEM}}},
		"users": []interface{}{map[string]interface{}{"name": "admin", "user": map[string]interface{}{
			"client-certificate-data": p.admin.CertPEM, "client-key-data": p.admin.KeyPEM}}},
		"contexts": []interface{}{map[string]interface{}{"name": "rehearsal", "context": map[string]interface{}{
			"cluster": "rehearsal", "user": "admin"}}},
	}
	// []byte fields marshal as base64, which is what the *-data keys hold.
	b, _ := json.Marshal(cfg)
	return string(b)
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
