// Command signin estimates the time from `pulumi up` to the first possible sign-in, from the
// program's own resource graph (written by `HEADLAMP_EKS_GRAPH_OUT=graph.json go test . -run
// TestDevStackUpdate`) and per-resource creation times that AWS documents or users reported.
//
// It prints the critical path (what the engine cannot start earlier, given the dependencies),
// the floor (cluster creation plus the association plus only the cluster updates AWS refuses to
// run at the same time as the association) and the tutorial's sequential order (every step
// after the other). Usage: go run ./bench/signin graph.json
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/headlamp-eks/headlamp-eks/bench/internal/footnotes"
	"github.com/headlamp-eks/headlamp-eks/bench/internal/graph"
)

// step is how long creating one kind of resource takes, in minutes.
type step struct {
	label         string
	types         []string
	nameHas       string // only resources whose name contains this (empty: all)
	min, typ, max float64
	sources       []string
	note          string
}

// Sources. Each figure is cited; where no published figure exists the note says so.
const (
	srcEKSAverage    = "https://github.com/aws/containers-roadmap/issues/1227"
	srcEKSRegions    = "https://easontechtalk.com/unofficial-eks-cluster-creation-performance-across-aws-regions"
	srcEKSLog        = "https://github.com/turbot/steampipe-plugin-aws/pull/571"
	srcNodeGroup     = "https://github.com/pulumi/pulumi-eks/issues/633"
	srcCoreDNSSlow   = "https://github.com/aws-ia/terraform-aws-eks-blueprints/issues/642"
	srcCoreDNSNodes  = "https://github.com/terraform-aws-modules/terraform-aws-eks/issues/3001"
	srcAssocSlow     = "https://github.com/aws/containers-roadmap/issues/1438"
	srcAssocTimeout  = "https://github.com/hashicorp/terraform-provider-aws/issues/20155"
	srcAssocDoubles  = "https://github.com/zalando-incubator/kubernetes-on-aws/pull/8232"
	srcCognitoDomain = "https://github.com/hashicorp/terraform-provider-aws/pull/2325"
	srcCognitoAPI    = "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html"
	srcIAM           = "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency"
	srcHelmAwait     = "https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v4/chart/"
	// Which cluster operations may not overlap the association.
	srcAssocAPI     = "https://docs.aws.amazon.com/eks/latest/APIReference/API_AssociateIdentityProviderConfig.html"
	srcNodegroupAPI = "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html"
	srcInUse        = "https://github.com/elastic/cloudbeat/issues/3093"
	srcNotActive    = "https://github.com/eksctl-io/eksctl/issues/2244"
	srcTFRetry      = "https://github.com/hashicorp/terraform-provider-aws/issues/44554"
)

