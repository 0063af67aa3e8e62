// Command cost prints the monthly cost of the default stack in us-east-1, beside the same table
// for eksctl's and pulumi-eks's defaults. Our figures come from the program itself: the node
// type, count, disk size and Kubernetes version from settings.Defaults(), and the counts of
// clusters, node groups, add-ons, NAT gateways and load balancers from the resource graph the
// program's test writes (HEADLAMP_EKS_GRAPH_OUT). Usage: go run ./bench/cost graph.json
package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/headlamp-eks/headlamp-eks/bench/internal/footnotes"
	"github.com/headlamp-eks/headlamp-eks/bench/internal/graph"
	"github.com/headlamp-eks/headlamp-eks/internal/settings"
)

// hoursPerMonth is AWS's convention for monthly estimates.
const hoursPerMonth = 730

// target is the ceiling for the default stack, all in, in dollars per month.
const target = 110.0

// price is one published us-east-1 on-demand rate.
type price struct {
	usd  float64
	unit string // "h" (per hour) or "GB-mo" (per GB-month) or "MAU"
	src  string
	// checked says how the figure was checked (this machine cannot open aws.amazon.com).
	checked string
}

// Prices, us-east-1, on-demand, Linux. AWS's own pages are the sources; "checked" names the
// dated copy the figure was compared with (December 2026, from the search index; no live fetch).
var prices = map[string]price{
	"eks-standard": {0.10, "h", "https://aws.amazon.com/eks/pricing/", "AWS blog 'EKS extended support pricing' (standard $0.10, extended $0.60 per cluster-hour); cloudburn.io EKS pricing, Mar 2026"},
	"eks-extended": {0.60, "h", "https://aws.amazon.com/eks/pricing/", "same as above"},
	"t3.small":     {0.0208, "h", "https://aws.amazon.com/ec2/pricing/on-demand/", "NOT re-verified here: AWS's published rate as of 2025"},
	"t3.medium":    {0.0416, "h", "https://aws.amazon.com/ec2/pricing/on-demand/", "NOT re-verified here: AWS's published rate as of 2025"},
	"t2.medium":    {0.0464, "h", "https://aws.amazon.com/ec2/pricing/on-demand/", "NOT re-verified here: AWS's published rate as of 2025"},
	"m5.large":     {0.096, "h", "https://aws.amazon.com/ec2/pricing/on-demand/", "kindatechnical.com EKS pricing lesson (m5.large $0.096/h)"},
	"gp2":          {0.10, "GB-mo", "https://aws.amazon.com/ebs/pricing/", "NOT re-verified here: AWS's published rate as of 2025"},
	"gp3":          {0.08, "GB-mo", "https://aws.amazon.com/ebs/pricing/", "NOT re-verified here: AWS's published rate as of 2025"},
	"ipv4":         {0.005, "h", "https://aws.amazon.com/vpc/pricing/", "factualminds.com VPC pricing, Jun 2026 ($3.60/month per address); cloudburn.io NAT pricing, Feb 2026"},
	"nat":          {0.045, "h", "https://aws.amazon.com/vpc/pricing/", "cloudburn.io NAT pricing, Feb 2026; basavytix.com ($0.045/h, plus $0.045/GB processed, not counted)"},
	"cognito":      {0, "MAU", "https://aws.amazon.com/cognito/pricing/", "Essentials and Lite plans: first 10,000 MAU per month free (api-evangelist transcription of the page, read 2026-09-20); Essentials is the default plan of new pools"},
}

// instance is what the node-size check needs about an EC2 type.
type instance struct {
	vcpu, memMiB, maxPods int
}

// instances: vCPU and memory from the EC2 instance type pages; max pods with the VPC CNI from
// amazon-eks-ami's eni-max-pods.txt (ENIs x (IPv4 per ENI - 1) + 2).
var instances = map[string]instance{
	"t3.small":  {2, 2048, 11},
	"t3.medium": {2, 4096, 17},
	"t2.medium": {2, 4096, 17},
	"m5.large":  {2, 8192, 29},
}

