package components

import (
	"encoding/json"
	"fmt"
	"strings"

	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/headlamp-eks/headlamp-eks/internal/settings"
)

// HeadlampReleaseArgs configures a HeadlampRelease.
type HeadlampReleaseArgs struct {
	// Chart says which chart, repository, version and namespace; settings.Validate checked it.
	Chart settings.Chart
	// IssuerURL, ClientID and ClientSecret come from CognitoPool; required.
	IssuerURL    pulumi.StringInput
	ClientID     pulumi.StringInput
	ClientSecret pulumi.StringInput
	// Scopes are what Headlamp requests besides openid: the app client's own scopes.
	Scopes []string
	// CallbackURL is the callback registered on the app client; required.
	CallbackURL string
	// LocalPort is the kubectl port-forward port the callback URL points at (0: not local).
	LocalPort int
	// KubeconfigCommand writes a kubeconfig for the cluster to ./kubeconfig; it starts the
	// port-forward command. Empty assumes ./kubeconfig exists.
	KubeconfigCommand string
	// Provider is the cluster's explicit Kubernetes provider; required.
	Provider pulumi.ProviderResource
	// After are resources Headlamp needs first (the cluster's nodes).
	After []pulumi.Resource
}

// HeadlampRelease installs the Headlamp chart with OIDC sign-in.
type HeadlampRelease struct {
	pulumi.ResourceState

	// Namespace is where Headlamp runs.
	Namespace pulumi.StringOutput `pulumi:"namespace"`
	// ServiceName is Headlamp's Service (fixed by fullnameOverride, so it is known in advance).
	ServiceName pulumi.StringOutput `pulumi:"serviceName"`
	// SecretName is the Secret holding the OIDC settings and client secret.
	SecretName pulumi.StringOutput `pulumi:"secretName"`
	// PortForwardCommand is the exact command that makes the callback URL reach Headlamp.
	PortForwardCommand pulumi.StringOutput `pulumi:"portForwardCommand"`
	// URL is where people open Headlamp.
	URL pulumi.StringOutput `pulumi:"url"`
}

// ServiceName is the name of Headlamp's Service and Deployment (the chart's fullnameOverride).
const ServiceName = "headlamp"

// servicePort is the chart's default service port.
const servicePort = 80

// chartValues are the Headlamp chart values the program sets, as typed data so a misplaced key
// cannot compile (FIELD-REPORTS F8). Each key that not every chart version reads is listed in
// settings.ChartValueKeys, which refuses pinned versions that would ignore it.
type chartValues struct {
	FullnameOverride   string             `json:"fullnameOverride"`
	ReplicaCount       int                `json:"replicaCount"`
	ClusterRoleBinding clusterRoleBinding `json:"clusterRoleBinding"`
	Config             chartConfig        `json:"config"`
}

type clusterRoleBinding struct {
	// Create binds Headlamp's own service account to cluster-admin: off, so every user's own
	// RBAC decides (FIELD-REPORTS F7).
	Create bool `json:"create"`
}

type chartConfig struct {
	OIDC oidcValues `json:"oidc"`
}

type oidcValues struct {
	Secret         chartSecret    `json:"secret"`
	ExternalSecret externalSecret `json:"externalSecret"`
	// CallbackURL makes the chart pass -oidc-callback-url; the value itself comes from the Secret.
	CallbackURL string `json:"callbackURL"`
	// UseAccessToken stays false: Cognito access tokens carry no audience (FIELD-REPORTS F1).
	UseAccessToken bool `json:"useAccessToken"`
}

type chartSecret struct {
	Create bool `json:"create"`
}

type externalSecret struct {
	Enabled   bool   `json:"enabled"`
	Name      string `json:"name"`
	HasScopes bool   `json:"hasScopes"`
}

// Values renders the chart values for a Secret name and callback URL.
func Values(secretName, callbackURL string) (map[string]interface{}, error) {
	v := chartValues{
		FullnameOverride:   ServiceName,
		ReplicaCount:       1,
		ClusterRoleBinding: clusterRoleBinding{Create: false},
		Config: chartConfig{OIDC: oidcValues{
			Secret:         chartSecret{Create: false},
			ExternalSecret: externalSecret{Enabled: true, Name: secretName, HasScopes: true},
			CallbackURL:    callbackURL,
		}},
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]interface{}
	return m, json.Unmarshal(b, &m)
}

