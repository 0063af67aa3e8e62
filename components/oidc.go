package components

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/headlamp-eks/headlamp-eks/internal/settings"
)

// AssociationTimeout bounds creating or deleting the association. EKS takes 20-40 minutes in
// practice; the AWS provider's 20-minute default fails good deploys (FIELD-REPORTS F10).
const AssociationTimeout = 60 * time.Minute

// OidcAssociationArgs configures an OidcAssociation.
type OidcAssociationArgs struct {
	// ClusterName is the EKS cluster to associate; required.
	ClusterName pulumi.StringInput
	// IssuerURL is the issuer, from CognitoPool.IssuerURL (never assembled again here); required.
	IssuerURL pulumi.StringInput
	// ClientID is the audience tokens must carry, from CognitoPool.ClientID; required.
	ClientID pulumi.StringInput
	// Claims maps token claims to Kubernetes users and groups; the same value names RBAC subjects.
	Claims settings.Claims
	// ConfigName names the identity provider config in EKS; defaults to ConfigName(...): a name
	// that changes with the settings.
	ConfigName string
	// After are cluster updates that must finish first (EksCluster.ClusterUpdates).
	After []pulumi.Resource
}

// OidcAssociation associates a Cognito user pool with an EKS cluster as its OIDC identity
// provider, so the API server accepts the pool's ID tokens.
type OidcAssociation struct {
	pulumi.ResourceState

	// Status is the association's status; ACTIVE once sign-in works.
	Status pulumi.StringOutput `pulumi:"status"`
	// IssuerURL is the issuer EKS trusts.
	IssuerURL pulumi.StringOutput `pulumi:"issuerUrl"`
}

// NewOidcAssociation creates the EKS identity provider config. Every field forces replacement,
// so any change here costs 20-40 minutes without sign-in.
func NewOidcAssociation(ctx *pulumi.Context, name string, args *OidcAssociationArgs, opts ...pulumi.ResourceOption) (*OidcAssociation, error) {
	if args == nil || args.ClusterName == nil || args.IssuerURL == nil || args.ClientID == nil {
		return nil, fmt.Errorf("oidc association %s: ClusterName, IssuerURL and ClientID are required", name)
	}
	cl := args.Claims
	configName := pulumi.String(args.ConfigName).ToStringOutput()
	if args.ConfigName == "" {
		configName = pulumi.All(args.IssuerURL, args.ClientID).ApplyT(func(v []interface{}) string {
			return ConfigName(v[0].(string), v[1].(string), cl)
		}).(pulumi.StringOutput)
	}
	c := &OidcAssociation{}
	if err := ctx.RegisterComponentResource("headlamp-eks:components:OidcAssociation", name, c, opts...); err != nil {
		return nil, err
	}
	var groupsPrefix pulumi.StringPtrInput
	if p := cl.EffectiveGroupsPrefix(); p != "" {
		groupsPrefix = pulumi.String(p)
	}
	idp, err := awseks.NewIdentityProviderConfig(ctx, name, &awseks.IdentityProviderConfigArgs{
		ClusterName: args.ClusterName,
		Oidc: &awseks.IdentityProviderConfigOidcArgs{
			IdentityProviderConfigName: configName,
			IssuerUrl:                  args.IssuerURL,
			ClientId:                   args.ClientID,
			UsernameClaim:              pulumi.String(cl.UsernameClaim),
			UsernamePrefix:             pulumi.String(cl.UsernamePrefix),
			GroupsClaim:                pulumi.String(cl.GroupsClaim),
			GroupsPrefix:               groupsPrefix,
			RequiredClaims:             pulumi.ToStringMap(cl.RequiredClaims),
		},
	}, pulumi.Parent(c), pulumi.DependsOn(args.After), pulumi.Timeouts(&pulumi.CustomTimeouts{
		Create: AssociationTimeout.String(),
		Update: AssociationTimeout.String(),
		Delete: AssociationTimeout.String(),
	}))
	if err != nil {
		return nil, fmt.Errorf("creating identity provider config: %w", err)
	}
	c.Status = idp.Status
	c.IssuerURL = idp.Oidc.IssuerUrl()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"status":    c.Status,
		"issuerUrl": c.IssuerURL,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// ConfigName names an identity provider config after everything in it. Every field forces a
// replacement, and a config name is unique per cluster: a name that changes with the settings
// lets Pulumi create the new association before deleting the old one (EKS allows several from
// Kubernetes 1.32), so sign-in keeps working with the old settings while the new one associates.
func ConfigName(issuerURL, clientID string, c settings.Claims) string {
	keys := make([]string, 0, len(c.RequiredClaims))
	for k := range c.RequiredClaims {
		keys = append(keys, k+"="+c.RequiredClaims[k])
	}
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join([]string{issuerURL, clientID, c.UsernameClaim, c.UsernamePrefix,
		c.GroupsClaim, c.EffectiveGroupsPrefix(), strings.Join(keys, ",")}, "\n")))
	return "cognito-" + hex.EncodeToString(sum[:4])
}
