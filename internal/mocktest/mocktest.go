// Package mocktest runs Pulumi programs and components under the SDK's mocks and records every
// resource registration, so tests can check what would be sent to the engine.
package mocktest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/headlamp-eks/headlamp-eks/internal/depgraph"
)

// Well-known values the mocked AWS resources answer with.
const (
	PoolID       = "us-east-1_MockPool1"
	PoolEndpoint = "cognito-idp.us-east-1.amazonaws.com/" + PoolID
	ClientID     = "mockclientid0123456789"
	ClientSecret = "mock-client-secret-value-do-not-leak"
	Kubeconfig   = `{"apiVersion":"v1","kind":"Config","clusters":[{"name":"mock","cluster":{"server":"https://mock.eks.amazonaws.com"}}]}`
)

// Resource is one registration as the engine would receive it.
type Resource struct {
	URN        string
	Type       string
	Name       string
	Parent     string
	Provider   string
	Custom     bool
	Inputs     resource.PropertyMap
	RPC        *pulumirpc.RegisterResourceRequest
	Transforms []pulumi.ResourceTransform
}

// Mocks answers registrations like the real providers would, minus the cloud. With Preview set,
// values a provider computes during create are unknown, as in `pulumi preview` of a new stack.
type Mocks struct {
	// Project and Stack must match the ones the program runs as (pulumi.WithMocks).
	Project, Stack string
	Preview        bool

	mu        sync.Mutex
	resources []*Resource
}

// computed are the outputs real providers only know after creating the resource; at preview
// they are left unknown, and so are the ids of all but knownAtPreview.
var computed = map[string][]string{
	"aws:cognito/userPool:UserPool":                         {"arn"},
	"eks:index:Cluster":                                     {"kubeconfigJson", "kubeconfig"},
	"aws:eks/identityProviderConfig:IdentityProviderConfig": {"status", "arn"},
}

// knownAtPreview keeps the values that flow into the OIDC Secret known even at preview: the
// SDK's mock monitor cannot carry a secret holding an unknown value (the real engine can).
var knownAtPreview = map[string]bool{
	"aws:cognito/userPool:UserPool":             true,
	"aws:cognito/userPoolClient:UserPoolClient": true,
}

// NewResource records the registration and returns plausible outputs.
func (m *Mocks) NewResource(a pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	outs := a.Inputs.Copy()
	id := a.Name + "-id"
	switch a.TypeToken {
	case "aws:cognito/userPool:UserPool":
		id = PoolID
		outs["endpoint"] = resource.NewProperty(PoolEndpoint)
	case "aws:cognito/userPoolClient:UserPoolClient":
		id = ClientID
		outs["clientSecret"] = resource.NewProperty(ClientSecret)
	case "eks:index:Cluster":
		outs["kubeconfigJson"] = resource.NewProperty(Kubeconfig)
	case "aws:eks/identityProviderConfig:IdentityProviderConfig":
		outs["status"] = resource.NewProperty("ACTIVE")
	}
	if strings.HasPrefix(a.TypeToken, "kubernetes:") && a.Custom {
		// pulumi-kubernetes auto-names objects without a name during check, so even at preview.
		meta := resource.PropertyMap{}
		if v, ok := outs["metadata"]; ok && v.IsObject() {
			meta = v.ObjectValue().Copy()
		}
		if _, ok := meta["name"]; !ok {
			meta["name"] = resource.NewProperty(a.Name + "-0mock0ab")
		}
		outs["metadata"] = resource.NewProperty(meta)
	}
	if m.Preview {
		if !knownAtPreview[a.TypeToken] {
			id = ""
		}
		for _, k := range computed[a.TypeToken] {
			delete(outs, resource.PropertyKey(k))
		}
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	rpc := a.RegisterRPC
	r := &Resource{Type: a.TypeToken, Name: a.Name, Custom: a.Custom, Inputs: a.Inputs, RPC: rpc, Transforms: a.Transforms, Provider: a.Provider}
	if rpc != nil {
		r.Parent = rpc.GetParent()
		r.URN = m.urn(r.Parent, a.TypeToken, a.Name)
		if r.Provider == "" && rpc.GetProviders() != nil {
			r.Provider = rpc.GetProviders()[strings.SplitN(a.TypeToken, ":", 2)[0]]
		}
	}
	m.resources = append(m.resources, r)
	return id, outs, nil
}

// Call answers invokes; the program makes none.
func (m *Mocks) Call(a pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("unexpected invoke %s", a.Token)
}

// Resources returns the registrations so far, in order.
func (m *Mocks) Resources() []*Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Resource(nil), m.resources...)
}

