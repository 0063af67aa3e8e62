package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/headlamp-eks/headlamp-eks/internal/mocktest"
)

var update = flag.Bool("update", false, "rewrite tests/plan.golden.json from the program")

// runStack runs the whole program, as `pulumi up` (or preview) of the dev stack would, under mocks.
func runStack(t *testing.T, preview bool, change func(map[string]string)) (*mocktest.Mocks, map[string]internals.UnsafeAwaitOutputResult, error) {
	t.Helper()
	cfg := stackConfig(t, "dev")
	if change != nil {
		change(cfg)
	}
	m := &mocktest.Mocks{Project: "headlamp-eks", Stack: "dev", Preview: preview}
	outputs := map[string]internals.UnsafeAwaitOutputResult{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		outs, err := deploy(ctx)
		if err != nil {
			return err
		}
		for k, o := range outs {
			r, err := internals.UnsafeAwaitOutput(context.Background(), o)
			if err != nil {
				return err
			}
			outputs[k] = r
		}
		return nil
	}, pulumi.WithMocks("headlamp-eks", "dev", m), func(info *pulumi.RunInfo) {
		info.Config = cfg
		info.DryRun = preview
	})
	return m, outputs, err
}

func one(t *testing.T, m *mocktest.Mocks, typ string) *mocktest.Resource {
	t.Helper()
	rs := m.Find(typ, "")
	if len(rs) != 1 {
		t.Fatalf("want one %s, got %d", typ, len(rs))
	}
	return rs[0]
}

