package main

import (
	"io"
	"strings"
	"testing"

	"github.com/headlamp-eks/headlamp-eks/bench/internal/graph"
	"github.com/headlamp-eks/headlamp-eks/internal/depgraph"
)

// urn builds a URN the way the mock monitor does (a child of one component).
func urn(typ, name string) string {
	return "urn:pulumi:dev::headlamp-eks::headlamp-eks:components:C$" + typ + "::" + name
}

func node(typ, name string, deps ...string) *graph.Node {
	return &graph.Node{Node: depgraph.Node{URN: urn(typ, name), Type: typ, Name: name, Custom: true, Dependencies: deps}}
}

// stack is a small graph shaped like the program's: the association waits for every other
// cluster update when ordered is true.
func stack(ordered bool) *graph.Graph {
	cluster := node("eks:index:Cluster", "c")
	ng := node("eks:index:ManagedNodeGroup", "ng") // waits for the cluster through its input
	dns := node("aws:eks/addon:Addon", "coredns", ng.URN)
	pool := node("aws:cognito/userPool:UserPool", "pool")
	client := node("aws:cognito/userPoolClient:UserPoolClient", "client", pool.URN)
	assocDeps := []string{cluster.URN, pool.URN, client.URN}
	if ordered {
		assocDeps = append(assocDeps, ng.URN, dns.URN)
	}
	assoc := node("aws:eks/identityProviderConfig:IdentityProviderConfig", "assoc", assocDeps...)
	prov := node("pulumi:providers:kubernetes", "k8s", cluster.URN)
	ns := node("kubernetes:core/v1:Namespace", "ns", ng.URN)
	chart := node("kubernetes:helm.sh/v4:Chart", "chart", ns.URN)
	crb := node("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "crb")
	return graph.New([]*graph.Node{cluster, ng, dns, pool, client, assoc, prov, ns, chart, crb})
}

func TestCriticalPathIsTheFloor(t *testing.T) {
	out = io.Discard
	v, err := report(stack(true))
	if err != nil || !strings.HasSuffix(v, ": MET") {
		t.Fatalf("verdict %q, %v", v, err)
	}
	s := newSchedule(stack(true), typical)
	if got, _ := s.signIn(); got != 15+3+2+25 {
		t.Errorf("sign-in after %v min, want 45", got)
	}
}

func TestUnorderedUpdatesAreRefused(t *testing.T) {
	out = io.Discard
	v, err := report(stack(false))
	if err != nil || !strings.Contains(v, "MISSED: not ordered against the association") {
		t.Fatalf("verdict %q, %v", v, err)
	}
}