// Find returns the registrations of a type, optionally only the one named name.
func (m *Mocks) Find(typ, name string) []*Resource {
	var out []*Resource
	for _, r := range m.Resources() {
		if r.Type == typ && (name == "" || r.Name == name) {
			out = append(out, r)
		}
	}
	return out
}

// urn mirrors the mock monitor's URN scheme, so dependencies can be matched to registrations.
func (m *Mocks) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.Stack), tokens.PackageName(m.Project), parentType, tokens.Type(typ), name))
}

// providerURN is the URN part of a provider reference ("URN::ID").
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i > 0 {
		return ref[:i]
	}
	return ref
}

// short names a URN or provider reference ("URN::ID") as type::name.
func short(ref string) string {
	if ref == "" {
		return ""
	}
	u := resource.URN(ref)
	return string(u.Type()) + "::" + u.Name()
}

// DependsOn reports whether r depends on target, directly or through other registrations.
func (m *Mocks) DependsOn(r *Resource, target string) bool {
	byURN := map[string]*Resource{}
	for _, x := range m.Resources() {
		byURN[x.URN] = x
	}
	seen := map[string]bool{}
	var walk func(*Resource) bool
	walk = func(x *Resource) bool {
		if x == nil || x.RPC == nil {
			return false
		}
		deps := append([]string{}, x.RPC.GetDependencies()...)
		for _, pd := range x.RPC.GetPropertyDependencies() {
			deps = append(deps, pd.GetUrns()...)
		}
		for _, d := range deps {
			if d == target {
				return true
			}
			if !seen[d] {
				seen[d] = true
				if walk(byURN[d]) {
					return true
				}
			}
		}
		return false
	}
	return walk(r)
}

// Plan renders the resource graph deterministically: type, name, parent, provider, dependencies
// and inputs, with secrets redacted. It is what reviewers diff when infrastructure changes.
func (m *Mocks) Plan() ([]byte, error) {
	type entry struct {
		Type         string      `json:"type"`
		Name         string      `json:"name"`
		Parent       string      `json:"parent,omitempty"`
		Provider     string      `json:"provider,omitempty"`
		DependsOn    []string    `json:"dependsOn,omitempty"`
		Protect      bool        `json:"protect,omitempty"`
		Timeouts     interface{} `json:"customTimeouts,omitempty"`
		SecretOutput []string    `json:"additionalSecretOutputs,omitempty"`
		Inputs       interface{} `json:"inputs,omitempty"`
	}
	var entries []entry
	for _, r := range m.Resources() {
		e := entry{Type: r.Type, Name: r.Name, Parent: short(r.Parent), Provider: short(providerURN(r.Provider))}
		if r.RPC != nil {
			for _, d := range r.RPC.GetDependencies() {
				e.DependsOn = append(e.DependsOn, short(d))
			}
			sort.Strings(e.DependsOn)
			e.Protect = r.RPC.GetProtect()
			if t := r.RPC.GetCustomTimeouts(); t != nil && t.GetCreate()+t.GetUpdate()+t.GetDelete() != "" {
				e.Timeouts = map[string]string{"create": t.GetCreate(), "update": t.GetUpdate(), "delete": t.GetDelete()}
			}
			e.SecretOutput = r.RPC.GetAdditionalSecretOutputs()
		}
		e.Inputs = redact(resource.NewProperty(r.Inputs))
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].Type != entries[j].Type {
			return entries[i].Type < entries[j].Type
		}
		return entries[i].Name < entries[j].Name
	})
	b, err := json.MarshalIndent(entries, "", "  ")
	return append(b, '\n'), err
}

