//go:build rehearsal

package rehearsal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/headlamp-eks/headlamp-eks/components"
	"github.com/headlamp-eks/headlamp-eks/internal/settings"
	"github.com/headlamp-eks/headlamp-eks/tests/internal/fakecognito"
	"github.com/headlamp-eks/headlamp-eks/tests/internal/localcluster"
)

const (
	clientID     = "rehearsalclient0123456789"
	clientSecret = "rehearsal-client-secret-4f9a"
)

// repoRoot is the repository, found from this file.
func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// rehearsalSettings is the dev stack's configuration with the chart pointed at the local
// stand-in: the only difference from a real deploy, made through config.
func rehearsalSettings(t *testing.T) settings.Settings {
	in := settings.Defaults()
	in.Project, in.Stack, in.Region = "headlamp-eks", "rehearsal", "us-east-1"
	in.AdminEmails = []string{"alice@example.com"}
	in.ViewerEmails = []string{"victor@example.com"}
	in.UserRoles = []string{"carol@example.com=edit"}
	in.HeadlampChart = filepath.Join(repoRoot(t), "tests", "testdata", "headlamp-chart")
	s, err := settings.Validate(in, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignInChain(t *testing.T) {
	started := time.Now()
	ctx := context.Background()
	s := rehearsalSettings(t)
	dir := t.TempDir()

	issuer, err := fakecognito.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer issuer.Close()

	cluster, err := localcluster.Start(ctx, filepath.Join(dir, "cluster"), localcluster.OIDC{
		IssuerURL: issuer.URL, ClientID: clientID, CAPEM: issuer.CAPEM, Claims: s.Claims,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Stop()
	t.Logf("control plane up after %s", time.Since(started).Round(time.Millisecond))

	stack := newStack(ctx, t, dir, s, cluster.Kubeconfig, issuer.URL)
	var progress bytes.Buffer // Pulumi's progress, shown only when something fails
	up, err := stack.Up(ctx, optup.ProgressStreams(&progress))
	if err != nil {
		t.Fatalf("pulumi up: %v\n%s\nkube-apiserver log:\n%s", err, progress.String(), cluster.Logs("kube-apiserver"))
	}
	t.Logf("pulumi up done after %s", time.Since(started).Round(time.Millisecond))
	secretName, _ := up.Outputs["secretName"].Value.(string)
	namespace, _ := up.Outputs["namespace"].Value.(string)

	tok := func(u fakecognito.User, o fakecognito.TokenOptions) string {
		raw, err := issuer.IDToken(clientID, u, o)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	alice := fakecognito.User{Sub: "sub-alice", Username: "alice", Email: "alice@example.com", EmailVerified: true, Groups: []string{s.AdminGroup}}
	victor := fakecognito.User{Sub: "sub-victor", Username: "victor", Email: "victor@example.com", EmailVerified: true, Groups: []string{s.ViewerGroup}}
	carol := fakecognito.User{Sub: "sub-carol", Username: "carol", Email: "carol@example.com", EmailVerified: true}
	dave := fakecognito.User{Sub: "sub-dave", Username: "dave", Email: "dave@example.com", EmailVerified: true}

	// The authenticator fetches the issuer's keys in the background after start-up.
	waitAuthenticated(ctx, t, cluster, tok(alice, fakecognito.TokenOptions{}))

	t.Run("identities match the RBAC subjects the program computed", func(t *testing.T) {
		subjects, _ := up.Outputs["rbacSubjects"].Value.(map[string]interface{})
		name, groups, _, err := cluster.WhoAmI(ctx, tok(alice, fakecognito.TokenOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		if name != subjects["user:"+alice.Email] || !contains(groups, subjects["group:"+s.AdminGroup]) {
			t.Errorf("API server says %q in %v; program bound %v", name, groups, subjects)
		}
	})

	for _, c := range []struct {
		who                       string
		token                     string
		verb, resource, namespace string
		allowed                   bool
	}{
		{"admin group: anything", tok(alice, fakecognito.TokenOptions{}), "*", "*", "", true},
		{"admin group: delete nodes", tok(alice, fakecognito.TokenOptions{}), "delete", "nodes", "", true},
		{"viewer group: list pods", tok(victor, fakecognito.TokenOptions{}), "list", "pods", "default", true},
		{"viewer group: delete pods", tok(victor, fakecognito.TokenOptions{}), "delete", "pods", "default", false},
		{"viewer group: read secrets", tok(victor, fakecognito.TokenOptions{}), "get", "secrets", namespace, false},
		{"per-user edit binding: create deployments", tok(carol, fakecognito.TokenOptions{}), "create", "deployments.apps", "default", true},
		{"per-user edit binding: not cluster-admin", tok(carol, fakecognito.TokenOptions{}), "create", "clusterrolebindings.rbac.authorization.k8s.io", "", false},
		{"no group, no binding: list pods", tok(dave, fakecognito.TokenOptions{}), "list", "pods", "default", false},
	} {
		t.Run(c.who, func(t *testing.T) {
			allowed, code, err := cluster.CanI(ctx, c.token, c.verb, c.resource, c.namespace)
			if err != nil || code != http.StatusCreated {
				t.Fatalf("access review: %d %v", code, err)
			}
			if allowed != c.allowed {
				t.Errorf("can-i %s %s: %v, want %v", c.verb, c.resource, allowed, c.allowed)
			}
		})
	}
	t.Run("no group, no binding: authenticated but forbidden", func(t *testing.T) {
		code, body, err := cluster.Do(ctx, tok(dave, fakecognito.TokenOptions{}), http.MethodGet, "/api/v1/namespaces/default/pods", nil)
		if err != nil || code != http.StatusForbidden {
			t.Errorf("got %d %s %v, want 403", code, body, err)
		}
	})

	access, _ := issuer.AccessToken(clientID, alice, "openid profile email", fakecognito.TokenOptions{})
	otherClient, _ := issuer.IDToken("some-other-client", alice, fakecognito.TokenOptions{})
	unverified := alice
	unverified.EmailVerified = false
	for _, c := range []struct{ why, token string }{
		{"access token (no aud; FIELD-REPORTS F1)", access},
		{"expired ID token", tok(alice, fakecognito.TokenOptions{ExpiresIn: -time.Minute})},
		{"ID token for another client id (F2)", otherClient},
		{"token from another issuer (F3)", tok(alice, fakecognito.TokenOptions{Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"})},
		{"email_verified false (F17)", tok(unverified, fakecognito.TokenOptions{})},
		{"bad signature", tok(alice, fakecognito.TokenOptions{ForgeSignature: true})},
	} {
		t.Run("401: "+c.why, func(t *testing.T) {
			code, body, err := cluster.Do(ctx, c.token, http.MethodGet, "/api/v1/namespaces", nil)
			if err != nil || code != http.StatusUnauthorized {
				t.Errorf("got %d %s %v, want 401", code, body, err)
			}
		})
	}

	t.Run("Headlamp's Secret and objects carry what the program computed", func(t *testing.T) {
		var secret struct {
			Data map[string]string `json:"data"`
		}
		getJSON(ctx, t, cluster, "/api/v1/namespaces/"+namespace+"/secrets/"+secretName, &secret)
		want := map[string]string{
			"OIDC_CLIENT_SECRET": clientSecret, "OIDC_CLIENT_ID": clientID, "OIDC_ISSUER_URL": issuer.URL,
			"OIDC_SCOPES": strings.Join(s.HeadlampScopes, ","), "OIDC_CALLBACK_URL": s.CallbackURL,
		}
		for k, v := range want {
			got, _ := base64.StdEncoding.DecodeString(secret.Data[k])
			if string(got) != v {
				t.Errorf("Secret %s = %q, want %q", k, got, v)
			}
		}
		var dep struct {
			Spec struct {
				Replicas int `json:"replicas"`
				Template struct {
					Spec struct {
						Containers []struct {
							Args    []string `json:"args"`
							EnvFrom []struct {
								SecretRef struct{ Name string } `json:"secretRef"`
							} `json:"envFrom"`
						} `json:"containers"`
					} `json:"spec"`
				} `json:"template"`
			} `json:"spec"`
		}
		getJSON(ctx, t, cluster, "/apis/apps/v1/namespaces/"+namespace+"/deployments/"+components.ServiceName, &dep)
		ctr := dep.Spec.Template.Spec.Containers[0]
		if dep.Spec.Replicas != 1 || len(ctr.EnvFrom) != 1 || ctr.EnvFrom[0].SecretRef.Name != secretName {
			t.Errorf("deployment replicas %d envFrom %+v", dep.Spec.Replicas, ctr.EnvFrom)
		}
		for _, a := range []string{"-oidc-idp-issuer-url=$(OIDC_ISSUER_URL)", "-oidc-client-id=$(OIDC_CLIENT_ID)", "-oidc-scopes=$(OIDC_SCOPES)", "-oidc-callback-url=$(OIDC_CALLBACK_URL)"} {
			if !contains(ctr.Args, a) {
				t.Errorf("Headlamp args %v lack %s", ctr.Args, a)
			}
		}
		for _, a := range ctr.Args {
			if strings.Contains(a, "use-access-token") {
				t.Errorf("Headlamp would send access tokens: %s", a)
			}
		}
		if code, _, _ := cluster.Do(ctx, "", http.MethodGet, "/api/v1/namespaces/"+namespace+"/services/"+components.ServiceName, nil); code != http.StatusOK {
			t.Errorf("service %s/%s: %d", namespace, components.ServiceName, code)
		}
		if code, _, _ := cluster.Do(ctx, "", http.MethodGet, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/headlamp-admin", nil); code != http.StatusNotFound {
			t.Errorf("the chart bound Headlamp's service account to cluster-admin (%d)", code)
		}
	})

	t.Run("a second up changes nothing", func(t *testing.T) {
		progress.Reset()
		again, err := stack.Up(ctx, optup.ProgressStreams(&progress))
		if err != nil {
			t.Fatalf("%v\n%s", err, progress.String())
		}
		for op, n := range *again.Summary.ResourceChanges {
			if op != "same" && n > 0 {
				t.Errorf("second up: %d %s\n%s", n, op, progress.String())
			}
		}
	})

	t.Run("destroy removes everything", func(t *testing.T) {
		progress.Reset()
		if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(&progress)); err != nil {
			t.Fatalf("destroy: %v\n%s\nkube-controller-manager log:\n%s", err, progress.String(), cluster.Logs("kube-controller-manager"))
		}
		deadline := time.Now().Add(2 * time.Minute)
		for {
			code, _, _ := cluster.Do(ctx, "", http.MethodGet, "/api/v1/namespaces/"+namespace, nil)
			if code == http.StatusNotFound {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("namespace %s still there (%d)", namespace, code)
			}
			time.Sleep(500 * time.Millisecond)
		}
		var bindings struct {
			Items []struct {
				Metadata struct{ Name string } `json:"metadata"`
			} `json:"items"`
		}
		getJSON(ctx, t, cluster, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dheadlamp-eks", &bindings)
		if len(bindings.Items) != 0 {
			t.Errorf("bindings left: %+v", bindings.Items)
		}
	})
	t.Logf("rehearsal took %s", time.Since(started).Round(time.Millisecond))
}

// newStack prepares a stack on a local file backend whose inline program is the Kubernetes half
// of headlamp-eks, fed the issuer and client as CognitoPool would feed them.
func newStack(ctx context.Context, t *testing.T, dir string, s settings.Settings, kubeconfig, issuerURL string) auto.Stack {
	work := filepath.Join(dir, "project")
	if err := os.MkdirAll(filepath.Join(dir, "state"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	// The product's own Pulumi.yaml: its schema and pulumi:disable-default-providers are
	// checked by the real engine.
	project, err := os.ReadFile(filepath.Join(repoRoot(t), "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "Pulumi.yaml"), project, 0o600); err != nil {
		t.Fatal(err)
	}
	program := func(ctx *pulumi.Context) error {
		provider, err := kubernetes.NewProvider(ctx, "rehearsal", &kubernetes.ProviderArgs{
			Kubeconfig:            pulumi.ToSecret(pulumi.String(kubeconfig)).(pulumi.StringOutput),
			EnableServerSideApply: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		access, err := components.NewAccess(ctx, s.ClusterName, &components.AccessArgs{
			Claims: s.Claims, GroupRoles: s.GroupRoles(), UserRoles: s.UserRoles, Members: s.Members(), Provider: provider,
		})
		if err != nil {
			return err
		}
		hl, err := components.NewHeadlampRelease(ctx, s.ClusterName, &components.HeadlampReleaseArgs{
			Chart: s.Chart, IssuerURL: pulumi.String(issuerURL), ClientID: pulumi.String(clientID),
			ClientSecret: pulumi.ToSecret(pulumi.String(clientSecret)).(pulumi.StringOutput),
			Scopes:       s.HeadlampScopes, CallbackURL: s.CallbackURL, LocalPort: s.LocalPort, Provider: provider,
		})
		if err != nil {
			return err
		}
		ctx.Export("secretName", hl.SecretName)
		ctx.Export("namespace", hl.Namespace)
		ctx.Export("rbacSubjects", access.Subjects)
		return nil
	}
	stack, err := auto.UpsertStackInlineSource(ctx, "rehearsal", "headlamp-eks", program,
		auto.WorkDir(work),
		auto.EnvVars(map[string]string{
			"PULUMI_BACKEND_URL":       "file://" + filepath.Join(dir, "state"),
			"PULUMI_CONFIG_PASSPHRASE": "rehearsal",
			"PULUMI_SKIP_UPDATE_CHECK": "true",
			"PULUMI_HOME":              filepath.Join(dir, "pulumi-home"),
		}))
	if err != nil {
		t.Fatal(err)
	}
	return stack
}

func waitAuthenticated(ctx context.Context, t *testing.T, c *localcluster.Cluster, token string) {
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, _, code, err := c.WhoAmI(ctx, token)
		if err == nil && code == http.StatusCreated {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API server never accepted a good ID token (%d %v)\n%s", code, err, c.Logs("kube-apiserver"))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func getJSON(ctx context.Context, t *testing.T, c *localcluster.Cluster, path string, v interface{}) {
	t.Helper()
	code, body, err := c.Do(ctx, "", http.MethodGet, path, nil)
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", path, code, body, err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s interface{}) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
