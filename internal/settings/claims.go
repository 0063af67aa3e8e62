package settings

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// NoPrefix is the prefix value that tells EKS and kube-apiserver not to prefix a claim at all.
const NoPrefix = "-"

// Claims is how the Kubernetes API server turns a Cognito ID token into a user name and groups.
// It is the one value sent to EKS (OidcAssociation), used to name RBAC subjects, and turned into
// kube-apiserver flags for the loopback rehearsal, so the three can never disagree.
type Claims struct {
	// UsernameClaim is the token claim that becomes the Kubernetes user name.
	UsernameClaim string
	// UsernamePrefix is prepended to the user name; NoPrefix turns prefixing off.
	UsernamePrefix string
	// GroupsClaim is the token claim listing the user's groups.
	GroupsClaim string
	// GroupsPrefix is prepended to every group name; NoPrefix turns prefixing off.
	GroupsPrefix string
	// RequiredClaims must be present in a token with exactly these values.
	RequiredClaims map[string]string
}

// effective turns a configured prefix into the string the API server really prepends.
func effective(prefix string) string {
	if prefix == NoPrefix {
		return ""
	}
	return prefix
}

// UserSubject is the Kubernetes user name the API server gives a token whose username claim
// holds value; RBAC bindings for users must use exactly this.
func (c Claims) UserSubject(value string) string { return effective(c.UsernamePrefix) + value }

// GroupSubject is the Kubernetes group name the API server gives a Cognito group.
func (c Claims) GroupSubject(group string) string { return c.EffectiveGroupsPrefix() + group }

// EffectiveGroupsPrefix is the groups prefix as EKS and kube-apiserver take it: unlike the
// username prefix, "-" has no special meaning there, so no prefix is an empty one.
func (c Claims) EffectiveGroupsPrefix() string { return effective(c.GroupsPrefix) }

// APIServerFlags are the kube-apiserver OIDC flags equivalent to associating this identity
// provider with an EKS cluster; the rehearsal runs a real API server with them.
func (c Claims) APIServerFlags(issuerURL, clientID string) []string {
	flags := []string{
		"--oidc-issuer-url=" + issuerURL,
		"--oidc-client-id=" + clientID,
		"--oidc-username-claim=" + c.UsernameClaim,
		"--oidc-username-prefix=" + c.UsernamePrefix,
		"--oidc-groups-claim=" + c.GroupsClaim,
		"--oidc-groups-prefix=" + c.EffectiveGroupsPrefix(),
	}
	keys := make([]string, 0, len(c.RequiredClaims))
	for k := range c.RequiredClaims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		flags = append(flags, fmt.Sprintf("--oidc-required-claim=%s=%s", k, c.RequiredClaims[k]))
	}
	return flags
}

// ScopeForClaim is the OAuth scope Cognito needs before it puts claim into the ID token, or ""
// when the claim is always present.
func ScopeForClaim(claim string) string {
	switch claim {
	case "email", "email_verified":
		return "email"
	case "preferred_username", "name", "given_name", "family_name":
		return "profile"
	case "phone_number":
		return "phone"
	}
	return ""
}

// validate reports every problem with the claim settings, naming the config keys they came from.
func (c Claims) validate(p *problems, scopes []string) {
	if !slices.Contains(usernameClaims, c.UsernameClaim) {
		p.add("usernameClaim", c.UsernameClaim,
			"use one of "+strings.Join(usernameClaims, ", ")+" (email is the one RBAC bindings by email expect)")
	} else if s := ScopeForClaim(c.UsernameClaim); s != "" && !slices.Contains(scopes, s) {
		p.add("cognitoScopes", strings.Join(scopes, ","),
			fmt.Sprintf("add %q: the username claim %q is only in the ID token when that scope is granted", s, c.UsernameClaim))
	}
	for _, pr := range []struct{ key, val string }{{"usernamePrefix", c.UsernamePrefix}, {"groupsPrefix", c.GroupsPrefix}} {
		switch {
		case strings.HasPrefix(pr.val, "system:"):
			p.add(pr.key, pr.val, "choose a prefix that does not start with \"system:\" (reserved for Kubernetes itself; EKS refuses it), e.g. \"cognito:\"")
		case pr.val == "":
			p.add(pr.key, pr.val, "set a prefix such as \"cognito:\", or \"-\" for none")
		case strings.ContainsAny(pr.val, " \t\n,="):
			p.add(pr.key, pr.val, "use a prefix without spaces, commas or '='")
		}
	}
}

var usernameClaims = []string{"email", "sub", "cognito:username"}
