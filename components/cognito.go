// Package components holds the building blocks of headlamp-eks, one component resource per file:
// CognitoPool, EksCluster, OidcAssociation, Access (RBAC) and HeadlampRelease.
package components

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/headlamp-eks/headlamp-eks/internal/settings"
)

// CognitoPoolArgs configures a CognitoPool.
type CognitoPoolArgs struct {
	// Region is the pool's AWS region; it names the hosted-UI host.
	Region string
	// DomainPrefix is the hosted-UI domain prefix. Empty derives DomainPrefixBase plus a suffix
	// from the pool id (settings.DomainPrefix).
	DomainPrefix string
	// DomainPrefixBase is the readable start of a derived prefix.
	DomainPrefixBase string
	// CallbackURL is the one URL Cognito redirects to after sign-in; required.
	CallbackURL string
	// LogoutURL is where Cognito sends people after signing out; required.
	LogoutURL string
	// Scopes are the OAuth scopes the app client allows; they must include openid.
	Scopes []string
	// IDTokenMinutes, AccessTokenMinutes and RefreshTokenDays are token lifetimes (Cognito's bounds apply).
	IDTokenMinutes     int
	AccessTokenMinutes int
	RefreshTokenDays   int
	// Groups are the Cognito groups to create.
	Groups []string
	// Users are created with a verified email (so usernameClaim=email works) and put in their group.
	Users []settings.User
	// Protect keeps the pool from being deleted or replaced by accident: replacing it deletes
	// every user. Defaults to true when nil.
	Protect *bool
}

// CognitoPool is a Cognito user pool set up as an OpenID Connect issuer for one app: the pool,
// its hosted-UI domain, an app client with a secret, groups and users.
type CognitoPool struct {
	pulumi.ResourceState

	// PoolID is the user pool id.
	PoolID pulumi.StringOutput `pulumi:"poolId"`
	// IssuerURL is the OIDC issuer, derived here once from the pool: tokens' iss, EKS's issuerUrl
	// and Headlamp's issuer all come from this output.
	IssuerURL pulumi.StringOutput `pulumi:"issuerUrl"`
	// ClientID is the app client id: the audience of every ID token.
	ClientID pulumi.StringOutput `pulumi:"clientId"`
	// ClientSecret is the app client secret (a Pulumi secret).
	ClientSecret pulumi.StringOutput `pulumi:"clientSecret"`
	// HostedUIURL is the hosted-UI base URL (not the issuer).
	HostedUIURL pulumi.StringOutput `pulumi:"hostedUiUrl"`
	// SignInURL opens the hosted UI's sign-in page for this client and callback.
	SignInURL pulumi.StringOutput `pulumi:"signInUrl"`
	// CallbackURL is the registered callback URL.
	CallbackURL pulumi.StringOutput `pulumi:"callbackUrl"`
	// Groups maps each group name to its resource, so users and bindings can depend on it.
	Groups map[string]*cognito.UserGroup
}

