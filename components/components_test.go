package components

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/headlamp-eks/headlamp-eks/internal/mocktest"
	"github.com/headlamp-eks/headlamp-eks/internal/settings"
)

// withMocks runs body under mocks and returns what it registered.
func withMocks(t *testing.T, body func(ctx *pulumi.Context) error) *mocktest.Mocks {
	t.Helper()
	m := &mocktest.Mocks{Project: "p", Stack: "s"}
	if err := pulumi.RunErr(body, pulumi.WithMocks("p", "s", m)); err != nil {
		t.Fatal(err)
	}
	return m
}

func await(t *testing.T, o pulumi.Output) internals.UnsafeAwaitOutputResult {
	t.Helper()
	r, err := internals.UnsafeAwaitOutput(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var claims = settings.Claims{UsernameClaim: "email", UsernamePrefix: "cognito:", GroupsClaim: "cognito:groups", GroupsPrefix: "cognito:", RequiredClaims: map[string]string{"token_use": "id"}}

func TestCognitoPool(t *testing.T) {
	var pool *CognitoPool
	m := withMocks(t, func(ctx *pulumi.Context) error {
		var err error
		pool, err = NewCognitoPool(ctx, "team", &CognitoPoolArgs{
			Region: "eu-west-1", DomainPrefix: "team-login", CallbackURL: "https://h.example.com/oidc-callback", LogoutURL: "https://h.example.com/",
			Scopes: []string{"openid", "email"}, IDTokenMinutes: 60, AccessTokenMinutes: 60, RefreshTokenDays: 30,
			Groups: []string{"admins"}, Users: []settings.User{{Email: "a@example.com", Username: "a", Group: "admins"}},
		})
		if err != nil {
			return err
		}
		if got := await(t, pool.IssuerURL).Value; got != "https://"+mocktest.PoolEndpoint {
			t.Errorf("issuer %v", got)
		}
		if r := await(t, pool.ClientSecret); !r.Secret {
			t.Error("client secret output is not secret")
		}
		if got := await(t, pool.HostedUIURL).Value; got != "https://team-login.auth.eu-west-1.amazoncognito.com" {
			t.Errorf("hosted UI %v", got)
		}
		if got, _ := await(t, pool.SignInURL).Value.(string); !strings.Contains(got, "redirect_uri=https%3A%2F%2Fh.example.com%2Foidc-callback") || !strings.Contains(got, "scope=openid+email") {
			t.Errorf("sign-in URL %v", got)
		}
		return nil
	})
	client := m.Find("aws:cognito/userPoolClient:UserPoolClient", "team")[0]
	if !client.Input("generateSecret").BoolValue() || client.Input("allowedOauthFlows").ArrayValue()[0].StringValue() != "code" {
		t.Errorf("client %v", client.Inputs)
	}
	if client.Input("tokenValidityUnits", "idToken").StringValue() != "minutes" || client.Input("idTokenValidity").NumberValue() != 60 {
		t.Errorf("token validity %v", client.Inputs)
	}
	if d := m.Find("aws:cognito/userPoolDomain:UserPoolDomain", "team")[0]; d.Input("domain").StringValue() != "team-login" {
		t.Errorf("configured domain prefix not used: %v", d.Inputs)
	}
	if len(m.Find("aws:cognito/userInGroup:UserInGroup", "")) != 1 {
		t.Error("user not put in its group")
	}
	if p := m.Find("aws:cognito/userPool:UserPool", "team")[0]; !p.RPC.GetProtect() {
		t.Error("pool not protected by default")
	}
}

func TestCognitoPoolRefusesMissingCallback(t *testing.T) {
	withMocks(t, func(ctx *pulumi.Context) error {
		_, err := NewCognitoPool(ctx, "x", &CognitoPoolArgs{Region: "us-east-1", Scopes: []string{"openid"}})
		if err == nil || !strings.Contains(err.Error(), "CallbackURL") {
			t.Errorf("want a CallbackURL error, got %v", err)
		}
		return nil
	})
}

func TestEksClusterUpgradePolicy(t *testing.T) {
	for _, support := range []string{"STANDARD", "EXTENDED"} {
		res := UpgradePolicyTransform(support)(context.Background(), &pulumi.ResourceTransformArgs{Type: "aws:eks/cluster:Cluster", Props: pulumi.Map{"name": pulumi.String("c")}})
		if res == nil {
			t.Fatal("transform did not touch the EKS cluster")
		}
		up, ok := res.Props["upgradePolicy"].(pulumi.Map)
		if !ok || up["supportType"] != pulumi.String(support) || res.Props["name"] != pulumi.String("c") {
			t.Errorf("props %v", res.Props)
		}
	}
	if UpgradePolicyTransform("STANDARD")(context.Background(), &pulumi.ResourceTransformArgs{Type: "aws:iam/role:Role"}) != nil {
		t.Error("transform touched another resource")
	}
}

func TestEksClusterSizesAndOrder(t *testing.T) {
	var c *EksCluster
	m := withMocks(t, func(ctx *pulumi.Context) error {
		var err error
		c, err = NewEksCluster(ctx, "k", &EksClusterArgs{ClusterName: "k", Region: "eu-west-1", KubernetesVersion: "1.35", InstanceType: "m6i.large", NodeCount: 2, DiskSizeGiB: 40})
		return err
	})
	ng := m.Find("eks:index:ManagedNodeGroup", "k-nodes")[0]
	if ng.Input("diskSize").NumberValue() != 40 || ng.Input("scalingConfig", "desiredSize").NumberValue() != 2 || ng.Input("scalingConfig", "maxSize").NumberValue() != 3 {
		t.Errorf("node group %v", ng.Inputs)
	}
	if len(m.Find("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "")) != 3 {
		t.Error("node role policies")
	}
	if c.KubeconfigCommand != "aws eks update-kubeconfig --region eu-west-1 --name k --kubeconfig ./kubeconfig" {
		t.Errorf("kubeconfig command %q", c.KubeconfigCommand)
	}
	if len(c.ClusterUpdates) != 3 || len(c.Nodes) != 2 {
		t.Errorf("updates %d nodes %d", len(c.ClusterUpdates), len(c.Nodes))
	}
}

func TestOidcAssociationWithoutGroupsPrefix(t *testing.T) {
	cl := claims
	cl.GroupsPrefix = settings.NoPrefix
	m := withMocks(t, func(ctx *pulumi.Context) error {
		_, err := NewOidcAssociation(ctx, "a", &OidcAssociationArgs{ClusterName: pulumi.String("c"), IssuerURL: pulumi.String("https://i"), ClientID: pulumi.String("id"), Claims: cl})
		return err
	})
	idp := m.Find("aws:eks/identityProviderConfig:IdentityProviderConfig", "a")[0]
	if v := idp.Input("oidc", "groupsPrefix"); !v.IsNull() {
		t.Errorf("groups prefix sent as %v; EKS would prefix groups with it", v)
	}
	if idp.Input("oidc", "usernamePrefix").StringValue() != "cognito:" || idp.Input("oidc", "requiredClaims", "token_use").StringValue() != "id" {
		t.Errorf("oidc %v", idp.Inputs)
	}
	if got := idp.Input("oidc", "identityProviderConfigName").StringValue(); got != ConfigName("https://i", "id", cl) || !strings.HasPrefix(got, "cognito-") {
		t.Errorf("config name %q", got)
	}
	other := cl
	other.UsernamePrefix = "oidc:"
	if ConfigName("https://i", "id", cl) == ConfigName("https://i", "id", other) || ConfigName("https://i", "id", cl) == ConfigName("https://j", "id", cl) {
		t.Error("config name does not change with the settings")
	}
}

func TestAccessSubjects(t *testing.T) {
	var a *Access
	m := withMocks(t, func(ctx *pulumi.Context) error {
		prov := &fakeProvider{}
		if err := ctx.RegisterResource("pulumi:providers:kubernetes", "k8s", pulumi.Map{}, prov); err != nil {
			return err
		}
		var err error
		a, err = NewAccess(ctx, "acc", &AccessArgs{
			Claims: claims, GroupRoles: map[string]string{"admins": "cluster-admin"},
			UserRoles: []settings.UserRole{{Email: "bob@example.com", ClusterRole: "edit"}}, Provider: prov,
		})
		if err != nil {
			return err
		}
		got, _ := await(t, a.Subjects).Value.(map[string]string)
		if got["group:admins"] != "cognito:admins" || got["user:bob@example.com"] != "cognito:bob@example.com" {
			t.Errorf("subjects %v", got)
		}
		return nil
	})
	bindings := m.Find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "")
	if len(bindings) != 2 {
		t.Fatalf("%d bindings", len(bindings))
	}
	for _, b := range bindings {
		if !strings.Contains(b.Provider, "pulumi:providers:kubernetes::k8s") {
			t.Errorf("%s without the explicit provider: %q", b.Name, b.Provider)
		}
		if name := b.Input("metadata", "name").StringValue(); name != b.Name || strings.ContainsAny(name, "@_") {
			t.Errorf("binding name %q", name)
		}
	}
}

func TestHeadlampLocalChartAndValues(t *testing.T) {
	m := withMocks(t, func(ctx *pulumi.Context) error {
		prov := &fakeProvider{}
		if err := ctx.RegisterResource("pulumi:providers:kubernetes", "k8s", pulumi.Map{}, prov); err != nil {
			return err
		}
		h, err := NewHeadlampRelease(ctx, "h", &HeadlampReleaseArgs{
			Chart:     settings.Chart{Name: "./testdata/chart", Local: true, Version: "0.45.0", Namespace: "dash"},
			IssuerURL: pulumi.String("https://issuer"), ClientID: pulumi.String("cid"), ClientSecret: pulumi.String("shh"),
			Scopes: []string{"profile", "email"}, CallbackURL: "http://localhost:9000/oidc-callback", LocalPort: 9000, Provider: prov,
			KubeconfigCommand: "get-kubeconfig",
		})
		if err != nil {
			return err
		}
		if pf := await(t, h.PortForwardCommand).Value.(string); pf != "get-kubeconfig && kubectl --kubeconfig ./kubeconfig -n dash port-forward svc/headlamp 9000:80" {
			t.Errorf("port-forward %q", pf)
		}
		return nil
	})
	chart := m.Find("kubernetes:helm.sh/v4:Chart", "h")[0]
	if !chart.Input("repositoryOpts").IsNull() || chart.Input("chart").StringValue() != "./testdata/chart" {
		t.Errorf("local chart %v", chart.Inputs)
	}
	secret := m.Find("kubernetes:core/v1:Secret", "h-oidc")[0]
	if secret.Input("stringData", "OIDC_SCOPES").StringValue() != "profile,email" || !secret.Input("immutable").BoolValue() {
		t.Errorf("secret %v", secret.Inputs)
	}
}

func TestValuesAreTheKeysTheChartReads(t *testing.T) {
	v, err := Values("s", "http://localhost:8000/oidc-callback")
	if err != nil {
		t.Fatal(err)
	}
	oidc := v["config"].(map[string]interface{})["oidc"].(map[string]interface{})
	// The seed tutorial put these beside `oidc:` instead of under it (FIELD-REPORTS F8).
	for _, k := range []string{"externalSecret", "callbackURL", "secret"} {
		if _, ok := oidc[k]; !ok {
			t.Errorf("config.oidc.%s missing", k)
		}
	}
	for _, f := range settings.ChartValueKeys {
		cur := interface{}(v)
		for _, part := range strings.Split(f.Key, ".") {
			m, ok := cur.(map[string]interface{})
			if !ok {
				t.Fatalf("%s: not a map at %s", f.Key, part)
			}
			if cur, ok = m[part]; !ok {
				t.Errorf("values lack %s, which ChartValueKeys checks", f.Key)
				break
			}
		}
	}
}

func TestPortForwardCommandForARealHost(t *testing.T) {
	if pf := PortForwardCommand("", "headlamp", 0, "https://h.example.com"); !strings.HasPrefix(pf, "none:") {
		t.Errorf("%q", pf)
	}
}

type fakeProvider struct{ pulumi.ProviderResourceState }