const srcMaxPods = "https://github.com/awslabs/amazon-eks-ami/blob/master/files/eni-max-pods.txt"

// line is one row of a cost table.
type line struct {
	item  string
	qty   float64
	price string
	note  string
}

func (l line) monthly() float64 {
	p := prices[l.price]
	if p.unit == "h" {
		return l.qty * p.usd * hoursPerMonth
	}
	return l.qty * p.usd
}

type stack struct {
	name  string
	lines []line
	src   string
}

func (s stack) total() float64 {
	t := 0.0
	for _, l := range s.lines {
		t += l.monthly()
	}
	return t
}

func main() {
	g := graph.LoadArg("cost")
	ours, fit, err := oursFrom(settings.Defaults(), g, time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stacks := []stack{ours, eksctl(), pulumiEKS()}

	fmt.Println("## Monthly cost, us-east-1, on-demand, 730 h/month (usage-based charges such as data transfer,")
	fmt.Println("## NAT data processing and CloudWatch are not counted)")
	var refs footnotes.List
	for _, s := range stacks {
		fmt.Printf("\n### %s  (%s)\n", s.name, s.src)
		fmt.Printf("%-50s %6s %14s %10s  %s\n", "item", "qty", "unit price", "$/month", "price source, note")
		for _, l := range s.lines {
			p := prices[l.price]
			fmt.Printf("%-50s %6g %14s %10.2f  %s %s\n", l.item, l.qty, fmt.Sprintf("$%g/%s", p.usd, p.unit), l.monthly(), refs.Ref(p.src), l.note)
		}
		fmt.Printf("%-50s %6s %14s %10.2f\n", "total", "", "", s.total())
	}

	fmt.Println()
	fmt.Printf("%-34s %10s %12s\n", "stack", "$/month", "vs ours")
	for _, s := range stacks {
		fmt.Printf("%-34s %10.2f %11.2fx\n", s.name, s.total(), s.total()/ours.total())
	}
	verdict := "MET"
	if ours.total() > target {
		verdict = "MISSED"
	}
	fmt.Printf("\ntarget: default stack <= $%.0f/month all-in: %s ($%.2f)\n", target, verdict, ours.total())

	fmt.Println()
	fmt.Println(fit)

	fmt.Println("price sources (us-east-1; checked December 2026 against the dated copies named below —")
	fmt.Println("this machine cannot open aws.amazon.com, so re-check the live pages before quoting):")
	for i, r := range refs.URLs {
		fmt.Printf("[%d] %s\n", i+1, r)
		for _, k := range sortedKeys() {
			if prices[k].src == r {
				fmt.Printf("      %-13s $%g/%s — %s\n", k, prices[k].usd, prices[k].unit, prices[k].checked)
			}
		}
	}
}

func sortedKeys() []string {
	return []string{"eks-standard", "eks-extended", "t3.small", "t3.medium", "t2.medium", "m5.large", "gp2", "gp3", "ipv4", "nat", "cognito"}
}

// oursFrom builds our table from the defaults and the graph, and checks that the node size runs
// what the stack schedules.
func oursFrom(d settings.Input, g *graph.Graph, now time.Time) (stack, string, error) {
	clusters := g.Count(func(t string) bool { return t == "eks:index:Cluster" || t == "aws:eks/cluster:Cluster" })
	nodeGroups := g.Count(func(t string) bool {
		return t == "eks:index:ManagedNodeGroup" || t == "aws:eks/nodeGroup:NodeGroup"
	})
	selfManaged := g.Count(func(t string) bool { return t == "eks:index:NodeGroupV2" || t == "eks:index:NodeGroup" })
	addons := g.Count(func(t string) bool { return t == "aws:eks/addon:Addon" })
	nats := g.Count(func(t string) bool { return t == "aws:ec2/natGateway:NatGateway" })
	eips := g.Count(func(t string) bool { return t == "aws:ec2/eip:Eip" })
	lbs := g.Count(func(t string) bool {
		return strings.HasPrefix(t, "aws:lb/") || strings.HasPrefix(t, "aws:alb/") || strings.HasPrefix(t, "aws:elb/")
	})
	if clusters != 1 || nodeGroups < 1 {
		return stack{}, "", fmt.Errorf("graph: want 1 EKS cluster and at least 1 managed node group, got %d and %d", clusters, nodeGroups)
	}
	if selfManaged > 0 {
		return stack{}, "", fmt.Errorf("graph: %d self-managed node groups; this table does not price them yet", selfManaged)
	}
	if _, ok := prices[d.NodeInstanceType]; !ok {
		return stack{}, "", fmt.Errorf("no price for the default node type %s: add it to bench/cost", d.NodeInstanceType)
	}
	plane := "eks-standard"
	standard := false
	for _, v := range settings.StandardVersions(now) {
		standard = standard || v == d.KubernetesVersion
	}
	if !standard {
		plane = "eks-extended"
	}
	nodes := float64(nodeGroups * d.NodeCount)
	s := stack{
		name: "headlamp-eks default",
		src: fmt.Sprintf("settings.Defaults(): %s x%d, %d GiB, Kubernetes %s; graph: %d cluster, %d node group, %d add-on(s) (no charge), %d NAT, %d load balancer",
			d.NodeInstanceType, d.NodeCount, d.NodeDiskSizeGiB, d.KubernetesVersion, clusters, nodeGroups, addons, nats, lbs),
		lines: []line{
			{"EKS control plane (" + map[bool]string{true: "standard", false: "extended"}[standard] + " support)", float64(clusters), plane,
				fmt.Sprintf("Kubernetes %s, upgrade policy %s", d.KubernetesVersion, map[bool]string{true: "EXTENDED (allowed)", false: "STANDARD"}[d.AllowExtendedSupport])},
			{"EC2 " + d.NodeInstanceType + " (managed node group)", nodes, d.NodeInstanceType,
				"T instances run 'unlimited': CPU above the baseline (20% per vCPU for t3.small) adds $0.05/vCPU-h, not counted; an idle dashboard stays under it"},
			{fmt.Sprintf("EBS root volume %d GiB gp2", d.NodeDiskSizeGiB), nodes * float64(d.NodeDiskSizeGiB), "gp2",
				"managed node groups without a launch template get gp2 (aws/containers-roadmap#1417); gp3 would save $0.02/GiB"},
			{"public IPv4 address (node in default-VPC subnet)", nodes, "ipv4", "default subnets assign a public IPv4 to each instance"},
			{"Cognito user pool (< 10,000 MAU)", 0, "cognito", "free tier; emails sent with COGNITO_DEFAULT are free (50/day)"},
		},
	}
	if nats+eips > 0 {
		s.lines = append(s.lines, line{"NAT gateway", float64(nats), "nat", ""}, line{"Elastic IP", float64(eips), "ipv4", ""})
	}
	if lbs > 0 {
		return stack{}, "", fmt.Errorf("graph has %d load balancers; add their price to bench/cost", lbs)
	}
	return s, nodeFit(d), nil
}

// request is what a pod asks the scheduler for.
type request struct {
	who      string
	cpuMilli int
	memMiB   int
	src      string
}

// nodeFit says whether one default node runs everything the default stack schedules.
func nodeFit(d settings.Input) string {
	in, ok := instances[d.NodeInstanceType]
	if !ok {
		return "node size check: no data for " + d.NodeInstanceType
	}
	// EKS AMI reservations (amazon-eks-ami bootstrap): CPU 6% of the first core, 1% of the
	// second, 0.5% of cores 3-4, 0.25% beyond; memory 255 MiB + 11 MiB per pod; eviction 100 MiB.
	reservedCPU := 60
	if in.vcpu >= 2 {
		reservedCPU += 10
	}
	for c := 3; c <= in.vcpu && c <= 4; c++ {
		reservedCPU += 5
	}
	allocCPU := in.vcpu*1000 - reservedCPU
	allocMem := in.memMiB - (255 + 11*in.maxPods) - 100
	reqs := []request{
		{"aws-node (VPC CNI, DaemonSet)", 25, 0, "https://github.com/aws/amazon-vpc-cni-k8s/blob/master/config/master/aws-k8s-cni.yaml"},
		{"kube-proxy (DaemonSet)", 100, 0, "EKS kube-proxy add-on manifest (cpu 100m)"},
		{"CoreDNS replica 1", 100, 70, "https://github.com/kubernetes/kubernetes/blob/master/cluster/addons/dns/coredns/coredns.yaml.base"},
		{"CoreDNS replica 2", 100, 70, "same"},
		{"Headlamp (chart sets none; chart's suggested 100m/128Mi assumed)", 100, 128, "https://github.com/kubernetes-sigs/headlamp/blob/main/charts/headlamp/values.yaml"},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Does one %s run the stack? (per node)\n", d.NodeInstanceType)
	fmt.Fprintf(&b, "%-64s %8s %8s\n", "pod", "cpu (m)", "mem MiB")
	cpu, mem := 0, 0
	for _, r := range reqs {
		fmt.Fprintf(&b, "%-64s %8d %8d  %s\n", r.who, r.cpuMilli, r.memMiB, r.src)
		cpu += r.cpuMilli
		mem += r.memMiB
	}
	fmt.Fprintf(&b, "%-64s %8d %8d\n", "requests", cpu, mem)
	fmt.Fprintf(&b, "%-64s %8d %8d  (%d vCPU, %d MiB nominal, minus EKS reservations; kubelet sees a little less memory)\n", "allocatable (at most)", allocCPU, allocMem, in.vcpu, in.memMiB)
	fmt.Fprintf(&b, "%-64s %7.0f%% %7.0f%%\n", "used by requests", 100*float64(cpu)/float64(allocCPU), 100*float64(mem)/float64(allocMem))
	fmt.Fprintf(&b, "pods: %d of %d (max pods with the VPC CNI: %s)\n", len(reqs), in.maxPods, srcMaxPods)
	ok = cpu*2 <= allocCPU && mem*2 <= allocMem && len(reqs) < in.maxPods
	fmt.Fprintf(&b, "fits comfortably (requests at most half of allocatable, a free pod slot): %v\n", ok)
	return b.String()
}

func eksctl() stack {
	return stack{
		name: "eksctl create cluster defaults",
		src:  "2x m5.large, 80 GiB gp3 each, new VPC with one NAT gateway, nodes in public subnets: https://github.com/eksctl-io/eksctl/blob/main/pkg/apis/eksctl.io/v1alpha5/types.go, https://github.com/eksctl-io/eksctl/blob/main/README.md",
		lines: []line{
			{"EKS control plane (standard support)", 1, "eks-standard", ""},
			{"EC2 m5.large", 2, "m5.large", ""},
			{"EBS root volume 80 GiB gp3", 160, "gp3", "DefaultNodeVolumeSize 80, DefaultNodeVolumeType gp3"},
			{"NAT gateway (vpc.nat.gateway: Single)", 1, "nat", "plus $0.045/GB processed"},
			{"public IPv4 (2 nodes + NAT's Elastic IP)", 3, "ipv4", ""},
		},
	}
}

func pulumiEKS() stack {
	return stack{
		name: "pulumi-eks eks.Cluster defaults",
		src:  "default node group 2x t3.medium (v3.9.1 docs: 'Defaults to \"t3.medium\"'; older releases used t2.medium), 20 GiB gp2 root, default VPC, no NAT: https://github.com/pulumi/pulumi-eks/blob/v3.9.1/sdk/go/eks/cluster.go",
		lines: []line{
			{"EKS control plane (standard support)", 1, "eks-standard", "extended ($0.60/h) once the version ages: pulumi-eks sets no upgrade policy"},
			{"EC2 t3.medium (self-managed node group)", 2, "t3.medium", "t2.medium would be $67.74"},
			{"EBS root volume 20 GiB gp2", 40, "gp2", "nodeRootVolumeType default gp2"},
			{"public IPv4 (2 nodes)", 2, "ipv4", ""},
		},
	}
}
