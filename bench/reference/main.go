// Command reference is the naive headlamp-eks program the build benchmark compares against: the
// import set a first attempt uses (pulumi-eks's eks.NewCluster with its default node group,
// kubernetes helm/v3 Release, rbac/v1, aws cognito/eks/iam), creating resources comparable to
// the product's. It is its own Go module so the product's go.mod never sees these imports.
// It is compiled by bench/run.sh build, never deployed.
package main

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-eks/sdk/v3/go/eks"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// benchMarker is the string bench/run.sh edits to measure a rebuild after a one-line change.
const benchMarker = "headlamp-reference"

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		pool, err := cognito.NewUserPool(ctx, benchMarker, &cognito.UserPoolArgs{
			AutoVerifiedAttributes: pulumi.ToStringArray([]string{"email"}),
		})
		if err != nil {
			return err
		}
		client, err := cognito.NewUserPoolClient(ctx, benchMarker, &cognito.UserPoolClientArgs{
			UserPoolId:                      pool.ID(),
			GenerateSecret:                  pulumi.Bool(true),
			AllowedOauthFlowsUserPoolClient: pulumi.Bool(true),
			AllowedOauthFlows:               pulumi.ToStringArray([]string{"code"}),
			AllowedOauthScopes:              pulumi.ToStringArray([]string{"openid", "profile", "email"}),
			CallbackUrls:                    pulumi.ToStringArray([]string{"http://localhost:8000/oidc-callback"}),
			SupportedIdentityProviders:      pulumi.ToStringArray([]string{"COGNITO"}),
		})
		if err != nil {
			return err
		}
		if _, err := cognito.NewUserPoolDomain(ctx, benchMarker, &cognito.UserPoolDomainArgs{
			UserPoolId: pool.ID(),
			Domain:     pulumi.String("headlamp-reference-demo"),
		}); err != nil {
			return err
		}

		role, err := iam.NewRole(ctx, "reference-admin", &iam.RoleArgs{
			AssumeRolePolicy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		})
		if err != nil {
			return err
		}

		cluster, err := eks.NewCluster(ctx, benchMarker, &eks.ClusterArgs{
			Version:         pulumi.String("1.35"),
			InstanceType:    pulumi.String("t3.medium"),
			DesiredCapacity: pulumi.Int(2),
			MinSize:         pulumi.Int(1),
			MaxSize:         pulumi.Int(2),
			InstanceRoles:   iam.RoleArray{role},
		})
		if err != nil {
			return err
		}

		issuer := pulumi.Sprintf("https://%s", pool.Endpoint)
		if _, err := awseks.NewIdentityProviderConfig(ctx, benchMarker, &awseks.IdentityProviderConfigArgs{
			ClusterName: cluster.EksCluster.Name(),
			Oidc: &awseks.IdentityProviderConfigOidcArgs{
				IdentityProviderConfigName: pulumi.String("cognito"),
				IssuerUrl:                  issuer,
				ClientId:                   client.ID(),
				UsernameClaim:              pulumi.String("email"),
				GroupsClaim:                pulumi.String("cognito:groups"),
			},
		}); err != nil {
			return err
		}

		k8s, err := kubernetes.NewProvider(ctx, benchMarker, &kubernetes.ProviderArgs{
			Kubeconfig: cluster.KubeconfigJson,
		})
		if err != nil {
			return err
		}
		for group, role := range map[string]string{"headlamp-admins": "cluster-admin", "headlamp-viewers": "view"} {
			if _, err := rbacv1.NewClusterRoleBinding(ctx, group, &rbacv1.ClusterRoleBindingArgs{
				Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(group)},
				RoleRef: &rbacv1.RoleRefArgs{
					ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
					Kind:     pulumi.String("ClusterRole"),
					Name:     pulumi.String(role),
				},
				Subjects: rbacv1.SubjectArray{&rbacv1.SubjectArgs{
					ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
					Kind:     pulumi.String("Group"),
					Name:     pulumi.String(group),
				}},
			}, pulumi.Provider(k8s)); err != nil {
				return err
			}
		}

		release, err := helmv3.NewRelease(ctx, "headlamp", &helmv3.ReleaseArgs{
			Chart:           pulumi.String("headlamp"),
			Version:         pulumi.String("0.45.0"),
			Namespace:       pulumi.String("headlamp"),
			CreateNamespace: pulumi.Bool(true),
			RepositoryOpts:  &helmv3.RepositoryOptsArgs{Repo: pulumi.String("https://kubernetes-sigs.github.io/headlamp/")},
			Values: pulumi.Map{"config": pulumi.Map{"oidc": pulumi.Map{
				"clientID":     client.ID(),
				"clientSecret": client.ClientSecret,
				"issuerURL":    issuer,
				"scopes":       pulumi.String("openid,profile,email"),
			}}},
		}, pulumi.Provider(k8s))
		if err != nil {
			return err
		}
		ctx.Export("kubeconfig", cluster.Kubeconfig)
		ctx.Export("release", release.Status)
		return nil
	})
}