// redact turns property values into plain JSON data with every secret replaced.
func redact(v resource.PropertyValue) interface{} {
	switch {
	case v.IsSecret():
		return "[secret]"
	case v.IsComputed() || v.IsOutput() && !v.OutputValue().Known:
		return "[unknown]"
	case v.IsOutput():
		if v.OutputValue().Secret {
			return "[secret]"
		}
		return redact(v.OutputValue().Element)
	case v.IsObject():
		out := map[string]interface{}{}
		for k, x := range v.ObjectValue() {
			out[string(k)] = redact(x)
		}
		return out
	case v.IsArray():
		out := []interface{}{}
		for _, x := range v.ArrayValue() {
			out = append(out, redact(x))
		}
		return out
	case v.IsResourceReference():
		return "[resource " + short(string(v.ResourceReferenceValue().URN)) + "]"
	case v.IsNull():
		return nil
	default:
		return v.V
	}
}

// Graph is every registration with all the URNs it waits for (dependsOn and property
// dependencies), for tools that reason about ordering, such as the time-to-sign-in benchmark.
func (m *Mocks) Graph() ([]byte, error) {
	var nodes []depgraph.Node
	for _, r := range m.Resources() {
		n := depgraph.Node{URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, Custom: r.Custom, Dependencies: []string{},
			Provider: providerURN(r.Provider), References: references(resource.NewProperty(r.Inputs))}
		if r.RPC != nil {
			seen := map[string]bool{}
			deps := append([]string{}, r.RPC.GetDependencies()...)
			for _, pd := range r.RPC.GetPropertyDependencies() {
				deps = append(deps, pd.GetUrns()...)
			}
			for _, d := range deps {
				if !seen[d] {
					seen[d] = true
					n.Dependencies = append(n.Dependencies, d)
				}
			}
			sort.Strings(n.Dependencies)
		}
		nodes = append(nodes, n)
	}
	return json.MarshalIndent(nodes, "", "  ")
}

// Input reads a nested input, e.g. r.Input("oidc", "issuerUrl"), looking through secrets; a
// missing key gives a null value.
func (r *Resource) Input(keys ...string) resource.PropertyValue {
	v := resource.NewProperty(r.Inputs)
	for _, k := range keys {
		v = unsecret(v)
		if !v.IsObject() {
			return resource.NewNullProperty()
		}
		v = v.ObjectValue()[resource.PropertyKey(k)]
	}
	return unsecret(v)
}

// InputIsSecret reports whether the nested input, or anything on the way to it, is secret.
func (r *Resource) InputIsSecret(keys ...string) bool {
	v := resource.NewProperty(r.Inputs)
	for _, k := range keys {
		if v.IsSecret() {
			return true
		}
		if !v.IsObject() {
			return false
		}
		v = v.ObjectValue()[resource.PropertyKey(k)]
	}
	return v.ContainsSecrets()
}

// Str is the string in v, or "" when v holds no string.
func Str(v resource.PropertyValue) string {
	if v = unsecret(v); v.IsString() {
		return v.StringValue()
	}
	return ""
}

func unsecret(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// references lists the URNs of the resource references in v, sorted.
func references(v resource.PropertyValue) []string {
	var out []string
	var walk func(resource.PropertyValue)
	walk = func(v resource.PropertyValue) {
		switch {
		case v.IsResourceReference():
			out = append(out, string(v.ResourceReferenceValue().URN))
		case v.IsSecret():
			walk(v.SecretValue().Element)
		case v.IsObject():
			for _, x := range v.ObjectValue() {
				walk(x)
			}
		case v.IsArray():
			for _, x := range v.ArrayValue() {
				walk(x)
			}
		}
	}
	walk(v)
	sort.Strings(out)
	return out
}
