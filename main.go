// Command headlamp-eks is a Pulumi program: one `pulumi up` gives a team an EKS cluster with the
// Headlamp dashboard, signed in to through Cognito, with Kubernetes RBAC deciding who may do what.
package main

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/headlamp-eks/headlamp-eks/components"
)

func main() { pulumi.Run(run) }

// run deploys the stack and exports its outputs.
func run(ctx *pulumi.Context) error {
	outputs, err := deploy(ctx)
	if err != nil {
		return err
	}
	for k, v := range outputs {
		ctx.Export(k, v)
	}
	return nil
}

// deploy validates the whole configuration, then creates the chain Cognito -> EKS -> OIDC
// association -> RBAC -> Headlamp, wired through typed outputs only, and returns the outputs.
func deploy(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
	s, err := loadSettings(ctx, time.Now())
	if err != nil {
		return nil, err
	}
	for _, w := range s.Warnings() {
		if err := ctx.Log.Warn(w, nil); err != nil {
			return nil, err
		}
	}
	name := s.ClusterName

	pool, err := components.NewCognitoPool(ctx, name, &components.CognitoPoolArgs{
		Region:             s.Region,
		DomainPrefix:       s.DomainPrefix,
		DomainPrefixBase:   s.DomainPrefixBase,
		CallbackURL:        s.CallbackURL,
		LogoutURL:          s.LogoutURL,
		Scopes:             s.ClientScopes,
		IDTokenMinutes:     s.IDTokenMinutes,
		AccessTokenMinutes: s.AccessTokenMinutes,
		RefreshTokenDays:   s.RefreshTokenDays,
		Groups:             []string{s.AdminGroup, s.ViewerGroup},
		Users:              s.Users,
		Protect:            &s.ProtectUserPool,
	})
	if err != nil {
		return nil, err
	}

	cluster, err := components.NewEksCluster(ctx, name, &components.EksClusterArgs{
		ClusterName:       s.ClusterName,
		Region:            s.Region,
		KubernetesVersion: s.KubernetesVersion,
		SupportType:       s.SupportType,
		InstanceType:      s.NodeInstanceType,
		NodeCount:         s.NodeCount,
		DiskSizeGiB:       s.NodeDiskSizeGiB,
	})
	if err != nil {
		return nil, err
	}

	// Nothing waits for the association: its 20-40 minutes overlap the RBAC and Headlamp
	// installs, and `pulumi up` still ends only once it is active.
	assoc, err := components.NewOidcAssociation(ctx, name, &components.OidcAssociationArgs{
		ClusterName: cluster.ClusterName,
		IssuerURL:   pool.IssuerURL,
		ClientID:    pool.ClientID,
		Claims:      s.Claims,
		After:       cluster.ClusterUpdates,
	})
	if err != nil {
		return nil, err
	}

	access, err := components.NewAccess(ctx, name, &components.AccessArgs{
		Claims:     s.Claims,
		GroupRoles: s.GroupRoles(),
		UserRoles:  s.UserRoles,
		Members:    s.Members(),
		Provider:   cluster.Provider,
	})
	if err != nil {
		return nil, err
	}

	headlamp, err := components.NewHeadlampRelease(ctx, name, &components.HeadlampReleaseArgs{
		Chart:        s.Chart,
		IssuerURL:    pool.IssuerURL,
		ClientID:     pool.ClientID,
		ClientSecret: pool.ClientSecret,
		Scopes:       s.HeadlampScopes,
		CallbackURL:  s.CallbackURL,
		LocalPort:    s.LocalPort,
		// Works wherever the stack's state is: it asks EKS, not Pulumi, for the kubeconfig.
		KubeconfigCommand: cluster.KubeconfigCommand,
		Provider:          cluster.Provider,
		After:             cluster.Nodes,
	})
	if err != nil {
		return nil, err
	}

	return map[string]pulumi.Output{
		"headlampUrl":        headlamp.URL,
		"portForwardCommand": headlamp.PortForwardCommand,
		"signInUrl":          pool.SignInURL,
		"hostedUiUrl":        pool.HostedUIURL,
		"issuerUrl":          pool.IssuerURL,
		"userPoolId":         pool.PoolID,
		"clientId":           pool.ClientID,
		"clusterName":        cluster.ClusterName,
		"kubeconfig":         cluster.Kubeconfig,
		"rbacSubjects":       access.Subjects,
		"signInReady": assoc.Status.ApplyT(func(st string) string {
			return fmt.Sprintf("identity provider association is %s; sign-in works once it is ACTIVE (run portForwardCommand, then open headlampUrl)", st)
		}),
	}, nil
}
