package components

import (
	"context"
	"fmt"
	"reflect"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// EksClusterArgs configures an EksCluster.
type EksClusterArgs struct {
	// ClusterName is the EKS cluster name; required.
	ClusterName string
	// Region is the cluster's AWS region; required (it is part of KubeconfigCommand).
	Region string
	// KubernetesVersion is the EKS minor version, e.g. "1.35"; required.
	KubernetesVersion string
	// SupportType is the upgrade policy: "STANDARD" (default) or "EXTENDED" (6x the price).
	SupportType string
	// InstanceType is the nodes' EC2 type; defaults to t3.small.
	InstanceType string
	// NodeCount is the number of nodes; defaults to 1.
	NodeCount int
	// DiskSizeGiB is each node's root volume; defaults to 20.
	DiskSizeGiB int
}

// EksCluster is an EKS cluster with one managed node group, the add-ons that need nodes, and an
// explicit Kubernetes provider built from its kubeconfig.
type EksCluster struct {
	pulumi.ResourceState

	// ClusterName is the EKS cluster's name.
	ClusterName pulumi.StringOutput `pulumi:"clusterName"`
	// Kubeconfig reaches the cluster as its creator (a secret: it names the cluster endpoint and CA).
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`
	// Provider is the one Kubernetes provider every Kubernetes resource must use.
	Provider *kubernetes.Provider
	// KubeconfigCommand writes a kubeconfig for the cluster to ./kubeconfig with the AWS CLI,
	// whatever backend holds the stack's state.
	KubeconfigCommand string
	// Nodes are the resources that make the cluster able to run pods: what RBAC and Headlamp
	// wait for.
	Nodes []pulumi.Resource
	// ClusterUpdates are every resource whose creation is an update of the EKS cluster; another
	// cluster update (the identity provider association) must wait for all of them, or EKS
	// answers ResourceInUseException (FIELD-REPORTS F11).
	ClusterUpdates []pulumi.Resource
}

// EksPluginVersion is the pulumi-eks version whose components (eks:index:Cluster and
// eks:index:ManagedNodeGroup) build the cluster.
//
// They are registered by type token rather than through pulumi-eks's Go SDK, because that SDK
// imports pulumi-aws's ec2 package and Kubernetes' core/v1 and storage/v1 packages: 47 s + 41 s
// of CPU and up to 3.3 GB of compiler memory on every cold build of this program, for two calls
// (bench/README.md). The engine and the pulumi-eks plugin receive the same registrations.
const EksPluginVersion = "3.9.1"

// eksCluster holds the outputs of pulumi-eks's Cluster component that this program reads.
type eksCluster struct {
	pulumi.ResourceState

	KubeconfigJSON pulumi.StringOutput `pulumi:"kubeconfigJson"`
}

// ElementType makes an eksCluster usable as an input (a resource reference).
func (*eksCluster) ElementType() reflect.Type { return reflect.TypeOf((**eksCluster)(nil)).Elem() }

// eksManagedNodeGroup is pulumi-eks's ManagedNodeGroup component.
type eksManagedNodeGroup struct{ pulumi.ResourceState }

// nodePolicies are the AWS managed policies an EKS worker node role needs.
var nodePolicies = map[string]string{
	"worker": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
	"cni":    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
	"ecr":    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
}

// NewEksCluster creates the cluster, its node role and managed node group, and CoreDNS.
func NewEksCluster(ctx *pulumi.Context, name string, args *EksClusterArgs, opts ...pulumi.ResourceOption) (*EksCluster, error) {
	if args == nil || args.ClusterName == "" || args.Region == "" || args.KubernetesVersion == "" {
		return nil, fmt.Errorf("eks cluster %s: ClusterName, Region and KubernetesVersion are required", name)
	}
	a := *args
	if a.SupportType == "" {
		a.SupportType = "STANDARD"
	}
	if a.InstanceType == "" {
		a.InstanceType = "t3.small"
	}
	if a.NodeCount == 0 {
		a.NodeCount = 1
	}
	if a.DiskSizeGiB == 0 {
		a.DiskSizeGiB = 20
	}
	c := &EksCluster{}
	if err := ctx.RegisterComponentResource("headlamp-eks:components:EksCluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	role, err := iam.NewRole(ctx, name+"-nodes", &iam.RoleArgs{
		AssumeRolePolicy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating node role: %w", err)
	}
	var attachments []pulumi.Resource
	for _, key := range []string{"worker", "cni", "ecr"} {
		att, err := iam.NewRolePolicyAttachment(ctx, name+"-nodes-"+key, &iam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: pulumi.String(nodePolicies[key]),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("attaching %s policy to node role: %w", key, err)
		}
		attachments = append(attachments, att)
	}

	cluster := &eksCluster{}
	err = ctx.RegisterRemoteComponentResource("eks:index:Cluster", name, pulumi.Map{
		"name":    pulumi.String(a.ClusterName),
		"version": pulumi.String(a.KubernetesVersion),
		// Access entries: the creator is admin; managed nodes get their entry from EKS.
		"authenticationMode": pulumi.String("API"),
		// The default node group is a self-managed autoscaling group of two t2.medium; one
		// managed node of the configured size below is all the default stack needs.
		"skipDefaultNodeGroup": pulumi.Bool(true),
		// The IRSA OIDC provider is a different feature from user sign-in (FIELD-REPORTS F9).
		"createOidcProvider": pulumi.Bool(false),
	}, cluster, parent, pulumi.Version(EksPluginVersion), pulumi.Transforms([]pulumi.ResourceTransform{UpgradePolicyTransform(a.SupportType)}))
	if err != nil {
		return nil, fmt.Errorf("creating eks cluster: %w", err)
	}

	nodes := &eksManagedNodeGroup{}
	err = ctx.RegisterRemoteComponentResource("eks:index:ManagedNodeGroup", name+"-nodes", pulumi.Map{
		"cluster":       cluster,
		"nodeRole":      role,
		"instanceTypes": pulumi.ToStringArray([]string{a.InstanceType}),
		"diskSize":      pulumi.Int(a.DiskSizeGiB),
		"scalingConfig": pulumi.Map{
			"desiredSize": pulumi.Int(a.NodeCount),
			"minSize":     pulumi.Int(a.NodeCount),
			"maxSize":     pulumi.Int(a.NodeCount + 1),
		},
	}, nodes, parent, pulumi.Version(EksPluginVersion), pulumi.DependsOn(attachments))
	if err != nil {
		return nil, fmt.Errorf("creating node group: %w", err)
	}

	// pulumi-eks installs CoreDNS only with its default node group; as an EKS add-on it stays
	// DEGRADED (and its creation times out) until a node can run it, so it follows the nodes.
	coredns, err := awseks.NewAddon(ctx, name+"-coredns", &awseks.AddonArgs{
		ClusterName:              pulumi.String(a.ClusterName),
		AddonName:                pulumi.String("coredns"),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
	}, parent, pulumi.DependsOn([]pulumi.Resource{nodes}))
	if err != nil {
		return nil, fmt.Errorf("creating coredns add-on: %w", err)
	}

	// The name is ours (set above), so it is known at preview; ordering uses ClusterUpdates.
	c.ClusterName = pulumi.String(a.ClusterName).ToStringOutput()
	c.Kubeconfig = pulumi.ToSecret(cluster.KubeconfigJSON).(pulumi.StringOutput)
	c.Provider, err = kubernetes.NewProvider(ctx, name, &kubernetes.ProviderArgs{
		// The EKS kubeconfig holds no credential (it runs `aws eks get-token`); the provider
		// takes it as pulumi-eks returns it, the stack output is marked secret regardless.
		Kubeconfig: cluster.KubeconfigJSON,
		// Objects are applied server-side so previews show the API server's own diff.
		EnableServerSideApply: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating kubernetes provider: %w", err)
	}
	c.KubeconfigCommand = fmt.Sprintf("aws eks update-kubeconfig --region %s --name %s --kubeconfig ./kubeconfig", a.Region, a.ClusterName)
	c.Nodes = []pulumi.Resource{cluster, nodes}
	c.ClusterUpdates = []pulumi.Resource{cluster, nodes, coredns}

	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"clusterName": c.ClusterName,
		"kubeconfig":  c.Kubeconfig,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// UpgradePolicyTransform sets the EKS upgrade policy on the cluster pulumi-eks creates, which
// has no input for it: without it EKS puts a cluster into paid extended support by default.
func UpgradePolicyTransform(supportType string) pulumi.ResourceTransform {
	return func(_ context.Context, rta *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
		if rta.Type != "aws:eks/cluster:Cluster" {
			return nil
		}
		props := pulumi.Map{}
		for k, v := range rta.Props {
			props[k] = v
		}
		props["upgradePolicy"] = pulumi.Map{"supportType": pulumi.String(supportType)}
		return &pulumi.ResourceTransformResult{Props: props, Opts: rta.Opts}
	}
}