var steps = []step{
	{label: "EKS control plane (pulumi-eks Cluster)", types: []string{"eks:index:Cluster", "aws:eks/cluster:Cluster"},
		min: 10, typ: 15, max: 16, sources: []string{srcEKSAverage, srcEKSRegions, srcEKSLog},
		note: "AWS: 'averages 15 minutes'; 13-16 min measured across 21 regions; 11m35s in a Terraform log. pulumi-eks's IAM role, security group and access entries take seconds and are included"},
	{label: "managed node group (1 node joins)", types: []string{"eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup", "eks:index:NodeGroupV2", "eks:index:NodeGroup"},
		min: 2, typ: 3, max: 5, sources: []string{srcNodeGroup},
		note: "'new nodes start and join the group/cluster within about 3 minutes'; range is an estimate"},
	{label: "CoreDNS add-on (after a node exists)", types: []string{"aws:eks/addon:Addon"}, nameHas: "coredns",
		min: 1, typ: 2, max: 15, sources: []string{srcCoreDNSNodes, srcCoreDNSSlow},
		note: "stays DEGRADED until a node can run it; 15 min reported in 2022 even with pods ready. Typical 2 min is an estimate, not a published figure"},
	{label: "other EKS add-on", types: []string{"aws:eks/addon:Addon"},
		min: 1, typ: 2, max: 15, sources: []string{srcCoreDNSSlow}, note: "as CoreDNS; estimate"},
	{label: "OIDC identity provider association", types: []string{"aws:eks/identityProviderConfig:IdentityProviderConfig"},
		min: 20, typ: 25, max: 40, sources: []string{srcAssocSlow, srcAssocTimeout, srcAssocDoubles},
		note: "still creating after 24 min; longer than Terraform's former 20-min timeout; 'almost doubles the creation time' (control plane nodes are rotated)"},
	{label: "Cognito user pool", types: []string{"aws:cognito/userPool:UserPool"},
		min: 0.05, typ: 0.1, max: 0.5, sources: []string{srcCognitoAPI}, note: "synchronous API call; seconds (no published figure)"},
	{label: "Cognito hosted-UI domain (prefix)", types: []string{"aws:cognito/userPoolDomain:UserPoolDomain"},
		min: 0.1, typ: 0.5, max: 1, sources: []string{srcCognitoDomain}, note: "provider acceptance test: pool + domain created and destroyed in 44 s"},
	{label: "Cognito app client / group / user", types: []string{"aws:cognito/userPoolClient:UserPoolClient", "aws:cognito/userGroup:UserGroup", "aws:cognito/user:User", "aws:cognito/userInGroup:UserInGroup"},
		min: 0.02, typ: 0.05, max: 0.2, sources: []string{srcCognitoAPI}, note: "synchronous API calls; seconds (no published figure)"},
	{label: "IAM role / policy attachment", types: []string{"aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"},
		min: 0.02, typ: 0.1, max: 0.5, sources: []string{srcIAM}, note: "seconds, plus IAM's eventual consistency"},
	{label: "Headlamp chart (pods ready)", types: []string{"kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"},
		min: 0.5, typ: 1, max: 3, sources: []string{srcHelmAwait}, note: "waits for the Deployment to be ready: image pull and start; estimate, no published figure"},
	{label: "Kubernetes object (namespace, Secret, binding)", types: []string{"kubernetes:core/v1:Namespace", "kubernetes:core/v1:Secret", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"},
		min: 0.01, typ: 0.05, max: 0.2, sources: nil, note: "one API server request each; estimate"},
	{label: "provider / stack (no cloud work)", types: []string{"pulumi:providers:kubernetes", "pulumi:providers:aws", "pulumi:providers:eks", "pulumi:pulumi:Stack"}},
}

// signInTypes are what must exist before a user can sign in: the association ACTIVE, Headlamp
// installed, RBAC bindings, and the Cognito client, domain and users.
var signInTypes = map[string]bool{
	"aws:eks/identityProviderConfig:IdentityProviderConfig":      true,
	"kubernetes:helm.sh/v4:Chart":                                true,
	"kubernetes:helm.sh/v3:Release":                              true,
	"kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": true,
	"aws:cognito/userPoolClient:UserPoolClient":                  true,
	"aws:cognito/userPoolDomain:UserPoolDomain":                  true,
	"aws:cognito/user:User":                                      true,
	"aws:cognito/userInGroup:UserInGroup":                        true,
}

// clusterUpdate reports whether creating n is a cluster operation EKS will not run while the
// association (itself a cluster update) is in progress: node groups (CreateNodegroup answers
// InvalidRequestException unless the cluster is ACTIVE) and add-ons (an AddonUpdate is a cluster
// update; AssociateIdentityProviderConfig answers ResourceInUseException while one runs).
func clusterUpdate(n *graph.Node) bool {
	switch n.Type {
	case "eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup", "eks:index:NodeGroupV2", "eks:index:NodeGroup", "aws:eks/addon:Addon":
		return true
	}
	return false
}

func isCluster(n *graph.Node) bool {
	return n.Type == "eks:index:Cluster" || n.Type == "aws:eks/cluster:Cluster"
}

func isAssociation(n *graph.Node) bool {
	return n.Type == "aws:eks/identityProviderConfig:IdentityProviderConfig"
}

// stepOf finds n's step; aggregates (local components) have none.
func stepOf(n *graph.Node) *step {
	for i := range steps {
		s := &steps[i]
		for _, t := range s.types {
			if t == n.Type && (s.nameHas == "" || strings.Contains(n.Name, s.nameHas)) {
				return s
			}
		}
	}
	return nil
}

type scenario int

const (
	minimum scenario = iota
	typical
	maximum
)

func (s *step) dur(sc scenario) float64 {
	if s == nil {
		return 0
	}
	return [...]float64{s.min, s.typ, s.max}[sc]
}

// schedule computes each node's earliest finish with unlimited parallelism, as the engine runs
// independent resources concurrently. A component with children (an aggregate) finishes with
// its last child; depending on it means depending on all of them.
type schedule struct {
	g      *graph.Graph
	sc     scenario
	finish map[string]float64
	// via is the node whose finish decided n's start (or, for an aggregate, its last child).
	via      map[string]string
	visiting map[string]bool
}

func newSchedule(g *graph.Graph, sc scenario) *schedule {
	return &schedule{g: g, sc: sc, finish: map[string]float64{}, via: map[string]string{}, visiting: map[string]bool{}}
}

func (s *schedule) aggregate(n *graph.Node) bool { return stepOf(n) == nil && len(n.Children) > 0 }

func (s *schedule) end(urn string) float64 {
	if f, ok := s.finish[urn]; ok {
		return f
	}
	n := s.g.ByURN[urn]
	if n == nil {
		return 0 // a dependency outside the graph: already exists
	}
	if s.visiting[urn] {
		fmt.Fprintf(os.Stderr, "warning: dependency cycle through %s\n", graph.Short(urn))
		return 0
	}
	s.visiting[urn] = true
	defer delete(s.visiting, urn)
	start, via := 0.0, ""
	for _, d := range n.Dependencies {
		if f := s.end(d); f > start || via == "" && f == start && f > 0 {
			start, via = f, d
		}
	}
	f := start + stepOf(n).dur(s.sc)
	if s.aggregate(n) {
		for _, c := range n.Children {
			if cf := s.end(c.URN); cf > f {
				f, via = cf, c.URN
			}
		}
	}
	s.finish[urn], s.via[urn] = f, via
	return f
}

// signIn is when the last sign-in prerequisite is done, and which one that is.
func (s *schedule) signIn() (float64, string) {
	best, who := 0.0, ""
	for _, n := range s.g.Nodes {
		if signInTypes[n.Type] {
			if f := s.end(n.URN); f > best || who == "" {
				best, who = f, n.URN
			}
		}
	}
	return best, who
}

// path walks back from urn along the dependencies that decided each start.
func (s *schedule) path(urn string) []*graph.Node {
	var out []*graph.Node
	for urn != "" {
		n := s.g.ByURN[urn]
		if n == nil {
			break
		}
		if stepOf(n).dur(s.sc) > 0 {
			out = append([]*graph.Node{n}, out...)
		}
		urn = s.via[urn]
	}
	return out
}

// out is where the report goes (tests read it).
var out io.Writer = os.Stdout

func main() {
	g := graph.LoadArg("signin")
	if _, err := report(g); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// report prints the tables and returns the verdict line.
func report(g *graph.Graph) (string, error) {
	var cluster, assoc *graph.Node
	var updates []*graph.Node
	unknown := map[string]int{}
	for _, n := range g.Nodes {
		switch {
		case isCluster(n):
			cluster = n
		case isAssociation(n):
			assoc = n
		case clusterUpdate(n):
			updates = append(updates, n)
		}
		if stepOf(n) == nil && len(n.Children) == 0 {
			unknown[n.Type]++
		}
	}
	if cluster == nil || assoc == nil {
		return "", fmt.Errorf("the graph has no EKS cluster or no identity provider association")
	}

	fmt.Fprintln(out, "## Time to first sign-in (default stack, minutes)")
	fmt.Fprintln(out)
	fmt.Fprintf(out, "%-48s %5s %7s %7s %7s  %s\n", "step (resources in the graph)", "count", "min", "typical", "max", "sources")
	counts := map[*step]int{}
	for _, n := range g.Nodes {
		if s := stepOf(n); s != nil {
			counts[s]++
		}
	}
	var refs footnotes.List
	for i := range steps {
		s := &steps[i]
		if counts[s] == 0 || s.max == 0 {
			continue
		}
		var src []string
		for _, u := range s.sources {
			src = append(src, refs.Ref(u))
		}
		fmt.Fprintf(out, "%-48s %5d %7.2f %7.2f %7.2f  %s %s\n", s.label, counts[s], s.min, s.typ, s.max, strings.Join(src, ""), s.note)
	}
	fmt.Fprintln(out)
	for i, r := range refs.URLs {
		fmt.Fprintf(out, "[%d] %s\n", i+1, r)
	}
	if len(unknown) > 0 {
		var ks []string
		for k, c := range unknown {
			ks = append(ks, fmt.Sprintf("%s x%d", k, c))
		}
		sort.Strings(ks)
		fmt.Fprintf(out, "\nwarning: no creation time known for %s (counted as 0 min; add it to bench/signin)\n", strings.Join(ks, ", "))
	}
	for _, n := range g.Notes {
		fmt.Fprintln(out, "note:", n)
	}

	fmt.Fprintln(out)
	fmt.Fprintf(out, "%-44s %9s %9s %9s\n", "", "min", "typical", "max")
	var ours, floor, tutorial [3]float64
	var paths [3][]*graph.Node
	for sc := minimum; sc <= maximum; sc++ {
		s := newSchedule(g, sc)
		t, last := s.signIn()
		ours[sc], paths[sc] = t, s.path(last)
		floor[sc] = stepOf(cluster).dur(sc) + stepOf(assoc).dur(sc)
		for _, u := range updates {
			floor[sc] += stepOf(u).dur(sc)
		}
		for _, n := range g.Nodes {
			tutorial[sc] += stepOf(n).dur(sc)
		}
	}
	row := func(label string, v [3]float64) {
		fmt.Fprintf(out, "%-44s %9.1f %9.1f %9.1f\n", label, v[0], v[1], v[2])
	}
	row("ours: critical path to first sign-in", ours)
	row("floor: cluster + association + serialized", floor)
	row("tutorial: every step one after another", tutorial)
	ratio := func(a, b [3]float64) [3]float64 { return [3]float64{a[0] / b[0], a[1] / b[1], a[2] / b[2]} }
	fmt.Fprintf(out, "%-44s %9.2f %9.2f %9.2f\n", "ours / floor", ratio(ours, floor)[0], ratio(ours, floor)[1], ratio(ours, floor)[2])
	fmt.Fprintf(out, "%-44s %9.2f %9.2f %9.2f\n", "ours / tutorial", ratio(ours, tutorial)[0], ratio(ours, tutorial)[1], ratio(ours, tutorial)[2])

	fmt.Fprintln(out)
	fmt.Fprintln(out, "floor = EKS control plane + association + the cluster updates sign-in needs that AWS will not")
	fmt.Fprintln(out, "run during the association: node group (CreateNodegroup: InvalidRequestException unless the")
	fmt.Fprintln(out, "cluster is ACTIVE) and add-ons (AssociateIdentityProviderConfig: ResourceInUseException while")
	fmt.Fprintln(out, "another update is in progress). Sources: "+strings.Join([]string{srcAssocAPI, srcNodegroupAPI, srcInUse, srcNotActive, srcTFRetry}, " "))

	fmt.Fprintln(out)
	fmt.Fprintln(out, "critical path (typical):")
	onFloor := map[*graph.Node]bool{cluster: true, assoc: true}
	for _, u := range updates {
		onFloor[u] = true
	}
	var extra []string
	for _, sc := range []scenario{typical, minimum, maximum} {
		for _, n := range paths[sc] {
			if sc == typical {
				mark := "floor"
				if !onFloor[n] {
					mark = "NOT A FLOOR STEP"
				}
				fmt.Fprintf(out, "  %-60s %6.1f min  [%s]\n", n.Type+" "+n.Name, stepOf(n).dur(typical), mark)
				for _, why := range n.Implied {
					fmt.Fprintf(out, "  %-60s   (waits for %s)\n", "", why)
				}
			}
			if !onFloor[n] {
				extra = append(extra, n.Type+" "+n.Name)
			}
		}
	}
	// Every serialized update must be ordered against the association one way or the other:
	// otherwise EKS refuses one of them (the program would fail, not be faster).
	var overlap []string
	for _, u := range updates {
		if !dependsOn(g, assoc, u.URN) && !dependsOn(g, u, assoc.URN) {
			overlap = append(overlap, u.Type+" "+u.Name)
		}
	}
	var verdict string
	switch {
	case len(overlap) > 0:
		verdict = "target (critical path = floor, nothing else on it): MISSED: not ordered against the association, so AWS would refuse one of them: " + strings.Join(overlap, ", ")
	case len(extra) == 0 && ours[typical] <= floor[typical]+1e-9:
		verdict = "target (critical path = floor, nothing else on it): MET"
	default:
		verdict = fmt.Sprintf("target (critical path = floor, nothing else on it): MISSED (%.1f min over the floor; not floor steps on the path: %s)", ours[typical]-floor[typical], strings.Join(dedupe(extra), ", "))
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, verdict)
	return verdict, nil
}

// dependsOn reports whether n waits for target, directly or through other nodes (an aggregate
// dependency means all of its children).
func dependsOn(g *graph.Graph, n *graph.Node, target string) bool {
	seen := map[string]bool{}
	var walk func(*graph.Node) bool
	walk = func(x *graph.Node) bool {
		var next []string
		next = append(next, x.Dependencies...)
		if stepOf(x) == nil {
			for _, c := range x.Children {
				next = append(next, c.URN)
			}
		}
		for _, d := range next {
			if d == target {
				return true
			}
			if !seen[d] && g.ByURN[d] != nil {
				seen[d] = true
				if walk(g.ByURN[d]) {
					return true
				}
			}
		}
		return false
	}
	return walk(n)
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
