package components

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/headlamp-eks/headlamp-eks/internal/settings"
)

// AccessArgs configures Access.
type AccessArgs struct {
	// Claims is the same value OidcAssociation sends to EKS; subject names come from it alone.
	Claims settings.Claims
	// GroupRoles maps each Cognito group to the ClusterRole its members get.
	GroupRoles map[string]string
	// UserRoles binds single users, by the value of their username claim (email), to ClusterRoles.
	UserRoles []settings.UserRole
	// Members maps users who get their rights through their groups (by email) to the value of
	// their username claim; only their subject names are reported, so people can see what they
	// will be called in Kubernetes.
	Members map[string]string
	// Provider is the cluster's explicit Kubernetes provider; required.
	Provider pulumi.ProviderResource
}

// Access gives Cognito groups and users their Kubernetes permissions through ClusterRoleBindings.
// EKS access entries are for IAM principals: OIDC users get rights only through RBAC.
type Access struct {
	pulumi.ResourceState

	// Subjects maps each Cognito group ("group:<name>") and user ("user:<email>") to the
	// Kubernetes subject name it is bound as, so people can check what they will be.
	Subjects pulumi.StringMapOutput `pulumi:"subjects"`
}

// bindingName is a stable ClusterRoleBinding name for a subject kind and name.
func bindingName(prefix, kind, subject string) string {
	return fmt.Sprintf("%s-%s-%s", prefix, kind, settings.Sanitize(subject))
}

// NewAccess creates one ClusterRoleBinding per group and per user binding.
func NewAccess(ctx *pulumi.Context, name string, args *AccessArgs, opts ...pulumi.ResourceOption) (*Access, error) {
	if args == nil || args.Provider == nil {
		return nil, fmt.Errorf("access %s: Provider is required", name)
	}
	c := &Access{}
	if err := ctx.RegisterComponentResource("headlamp-eks:components:Access", name, c, opts...); err != nil {
		return nil, err
	}
	subjects := map[string]string{}
	bind := func(kind, who, subject, role string) error {
		n := bindingName(name, strings.ToLower(kind), who+"-"+role)
		_, err := newKubeObject(ctx, n, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", pulumi.Map{
			"metadata": pulumi.Map{
				"name":   pulumi.String(n),
				"labels": pulumi.StringMap{"app.kubernetes.io/managed-by": pulumi.String("headlamp-eks")},
			},
			"roleRef": pulumi.Map{
				"apiGroup": pulumi.String("rbac.authorization.k8s.io"),
				"kind":     pulumi.String("ClusterRole"),
				"name":     pulumi.String(role),
			},
			"subjects": pulumi.Array{pulumi.Map{
				"apiGroup": pulumi.String("rbac.authorization.k8s.io"),
				"kind":     pulumi.String(kind),
				"name":     pulumi.String(subject),
			}},
		}, pulumi.Parent(c), pulumi.Provider(args.Provider))
		if err != nil {
			return fmt.Errorf("binding %s %s to %s: %w", kind, who, role, err)
		}
		subjects[strings.ToLower(kind)+":"+who] = subject
		return nil
	}
	groups := make([]string, 0, len(args.GroupRoles))
	for g := range args.GroupRoles {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		if err := bind("Group", g, args.Claims.GroupSubject(g), args.GroupRoles[g]); err != nil {
			return nil, err
		}
	}
	for _, u := range args.UserRoles {
		if err := bind("User", u.Email, args.Claims.UserSubject(u.Email), u.ClusterRole); err != nil {
			return nil, err
		}
	}
	for email, claim := range args.Members {
		subjects["user:"+email] = args.Claims.UserSubject(claim)
	}
	c.Subjects = pulumi.ToStringMap(subjects).ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"subjects": c.Subjects}); err != nil {
		return nil, err
	}
	return c, nil
}