// NewCognitoPool creates the user pool, its domain, app client, groups and users.
func NewCognitoPool(ctx *pulumi.Context, name string, args *CognitoPoolArgs, opts ...pulumi.ResourceOption) (*CognitoPool, error) {
	if args == nil || args.CallbackURL == "" || args.LogoutURL == "" || len(args.Scopes) == 0 || args.Region == "" {
		// An OAuth client without callback URLs is refused by Cognito (FIELD-REPORTS F15).
		return nil, fmt.Errorf("cognito pool %s: Region, CallbackURL, LogoutURL and Scopes are required", name)
	}
	c := &CognitoPool{Groups: map[string]*cognito.UserGroup{}}
	if err := ctx.RegisterComponentResource("headlamp-eks:components:CognitoPool", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	protect := args.Protect == nil || *args.Protect

	pool, err := cognito.NewUserPool(ctx, name, &cognito.UserPoolArgs{
		// Sign-in attributes cannot change after creation: changing them replaces the pool.
		AliasAttributes:        pulumi.ToStringArray([]string{"email", "preferred_username"}),
		AutoVerifiedAttributes: pulumi.ToStringArray([]string{"email"}),
		UsernameConfiguration:  &cognito.UserPoolUsernameConfigurationArgs{CaseSensitive: pulumi.Bool(false)},
		AdminCreateUserConfig: &cognito.UserPoolAdminCreateUserConfigArgs{
			// A cluster dashboard is invitation-only.
			AllowAdminCreateUserOnly: pulumi.Bool(true),
		},
		EmailConfiguration: &cognito.UserPoolEmailConfigurationArgs{EmailSendingAccount: pulumi.String("COGNITO_DEFAULT")},
		DeletionProtection: pulumi.String(map[bool]string{true: "ACTIVE", false: "INACTIVE"}[protect]),
	}, parent, pulumi.Protect(protect))
	if err != nil {
		return nil, fmt.Errorf("creating user pool: %w", err)
	}

	prefix := pulumi.String(args.DomainPrefix).ToStringOutput()
	if args.DomainPrefix == "" {
		prefix = pool.ID().ToStringOutput().ApplyT(func(id string) string {
			return settings.DomainPrefix(args.DomainPrefixBase, id)
		}).(pulumi.StringOutput)
	}
	domain, err := cognito.NewUserPoolDomain(ctx, name, &cognito.UserPoolDomainArgs{
		UserPoolId: pool.ID(),
		Domain:     prefix,
		// Version 2 shows "login pages unavailable" until a branding style exists (F16).
		ManagedLoginVersion: pulumi.Int(1),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating user pool domain: %w", err)
	}

	client, err := cognito.NewUserPoolClient(ctx, name, &cognito.UserPoolClientArgs{
		UserPoolId:                      pool.ID(),
		GenerateSecret:                  pulumi.Bool(true),
		AllowedOauthFlowsUserPoolClient: pulumi.Bool(true),
		AllowedOauthFlows:               pulumi.ToStringArray([]string{"code"}),
		AllowedOauthScopes:              pulumi.ToStringArray(args.Scopes),
		CallbackUrls:                    pulumi.ToStringArray([]string{args.CallbackURL}),
		LogoutUrls:                      pulumi.ToStringArray([]string{args.LogoutURL}),
		SupportedIdentityProviders:      pulumi.ToStringArray([]string{"COGNITO"}),
		ExplicitAuthFlows:               pulumi.ToStringArray([]string{"ALLOW_REFRESH_TOKEN_AUTH"}),
		PreventUserExistenceErrors:      pulumi.String("ENABLED"),
		IdTokenValidity:                 pulumi.Int(args.IDTokenMinutes),
		AccessTokenValidity:             pulumi.Int(args.AccessTokenMinutes),
		RefreshTokenValidity:            pulumi.Int(args.RefreshTokenDays),
		TokenValidityUnits: &cognito.UserPoolClientTokenValidityUnitsArgs{
			IdToken:      pulumi.String("minutes"),
			AccessToken:  pulumi.String("minutes"),
			RefreshToken: pulumi.String("days"),
		},
	}, parent, pulumi.AdditionalSecretOutputs([]string{"clientSecret"}))
	if err != nil {
		return nil, fmt.Errorf("creating app client: %w", err)
	}

	for _, g := range args.Groups {
		grp, err := cognito.NewUserGroup(ctx, name+"-"+g, &cognito.UserGroupArgs{
			UserPoolId:  pool.ID(),
			Name:        pulumi.String(g),
			Description: pulumi.String("Headlamp users bound through Kubernetes RBAC"),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("creating group %s: %w", g, err)
		}
		c.Groups[g] = grp
	}
	for _, u := range args.Users {
		grp, ok := c.Groups[u.Group]
		if !ok {
			return nil, fmt.Errorf("user %s: group %s is not among the pool's groups", u.Email, u.Group)
		}
		user, err := cognito.NewUser(ctx, name+"-"+u.Username, &cognito.UserArgs{
			UserPoolId: pool.ID(),
			Username:   pulumi.String(u.Username),
			Attributes: pulumi.StringMap{
				"email": pulumi.String(u.Email),
				// The API server rejects tokens with email_verified=false when the username
				// claim is email (FIELD-REPORTS F17).
				"email_verified": pulumi.String("true"),
			},
			DesiredDeliveryMediums: pulumi.ToStringArray([]string{"EMAIL"}),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("creating user %s: %w", u.Email, err)
		}
		if _, err := cognito.NewUserInGroup(ctx, name+"-"+u.Username+"-in-"+u.Group, &cognito.UserInGroupArgs{
			UserPoolId: pool.ID(),
			GroupName:  grp.Name,
			Username:   user.Username,
		}, parent); err != nil {
			return nil, fmt.Errorf("adding user %s to %s: %w", u.Email, u.Group, err)
		}
	}

	c.PoolID = pool.ID().ToStringOutput()
	// The pool's endpoint is the issuer without its scheme (FACTS.md).
	c.IssuerURL = pulumi.Sprintf("https://%s", pool.Endpoint)
	c.ClientID = client.ID().ToStringOutput()
	c.ClientSecret = pulumi.ToSecret(client.ClientSecret).(pulumi.StringOutput)
	c.HostedUIURL = pulumi.Sprintf("https://%s.auth.%s.amazoncognito.com", domain.Domain, args.Region)
	c.CallbackURL = pulumi.String(args.CallbackURL).ToStringOutput()
	c.SignInURL = pulumi.All(c.HostedUIURL, c.ClientID).ApplyT(func(v []interface{}) string {
		q := url.Values{
			"client_id":     {v[1].(string)},
			"response_type": {"code"},
			"scope":         {strings.Join(args.Scopes, " ")},
			"redirect_uri":  {args.CallbackURL},
		}
		return v[0].(string) + "/oauth2/authorize?" + q.Encode()
	}).(pulumi.StringOutput)

	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"poolId":       c.PoolID,
		"issuerUrl":    c.IssuerURL,
		"clientId":     c.ClientID,
		"clientSecret": c.ClientSecret,
		"hostedUiUrl":  c.HostedUIURL,
		"signInUrl":    c.SignInURL,
		"callbackUrl":  c.CallbackURL,
	}); err != nil {
		return nil, err
	}
	return c, nil
}
