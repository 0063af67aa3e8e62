// Package graph reads the resource graph the program's own test writes
// (HEADLAMP_EKS_GRAPH_OUT=... go test . -run TestDevStackUpdate) and answers the ordering
// questions the benchmarks ask. It imports nothing from Pulumi.
package graph

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/headlamp-eks/headlamp-eks/internal/depgraph"
)

// Node is one registration as the engine would see it, with what Load works out about it.
type Node struct {
	depgraph.Node

	// Implied lists edges the graph did not carry and Load added, with the reason.
	Implied []string `json:"-"`
	// Children are the nodes whose parent this is.
	Children []*Node `json:"-"`
}

// Graph is every registration, by URN.
type Graph struct {
	Nodes []*Node
	ByURN map[string]*Node
	// Notes say which edges were inferred because the graph lacked them.
	Notes []string
}

// Load reads a graph JSON file and completes it with the edges the engine has but the SDK's
// registration does not show (see Complete).
func Load(path string) (*Graph, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nodes []*Node
	if err := json.Unmarshal(b, &nodes); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return New(nodes), nil
}

// New indexes nodes and completes their edges.
func New(nodes []*Node) *Graph {
	g := &Graph{Nodes: nodes, ByURN: map[string]*Node{}}
	for _, n := range nodes {
		g.ByURN[n.URN] = n
	}
	for _, n := range nodes {
		if p := g.ByURN[n.Parent]; p != nil {
			p.Children = append(p.Children, n)
		}
	}
	g.complete()
	return g
}

// OfType returns the nodes of a type token.
func (g *Graph) OfType(typ string) []*Node {
	var out []*Node
	for _, n := range g.Nodes {
		if n.Type == typ {
			out = append(out, n)
		}
	}
	return out
}

// Count returns how many nodes have a type for which match is true.
func (g *Graph) Count(match func(typ string) bool) int {
	c := 0
	for _, n := range g.Nodes {
		if match(n.Type) {
			c++
		}
	}
	return c
}

// complete adds the waits the engine enforces that a registration's dependency list does not
// carry:
//
//   - a resource waits for its explicit provider (a Kubernetes object cannot be created before
//     the provider holding the cluster's kubeconfig exists);
//   - a resource waits for the resources its inputs reference. The SDK leaves resource
//     references out of a remote component's dependencies (marshalOptions
//     ExcludeResourceRefsFromDeps in sdk/go/pulumi/rpc.go), but the component's provider still
//     resolves them first: pulumi-eks's ManagedNodeGroup reads its `cluster` input's outputs.
//
// When the graph carries `provider` / `references` fields they are used as they are; otherwise
// the same edges are inferred from type tokens, and each inference is listed in Notes.
func (g *Graph) complete() {
	hasProvider, hasRefs := false, false
	for _, n := range g.Nodes {
		hasProvider = hasProvider || n.Provider != ""
		hasRefs = hasRefs || len(n.References) > 0
	}
	add := func(n *Node, urn, why string) {
		if urn == "" || urn == n.URN || slices.Contains(n.Dependencies, urn) {
			return
		}
		n.Dependencies = append(n.Dependencies, urn)
		n.Implied = append(n.Implied, short(urn)+" ("+why+")")
	}
	for _, n := range g.Nodes {
		add(n, providerURN(n.Provider), "explicit provider")
		for _, r := range n.References {
			add(n, r, "resource reference input")
		}
	}
	if !hasProvider {
		for _, pkg := range []string{"kubernetes"} {
			provs := g.OfType("pulumi:providers:" + pkg)
			if len(provs) != 1 {
				continue
			}
			inferred := 0
			for _, n := range g.Nodes {
				if strings.HasPrefix(n.Type, pkg+":") {
					add(n, provs[0].URN, "inferred: the one "+pkg+" provider")
					inferred++
				}
			}
			if inferred > 0 {
				g.Notes = append(g.Notes, fmt.Sprintf("graph has no `provider` field: %d %s resources were taken to use the one pulumi:providers:%s", inferred, pkg, pkg))
			}
		}
	}
	if !hasRefs {
		clusters := g.OfType("eks:index:Cluster")
		if len(clusters) == 1 {
			for _, typ := range []string{"eks:index:ManagedNodeGroup", "eks:index:NodeGroupV2", "eks:index:NodeGroup"} {
				for _, n := range g.OfType(typ) {
					add(n, clusters[0].URN, "inferred: its `cluster` input")
					g.Notes = append(g.Notes, fmt.Sprintf("graph has no `references` field: %s %s was taken to wait for its cluster (its `cluster` input)", typ, n.Name))
				}
			}
		}
	}
	for _, n := range g.Nodes {
		sort.Strings(n.Dependencies)
	}
}

// Short names a URN as type::name.
func Short(urn string) string { return short(urn) }

func short(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return urn
	}
	typ := parts[len(parts)-2]
	if i := strings.LastIndex(typ, "$"); i >= 0 {
		typ = typ[i+1:]
	}
	return typ + "::" + parts[len(parts)-1]
}

// providerURN strips the ID from a provider reference ("URN::ID"; a URN itself has three "::").
func providerURN(ref string) string {
	if strings.Count(ref, "::") > 3 {
		return ref[:strings.LastIndex(ref, "::")]
	}
	return ref
}

// LoadArg loads the graph named by a bench tool's only argument, or ends the process with a
// usage line or the error: the tools' one shared start.
func LoadArg(tool string) *Graph {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s graph.json\n", tool)
		os.Exit(2)
	}
	g, err := Load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return g
}