// SecretData is what the chart's externalSecret mode reads from the Secret, as environment
// variables of the Headlamp container.
func SecretData(issuerURL, clientID, clientSecret pulumi.StringInput, scopes []string, callbackURL string) pulumi.StringMap {
	return pulumi.StringMap{
		"OIDC_ISSUER_URL":    issuerURL,
		"OIDC_CLIENT_ID":     clientID,
		"OIDC_CLIENT_SECRET": clientSecret,
		"OIDC_SCOPES":        pulumi.String(strings.Join(scopes, ",")),
		"OIDC_CALLBACK_URL":  pulumi.String(callbackURL),
	}
}

// NewHeadlampRelease creates the namespace, the OIDC Secret and the chart.
func NewHeadlampRelease(ctx *pulumi.Context, name string, args *HeadlampReleaseArgs, opts ...pulumi.ResourceOption) (*HeadlampRelease, error) {
	if args == nil || args.Provider == nil || args.IssuerURL == nil || args.ClientID == nil || args.ClientSecret == nil || args.CallbackURL == "" {
		return nil, fmt.Errorf("headlamp release %s: Provider, IssuerURL, ClientID, ClientSecret and CallbackURL are required", name)
	}
	c := &HeadlampRelease{}
	if err := ctx.RegisterComponentResource("headlamp-eks:components:HeadlampRelease", name, c, opts...); err != nil {
		return nil, err
	}
	k8s := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.Provider(args.Provider)}

	ns, err := newKubeObject(ctx, name, "v1", "Namespace", pulumi.Map{
		"metadata": pulumi.Map{"name": pulumi.String(args.Chart.Namespace)},
	}, append(k8s, pulumi.DependsOn(args.After))...)
	if err != nil {
		return nil, fmt.Errorf("creating namespace: %w", err)
	}

	// Immutable and auto-named: any change (a new callback URL, a new client) makes a new Secret
	// under a new name, so the chart's Deployment changes too and Headlamp restarts with it.
	secret, err := newKubeObject(ctx, name+"-oidc", "v1", "Secret", pulumi.Map{
		"metadata":   pulumi.Map{"namespace": ns.name()},
		"type":       pulumi.String("Opaque"),
		"immutable":  pulumi.Bool(true),
		"stringData": SecretData(args.IssuerURL, args.ClientID, pulumi.ToSecret(args.ClientSecret).(pulumi.StringOutput), args.Scopes, args.CallbackURL),
	}, append(k8s, pulumi.AdditionalSecretOutputs([]string{"data", "stringData"}))...)
	if err != nil {
		return nil, fmt.Errorf("creating oidc secret: %w", err)
	}
	secretName := secret.name()

	values := secretName.ApplyT(func(n string) (map[string]interface{}, error) {
		return Values(n, args.CallbackURL)
	}).(pulumi.MapOutput)

	chart := &helmv4.ChartArgs{
		Chart:     pulumi.String(args.Chart.Name),
		Version:   pulumi.String(args.Chart.Version),
		Namespace: ns.name(),
		Values:    values,
	}
	if !args.Chart.Local {
		chart.RepositoryOpts = &helmv4.RepositoryOptsArgs{Repo: pulumi.String(args.Chart.Repo)}
	}
	if _, err := helmv4.NewChart(ctx, name, chart, append(k8s, pulumi.DependsOn([]pulumi.Resource{secret}))...); err != nil {
		return nil, fmt.Errorf("installing headlamp chart: %w", err)
	}

	c.Namespace = ns.name()
	c.ServiceName = pulumi.String(ServiceName).ToStringOutput()
	c.SecretName = secretName
	base := strings.TrimSuffix(args.CallbackURL, "/oidc-callback")
	c.URL = pulumi.String(base).ToStringOutput()
	c.PortForwardCommand = pulumi.String(PortForwardCommand(args.KubeconfigCommand, args.Chart.Namespace, args.LocalPort, base)).ToStringOutput()

	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"namespace":          c.Namespace,
		"serviceName":        c.ServiceName,
		"secretName":         c.SecretName,
		"portForwardCommand": c.PortForwardCommand,
		"url":                c.URL,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// PortForwardCommand is the command that serves Headlamp at its URL from a laptop, with the same
// port the callback URL names (FIELD-REPORTS F4).
func PortForwardCommand(kubeconfigCommand, namespace string, localPort int, url string) string {
	if localPort == 0 {
		return fmt.Sprintf("none: %s is not local; route it to service %s/%s port %d (ingress or load balancer)", url, namespace, ServiceName, servicePort)
	}
	pf := fmt.Sprintf("kubectl --kubeconfig ./kubeconfig -n %s port-forward svc/%s %d:%d", namespace, ServiceName, localPort, servicePort)
	if kubeconfigCommand != "" {
		pf = kubeconfigCommand + " && " + pf
	}
	return pf
}