func TestDevStackUpdate(t *testing.T) {
	m, outs, err := runStack(t, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("HEADLAMP_EKS_GRAPH_OUT"); out != "" {
		// For bench/: the resource graph the engine would order the deploy by.
		g, err := m.Graph()
		if err == nil {
			err = os.WriteFile(out, g, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	issuer := "https://" + mocktest.PoolEndpoint

	idp := one(t, m, "aws:eks/identityProviderConfig:IdentityProviderConfig")
	secret := one(t, m, "kubernetes:core/v1:Secret")
	client := one(t, m, "aws:cognito/userPoolClient:UserPoolClient")
	chart := one(t, m, "kubernetes:helm.sh/v4:Chart")

	t.Run("one issuer: EKS trusts what Headlamp uses", func(t *testing.T) {
		if got := mocktest.Str(idp.Input("oidc", "issuerUrl")); got != issuer {
			t.Errorf("EKS issuer %q, want %q", got, issuer)
		}
		if got := mocktest.Str(secret.Input("stringData", "OIDC_ISSUER_URL")); got != issuer {
			t.Errorf("Headlamp issuer %q, want %q", got, issuer)
		}
		if outs["issuerUrl"].Value != issuer {
			t.Errorf("exported issuer %v", outs["issuerUrl"].Value)
		}
	})
	t.Run("one client id", func(t *testing.T) {
		if a, b := mocktest.Str(idp.Input("oidc", "clientId")), mocktest.Str(secret.Input("stringData", "OIDC_CLIENT_ID")); a != mocktest.ClientID || b != mocktest.ClientID {
			t.Errorf("EKS %q, Headlamp %q, want %q", a, b, mocktest.ClientID)
		}
	})
	t.Run("client secret is secret everywhere", func(t *testing.T) {
		if !secret.InputIsSecret("stringData", "OIDC_CLIENT_SECRET") || mocktest.Str(secret.Input("stringData", "OIDC_CLIENT_SECRET")) != mocktest.ClientSecret {
			t.Errorf("Secret's client secret is not a Pulumi secret: %v", secret.Input("stringData"))
		}
		if !slices.Contains(secret.RPC.GetAdditionalSecretOutputs(), "stringData") || !slices.Contains(client.RPC.GetAdditionalSecretOutputs(), "clientSecret") {
			t.Errorf("client secret not marked secret in state")
		}
		for _, r := range m.Resources() {
			if r == secret {
				continue
			}
			b, _ := json.Marshal(plain(resource.NewProperty(r.Inputs)))
			if bytes.Contains(b, []byte(mocktest.ClientSecret)) {
				t.Errorf("%s %s holds the client secret in plain text", r.Type, r.Name)
			}
		}
		for k, o := range outs {
			if s, _ := o.Value.(string); strings.Contains(s, mocktest.ClientSecret) {
				t.Errorf("output %s holds the client secret", k)
			}
		}
		if !outs["kubeconfig"].Secret {
			t.Errorf("kubeconfig output is not secret")
		}
	})
	t.Run("every Kubernetes resource uses the cluster's provider", func(t *testing.T) {
		prov := one(t, m, "pulumi:providers:kubernetes")
		for _, r := range m.Resources() {
			if strings.HasPrefix(r.Type, "kubernetes:") && !strings.HasPrefix(r.Provider, prov.URN+"::") {
				t.Errorf("%s %s uses provider %q", r.Type, r.Name, r.Provider)
			}
		}
		if mocktest.Str(prov.Input("kubeconfig")) != mocktest.Kubeconfig {
			t.Errorf("provider kubeconfig %v", prov.Input("kubeconfig"))
		}
	})
	t.Run("association waits for every other cluster update, nothing waits for it", func(t *testing.T) {
		for _, typ := range []string{"eks:index:Cluster", "eks:index:ManagedNodeGroup", "aws:eks/addon:Addon"} {
			if !m.DependsOn(idp, one(t, m, typ).URN) {
				t.Errorf("association does not wait for %s", typ)
			}
		}
		for _, r := range m.Resources() {
			if m.DependsOn(r, idp.URN) || m.DependsOn(r, one(t, m, "headlamp-eks:components:OidcAssociation").URN) {
				t.Errorf("%s %s waits for the association", r.Type, r.Name)
			}
		}
		if to := idp.RPC.GetCustomTimeouts(); to == nil || to.GetCreate() != "1h0m0s" || to.GetDelete() != "1h0m0s" {
			t.Errorf("association timeouts %v", to)
		}
	})
	t.Run("callback, Headlamp and port-forward agree", func(t *testing.T) {
		cb := client.Input("callbackUrls").ArrayValue()
		if len(cb) != 1 || cb[0].StringValue() != "http://localhost:8000/oidc-callback" {
			t.Fatalf("registered callbacks %v", cb)
		}
		if got := mocktest.Str(secret.Input("stringData", "OIDC_CALLBACK_URL")); got != cb[0].StringValue() {
			t.Errorf("Headlamp callback %q", got)
		}
		if got := mocktest.Str(chart.Input("values", "config", "oidc", "callbackURL")); got != cb[0].StringValue() {
			t.Errorf("chart callbackURL %q", got)
		}
		if pf, _ := outs["portForwardCommand"].Value.(string); pf != "aws eks update-kubeconfig --region us-east-1 --name headlamp-eks-dev --kubeconfig ./kubeconfig && kubectl --kubeconfig ./kubeconfig -n headlamp port-forward svc/headlamp 8000:80" {
			t.Errorf("port-forward %q", pf)
		}
	})
	t.Run("scopes: Headlamp asks for what the client allows", func(t *testing.T) {
		var allowed []string
		for _, v := range client.Input("allowedOauthScopes").ArrayValue() {
			allowed = append(allowed, v.StringValue())
		}
		for _, sc := range strings.Split(mocktest.Str(secret.Input("stringData", "OIDC_SCOPES")), ",") {
			if !slices.Contains(allowed, sc) {
				t.Errorf("Headlamp asks for %q, client allows %v", sc, allowed)
			}
		}
		if !chart.Input("values", "config", "oidc", "externalSecret", "hasScopes").BoolValue() {
			t.Errorf("chart would not pass the scopes")
		}
	})
	t.Run("RBAC subjects carry the prefixes EKS applies", func(t *testing.T) {
		want := map[string]string{"cluster-admin": "cognito:headlamp-admins", "view": "cognito:headlamp-viewers"}
		for _, r := range m.Find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "") {
			role := mocktest.Str(r.Input("roleRef", "name"))
			subj := r.Input("subjects").ArrayValue()[0].ObjectValue()
			if subj["name"].StringValue() != want[role] || subj["kind"].StringValue() != "Group" {
				t.Errorf("%s binds %v to %s", r.Name, subj, role)
			}
			delete(want, role)
		}
		if len(want) != 0 {
			t.Errorf("missing bindings %v", want)
		}
		if subj, _ := outs["rbacSubjects"].Value.(map[string]string); subj["user:admin@example.com"] != "cognito:admin@example.com" || subj["group:headlamp-admins"] != "cognito:headlamp-admins" {
			t.Errorf("rbacSubjects %v", outs["rbacSubjects"].Value)
		}
		if mocktest.Str(idp.Input("oidc", "groupsPrefix")) != "cognito:" || mocktest.Str(idp.Input("oidc", "usernameClaim")) != "email" {
			t.Errorf("EKS claims %v", idp.Input("oidc"))
		}
	})
	t.Run("Headlamp: no cluster-admin for itself, one replica, known service name", func(t *testing.T) {
		if chart.Input("values", "clusterRoleBinding", "create").BoolValue() {
			t.Error("chart binds Headlamp's service account to cluster-admin")
		}
		if chart.Input("values", "replicaCount").NumberValue() != 1 || mocktest.Str(chart.Input("values", "fullnameOverride")) != "headlamp" {
			t.Error("replicas or fullnameOverride")
		}
		if chart.Input("values", "config", "oidc", "useAccessToken").BoolValue() {
			t.Error("access-token mode")
		}
		if mocktest.Str(chart.Input("version")) != "0.45.0" || mocktest.Str(chart.Input("repositoryOpts", "repo")) != "https://kubernetes-sigs.github.io/headlamp/" {
			t.Errorf("chart %v", chart.Inputs)
		}
		if got, want := mocktest.Str(chart.Input("values", "config", "oidc", "externalSecret", "name")), mocktest.Str(secret.Input("metadata", "name")); got == "" || (want != "" && got != want) {
			t.Errorf("chart reads Secret %q", got)
		}
	})
	t.Run("cluster: standard support, no IRSA provider, one small node, CoreDNS after nodes", func(t *testing.T) {
		cl := one(t, m, "eks:index:Cluster")
		if len(cl.Transforms) != 1 {
			t.Fatalf("transforms %d", len(cl.Transforms))
		}
		res := cl.Transforms[0](context.Background(), &pulumi.ResourceTransformArgs{Type: "aws:eks/cluster:Cluster", Props: pulumi.Map{"version": pulumi.String("1.35")}})
		if res == nil || res.Props["upgradePolicy"] == nil {
			t.Fatal("upgrade policy not set on the EKS cluster")
		}
		if b, _ := json.Marshal(plain(cl.Input("createOidcProvider"))); string(b) != "false" {
			t.Errorf("createOidcProvider %s", b)
		}
		if mocktest.Str(cl.Input("version")) != "1.35" || !cl.Input("skipDefaultNodeGroup").BoolValue() {
			t.Errorf("cluster inputs %v", cl.Inputs)
		}
		ng := one(t, m, "eks:index:ManagedNodeGroup")
		if ng.Input("scalingConfig", "desiredSize").NumberValue() != 1 || ng.Input("instanceTypes").ArrayValue()[0].StringValue() != "t3.small" {
			t.Errorf("node group %v", ng.Inputs)
		}
		if !m.DependsOn(one(t, m, "aws:eks/addon:Addon"), ng.URN) {
			t.Error("CoreDNS does not wait for nodes")
		}
	})
	t.Run("Cognito: verified emails, protected pool, managed login v1", func(t *testing.T) {
		u := one(t, m, "aws:cognito/user:User")
		if mocktest.Str(u.Input("attributes", "email_verified")) != "true" || mocktest.Str(u.Input("attributes", "email")) != "admin@example.com" {
			t.Errorf("user %v", u.Inputs)
		}
		pool := one(t, m, "aws:cognito/userPool:UserPool")
		if !pool.RPC.GetProtect() || mocktest.Str(pool.Input("deletionProtection")) != "ACTIVE" {
			t.Error("pool not protected")
		}
		d := one(t, m, "aws:cognito/userPoolDomain:UserPoolDomain")
		if d.Input("managedLoginVersion").NumberValue() != 1 || !strings.HasPrefix(mocktest.Str(d.Input("domain")), "headlamp-eks-dev-") {
			t.Errorf("domain %v", d.Inputs)
		}
	})
	t.Run("components: typed, parented, named after the stack", func(t *testing.T) {
		for _, r := range m.Resources() {
			if r.Type == "pulumi:pulumi:Stack" {
				continue
			}
			if strings.HasPrefix(r.Type, "headlamp-eks:components:") {
				if r.Name != "headlamp-eks-dev" {
					t.Errorf("component %s named %s", r.Type, r.Name)
				}
				continue
			}
			if r.Parent == "" || !strings.Contains(r.Parent, "headlamp-eks:components:") {
				t.Errorf("%s %s is not a component's child (parent %q)", r.Type, r.Name, r.Parent)
			}
			if !strings.HasPrefix(r.Name, "headlamp-eks-dev") {
				t.Errorf("%s named %s, not after its component", r.Type, r.Name)
			}
		}
	})
}

func TestDevStackPreview(t *testing.T) {
	m, outs, err := runStack(t, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Resources()) < 20 {
		t.Fatalf("only %d resources registered in preview", len(m.Resources()))
	}
	for _, k := range []string{"kubeconfig", "signInReady"} {
		if outs[k].Known {
			t.Errorf("%s known before the resources exist: %v", k, outs[k].Value)
		}
	}
	if prov := one(t, m, "pulumi:providers:kubernetes"); mocktest.Str(prov.Input("kubeconfig")) != "" {
		t.Errorf("provider kubeconfig known at preview")
	}
	// What a reviewer must see at preview is known then: names, callback, port-forward command.
	for _, k := range []string{"portForwardCommand", "headlampUrl", "clusterName"} {
		if !outs[k].Known {
			t.Errorf("%s unknown at preview", k)
		}
	}
	chart := one(t, m, "kubernetes:helm.sh/v4:Chart")
	if mocktest.Str(chart.Input("values", "config", "oidc", "callbackURL")) != "http://localhost:8000/oidc-callback" {
		t.Errorf("chart values at preview %v", chart.Input("values"))
	}
}

// TestBadConfigRegistersNothing: a wrong setting fails before any resource exists, naming the key.
func TestBadConfigRegistersNothing(t *testing.T) {
	m, _, err := runStack(t, true, func(c map[string]string) {
		c["headlamp-eks:kubernetesVersion"] = "1.29"
		c["headlamp-eks:cognitoDomainPrefix"] = "aws-demo"
		c["headlamp-eks:nodeCount"] = "two"
		c["headlamp-eks:cognitoScopes"] = "openid email"
		c["headlamp-eks:nodecount"] = "3"
		c["headlamp-eks:usernamePrefix"] = ""
		c["headlamp:nodeCount"] = "2"
	})
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"headlamp-eks:kubernetesVersion = \"1.29\"", "headlamp-eks:cognitoDomainPrefix = \"aws-demo\"", "headlamp-eks:nodeCount = \"two\"", "headlamp-eks:cognitoScopes", "headlamp-eks:nodecount = \"3\": not a headlamp-eks setting; did you mean nodeCount?", "headlamp-eks:usernamePrefix = \"\"", "headlamp:nodeCount = \"2\": \"headlamp\" is not a config namespace"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, r := range m.Resources() {
		if r.Type != "pulumi:pulumi:Stack" {
			t.Errorf("registered %s %s despite bad config", r.Type, r.Name)
		}
	}
}

// TestPlanSnapshot compares the resource graph with tests/plan.golden.json, so a pull request
// that changes infrastructure shows it as a diff. Regenerate with: go test . -run TestPlanSnapshot -update
func TestPlanSnapshot(t *testing.T) {
	m, _, err := runStack(t, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Plan()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("tests", "plan.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with: go test . -run TestPlanSnapshot -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the resource graph differs from %s.\nIf the change is intended, regenerate it with\n  make plan    (= go test . -run TestPlanSnapshot -update)\nand commit the diff. First difference near:\n%s", golden, firstDiff(want, got))
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + itoa(i+1) + ":\n- " + x + "\n+ " + y
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// plain turns a property value into JSON data, keeping secrets' contents (to search for leaks).
func plain(v resource.PropertyValue) interface{} {
	switch {
	case v.IsSecret():
		return plain(v.SecretValue().Element)
	case v.IsOutput():
		return plain(v.OutputValue().Element)
	case v.IsObject():
		out := map[string]interface{}{}
		for k, x := range v.ObjectValue() {
			out[string(k)] = plain(x)
		}
		return out
	case v.IsArray():
		var out []interface{}
		for _, x := range v.ArrayValue() {
			out = append(out, plain(x))
		}
		return out
	case v.IsComputed(), v.IsResourceReference():
		return nil
	default:
		return v.V
	}
}

// TestRunExportsEveryOutput runs main's own entry point, exports included.
func TestRunExportsEveryOutput(t *testing.T) {
	m := &mocktest.Mocks{Project: "headlamp-eks", Stack: "dev"}
	cfg := stackConfig(t, "dev")
	err := pulumi.RunErr(run, pulumi.WithMocks("headlamp-eks", "dev", m), func(info *pulumi.RunInfo) { info.Config = cfg })
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Find("aws:eks/identityProviderConfig:IdentityProviderConfig", "")) != 1 {
		t.Fatal("run did not build the stack")
	}
}
