// Package settings turns the stack's configuration into one validated, plain Go value.
//
// Nothing here knows about Pulumi: every rule can be unit-tested with a literal Input, and the
// program registers no resource until Validate has accepted the whole configuration.
package settings

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Input is the configuration exactly as the stack holds it. Each field's `key` tag is its config
// key (in this project's namespace unless it names another); Defaults gives what an unset key
// means, and Pulumi.yaml declares the same keys with the same defaults (a test keeps them equal).
type Input struct {
	// Project and Stack name the Pulumi project and stack; they seed default names.
	Project string
	Stack   string

	Region               string   `key:"aws:region" doc:"AWS region for every resource."`
	ClusterName          string   `key:"clusterName" doc:"EKS cluster name; empty means <project>-<stack>."`
	KubernetesVersion    string   `key:"kubernetesVersion" doc:"EKS Kubernetes minor version."`
	AllowExtendedSupport bool     `key:"allowExtendedSupport" doc:"Allow EKS extended support (6x the control-plane price)."`
	NodeInstanceType     string   `key:"nodeInstanceType" doc:"EC2 instance type of the managed node group."`
	NodeCount            int      `key:"nodeCount" doc:"Number of worker nodes."`
	NodeDiskSizeGiB      int      `key:"nodeDiskSizeGiB" doc:"Root volume size of each node, GiB."`
	CognitoDomainPrefix  string   `key:"cognitoDomainPrefix" doc:"Hosted-UI domain prefix; empty derives a unique one."`
	HeadlampURL          string   `key:"headlampUrl" doc:"The address people open Headlamp at; callback, logout URL and port-forward port come from it."`
	CognitoScopes        []string `key:"cognitoScopes" doc:"OAuth scopes the app client allows; Headlamp requests exactly these."`
	IDTokenMinutes       int      `key:"idTokenMinutes" doc:"ID token lifetime in minutes (5-1440)."`
	AccessTokenMinutes   int      `key:"accessTokenMinutes" doc:"Access token lifetime in minutes (5-1440)."`
	RefreshTokenDays     int      `key:"refreshTokenDays" doc:"Refresh token lifetime in days (1-3650)."`
	UsernameClaim        string   `key:"usernameClaim" doc:"ID token claim that becomes the Kubernetes user name."`
	UsernamePrefix       string   `key:"usernamePrefix" doc:"Prefix of Kubernetes user names; - for none."`
	GroupsPrefix         string   `key:"groupsPrefix" doc:"Prefix of Kubernetes group names; - for none."`
	AdminGroup           string   `key:"adminGroup" doc:"Cognito group bound to cluster-admin."`
	ViewerGroup          string   `key:"viewerGroup" doc:"Cognito group bound to view."`
	AdminEmails          []string `key:"adminEmails" doc:"Users to create in the admin group."`
	ViewerEmails         []string `key:"viewerEmails" doc:"Users to create in the viewer group."`
	UserRoles            []string `key:"userRoles" doc:"Extra per-user ClusterRole bindings, each email=clusterrole."`
	ProtectUserPool      bool     `key:"protectUserPool" doc:"Protect the user pool from deletion (replacing it deletes every user)."`
	HeadlampNamespace    string   `key:"headlampNamespace" doc:"Namespace Headlamp is installed in."`
	HeadlampChart        string   `key:"headlampChart" doc:"Chart name in the repository, or a local chart path."`
	HeadlampChartRepo    string   `key:"headlampChartRepo" doc:"Helm repository of the chart."`
	HeadlampChartVersion string   `key:"headlampChartVersion" doc:"Exact chart version."`
	HeadlampReplicas     int      `key:"headlampReplicas" doc:"Headlamp replicas; must be 1 (refresh tokens live in one pod's memory)."`
}

// Defaults is what every unset key means.
func Defaults() Input {
	return Input{
		KubernetesVersion:    "1.35",
		NodeInstanceType:     "t3.small",
		NodeCount:            1,
		NodeDiskSizeGiB:      20,
		HeadlampURL:          "http://localhost:8000",
		CognitoScopes:        []string{"openid", "profile", "email"},
		IDTokenMinutes:       60,
		AccessTokenMinutes:   60,
		RefreshTokenDays:     30,
		UsernameClaim:        "email",
		UsernamePrefix:       "cognito:",
		GroupsPrefix:         "cognito:",
		AdminGroup:           "headlamp-admins",
		ViewerGroup:          "headlamp-viewers",
		ProtectUserPool:      true,
		HeadlampNamespace:    "headlamp",
		HeadlampChart:        "headlamp",
		HeadlampChartRepo:    ChartRepo,
		HeadlampChartVersion: "0.45.0",
		HeadlampReplicas:     1,
	}
}

// User is a Cognito user the program creates.
type User struct {
	// Email is the user's verified email, which is also the username claim by default.
	Email string
	// Username is the Cognito user name (a pool with an email alias refuses emails as names).
	Username string
	// Group is the Cognito group the user is put in.
	Group string
}

// UserRole binds one user, by email, to a ClusterRole.
type UserRole struct {
	Email       string
	ClusterRole string
}

// Chart says which Headlamp chart to install and how.
type Chart struct {
	// Name is the chart name in Repo, or a local chart directory when Local is true.
	Name string
	// Local is true when Name is a path on disk (used by the loopback rehearsal).
	Local bool
	// Repo is the Helm repository URL (unused for local charts).
	Repo string
	// Version is the exact chart version.
	Version string
	// Namespace is where Headlamp runs.
	Namespace string
}

// Settings is the validated configuration: every field is ready to use as is.
type Settings struct {
	Project, Stack string
	Region         string
	ClusterName    string
	// KubernetesVersion is the EKS minor version, e.g. "1.35".
	KubernetesVersion string
	// SupportType is the EKS upgrade policy: STANDARD, or EXTENDED when explicitly allowed.
	SupportType      string
	NodeInstanceType string
	NodeCount        int
	NodeDiskSizeGiB  int
	// DomainPrefix is the configured hosted-UI prefix; empty means derive it with DomainPrefix(DomainPrefixBase, poolID).
	DomainPrefix     string
	DomainPrefixBase string
	// HeadlampURL is the one address everything else about sign-in is derived from.
	HeadlampURL string
	CallbackURL string
	LogoutURL   string
	// LocalPort is the port-forward port, 0 when Headlamp is reached through a real host name.
	LocalPort int
	// ClientScopes are the scopes the app client allows; HeadlampScopes the ones Headlamp asks for.
	ClientScopes       []string
	HeadlampScopes     []string
	IDTokenMinutes     int
	AccessTokenMinutes int
	RefreshTokenDays   int
	Claims             Claims
	AdminGroup         string
	ViewerGroup        string
	Users              []User
	UserRoles          []UserRole
	ProtectUserPool    bool
	Chart              Chart
}

// ChartRepo is the Headlamp chart repository since April 2025.
const ChartRepo = "https://kubernetes-sigs.github.io/headlamp/"

// movedChartHost answers 404 since the chart moved.
const movedChartHost = "headlamp-k8s.github.io"

// Cognito's ID token carries the user's groups in this claim; it is not configurable.
const cognitoGroupsClaim = "cognito:groups"

var (
	clusterNameRe  = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
	regionRe       = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$`)
	instanceTypeRe = regexp.MustCompile(`^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|[0-9]*xlarge|metal(-[0-9]+xl)?)$`)
	dnsLabelRe     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	groupNameRe    = regexp.MustCompile(`^[A-Za-z0-9_.@+=,-]{1,128}$`)
	roleNameRe     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.:]*[a-z0-9])?$`)
	semverRe       = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
)

// allowedScopes are the scopes a Cognito app client can allow without a resource server.
var allowedScopes = []string{"openid", "profile", "email", "phone", "aws.cognito.signin.user.admin"}

// Validate checks the whole configuration against what Cognito, EKS, the API server and the
// Headlamp chart accept, as of now, and reports every problem at once.
func Validate(in Input, now time.Time) (Settings, error) {
	var p problems
	s := Settings{
		Project:            in.Project,
		Stack:              in.Stack,
		Region:             in.Region,
		NodeInstanceType:   in.NodeInstanceType,
		NodeCount:          in.NodeCount,
		NodeDiskSizeGiB:    in.NodeDiskSizeGiB,
		IDTokenMinutes:     in.IDTokenMinutes,
		AccessTokenMinutes: in.AccessTokenMinutes,
		RefreshTokenDays:   in.RefreshTokenDays,
		AdminGroup:         in.AdminGroup,
		ViewerGroup:        in.ViewerGroup,
		ProtectUserPool:    in.ProtectUserPool,
		Claims: Claims{
			UsernameClaim:  in.UsernameClaim,
			UsernamePrefix: in.UsernamePrefix,
			GroupsClaim:    cognitoGroupsClaim,
			GroupsPrefix:   in.GroupsPrefix,
			// Only ID tokens say token_use=id: requiring it makes the API server refuse access
			// tokens even if some day they carried an audience (FIELD-REPORTS F1).
			RequiredClaims: map[string]string{"token_use": "id"},
		},
	}

	if !regionRe.MatchString(in.Region) {
		p.add("aws:region", in.Region, "set the AWS region, e.g. `pulumi config set aws:region us-east-1`")
	}

	s.ClusterName = in.ClusterName
	if s.ClusterName == "" {
		s.ClusterName = truncate(Sanitize(in.Project+"-"+in.Stack), 100)
	}
	if !clusterNameRe.MatchString(s.ClusterName) {
		p.add("clusterName", s.ClusterName, "use 1-100 letters, digits, '-' or '_', starting with a letter or digit")
	}

	s.KubernetesVersion, s.SupportType = validateVersion(&p, in.KubernetesVersion, in.AllowExtendedSupport, now)
	validateNodes(&p, in)

	s.DomainPrefixBase = DomainPrefixBase(in.Project, in.Stack)
	if in.CognitoDomainPrefix != "" {
		if why := domainPrefixProblem(in.CognitoDomainPrefix); why != "" {
			p.add("cognitoDomainPrefix", in.CognitoDomainPrefix, why+"; or leave it empty to derive a valid, unique prefix")
		}
		s.DomainPrefix = in.CognitoDomainPrefix
	}

	s.HeadlampURL, s.CallbackURL, s.LogoutURL, s.LocalPort = validateURL(&p, in.HeadlampURL)
	s.ClientScopes, s.HeadlampScopes = validateScopes(&p, in.CognitoScopes)

	for _, t := range []struct {
		key      string
		val      int
		min, max int
		unit     string
	}{
		// Cognito accepts 5 minutes, but Headlamp refreshes sessions from a refresh token held in
		// one pod's memory, and very short ID tokens end sessions early (FIELD-REPORTS F6).
		{"idTokenMinutes", in.IDTokenMinutes, 15, 1440, "minutes"},
		{"accessTokenMinutes", in.AccessTokenMinutes, 5, 1440, "minutes"},
		{"refreshTokenDays", in.RefreshTokenDays, 1, 3650, "days"},
	} {
		if t.val < t.min || t.val > t.max {
			p.add(t.key, strconv.Itoa(t.val), fmt.Sprintf("use %d to %d %s; 60 minutes (30 days for refresh tokens) is a good default", t.min, t.max, t.unit))
		}
	}

	s.Claims.validate(&p, s.ClientScopes)

	for _, g := range []struct{ key, val string }{{"adminGroup", in.AdminGroup}, {"viewerGroup", in.ViewerGroup}} {
		if !groupNameRe.MatchString(g.val) {
			p.add(g.key, g.val, "use 1-128 letters, digits or _.@+=,- for a Cognito group name")
		}
	}
	if in.AdminGroup == in.ViewerGroup {
		p.add("viewerGroup", in.ViewerGroup, "use a different name from adminGroup: one group cannot be both cluster-admin and read-only")
	}

	s.Users = validateUsers(&p, in)
	s.UserRoles = validateUserRoles(&p, in.UserRoles)
	if len(s.UserRoles) > 0 && in.UsernameClaim != "email" {
		p.add("userRoles", strings.Join(in.UserRoles, ","), fmt.Sprintf("userRoles bind users by email, but usernameClaim is %q, so Kubernetes user names are not emails and these bindings would never match; set usernameClaim to email or bind groups instead", in.UsernameClaim))
	}
	s.Chart = validateChart(&p, in)

	return s, p.err()
}

func validateNodes(p *problems, in Input) {
	switch {
	case !instanceTypeRe.MatchString(in.NodeInstanceType):
		p.add("nodeInstanceType", in.NodeInstanceType, "use an EC2 instance type, family.size in lower case, such as t3.small or m6i.large")
	case strings.HasSuffix(in.NodeInstanceType, ".nano") || strings.HasSuffix(in.NodeInstanceType, ".micro"):
		p.add("nodeInstanceType", in.NodeInstanceType, "use t3.small or larger: nano and micro nodes hold at most 4 pods with the VPC CNI, fewer than Headlamp, CoreDNS, kube-proxy and the CNI need")
	}
	if in.NodeCount < 1 || in.NodeCount > 20 {
		p.add("nodeCount", strconv.Itoa(in.NodeCount), "use 1 to 20 nodes (1 runs the default stack)")
	}
	if in.NodeDiskSizeGiB < 20 || in.NodeDiskSizeGiB > 1000 {
		p.add("nodeDiskSizeGiB", strconv.Itoa(in.NodeDiskSizeGiB), "use 20 to 1000 GiB (EKS node images need 20)")
	}
}

// validateURL derives the callback, logout URL and port-forward port from the one Headlamp address.
func validateURL(p *problems, raw string) (base, callback, logout string, port int) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		p.add("headlampUrl", raw, "use an absolute URL such as http://localhost:8000 or https://headlamp.example.com")
		return raw, "", "", 0
	}
	// Host names are case-insensitive; Cognito compares callbacks exactly, so use one spelling.
	u.Host = strings.ToLower(u.Host)
	host := u.Hostname()
	local := host == "localhost" || host == "127.0.0.1"
	bad := false
	if u.Scheme == "http" && !local {
		p.add("headlampUrl", raw, "use https: Cognito allows plain http only for http://localhost")
		bad = true
	}
	if u.Fragment != "" || u.RawQuery != "" || u.User != nil {
		p.add("headlampUrl", raw, "remove the query, fragment or user info: Cognito matches callback URLs exactly")
		bad = true
	}
	if u.Path != "" && u.Path != "/" {
		p.add("headlampUrl", raw, "use the address without a path: Headlamp is served at the root")
		bad = true
	}
	if local {
		port = 80
		if u.Scheme == "https" {
			port = 443
		}
		if ps := u.Port(); ps != "" {
			port, _ = strconv.Atoi(ps)
		}
		if port < 1024 || port > 65535 {
			p.add("headlampUrl", raw, "use a local port from 1024 to 65535, e.g. http://localhost:8000: kubectl port-forward to a lower port needs root")
			bad = true
		}
		if host == "127.0.0.1" {
			p.add("headlampUrl", raw, "use localhost instead of 127.0.0.1: Cognito allows plain http only for localhost")
			bad = true
		}
	} else if u.Port() == "80" && u.Scheme == "https" {
		p.add("headlampUrl", raw, "use https without :80 (https is served on 443)")
		bad = true
	} else if net.ParseIP(host) != nil {
		p.add("headlampUrl", raw, "use a host name, not an IP address")
		bad = true
	}
	if bad {
		return raw, "", "", 0
	}
	base = u.Scheme + "://" + u.Host
	if !local {
		port = 0
	}
	return base, base + "/oidc-callback", base + "/", port
}

// validateScopes checks the client's scopes and derives what Headlamp requests from them, so
// Headlamp can never ask for a scope the client does not allow (FIELD-REPORTS F14).
func validateScopes(p *problems, scopes []string) (client, headlamp []string) {
	seen := map[string]bool{}
	for _, sc := range scopes {
		if !slices.Contains(allowedScopes, sc) {
			p.add("cognitoScopes", strings.Join(scopes, ","), fmt.Sprintf("remove %q: allowed scopes are %s", sc, strings.Join(allowedScopes, ", ")))
			continue
		}
		if seen[sc] {
			p.add("cognitoScopes", strings.Join(scopes, ","), fmt.Sprintf("list %q only once", sc))
			continue
		}
		seen[sc] = true
		client = append(client, sc)
		if sc != "openid" {
			headlamp = append(headlamp, sc)
		}
	}
	if !seen["openid"] {
		p.add("cognitoScopes", strings.Join(scopes, ","), "add \"openid\": without it Cognito issues no ID token")
	}
	return client, headlamp
}

func validateUsers(p *problems, in Input) []User {
	var users []User
	seen := map[string]string{}
	names := map[string]string{}
	for _, l := range []struct {
		key    string
		emails []string
		group  string
	}{{"adminEmails", in.AdminEmails, in.AdminGroup}, {"viewerEmails", in.ViewerEmails, in.ViewerGroup}} {
		for _, e := range l.emails {
			if why := emailProblem(e); why != "" {
				p.add(l.key, e, why)
				continue
			}
			if prev, ok := seen[e]; ok {
				p.add(l.key, e, fmt.Sprintf("list each email once; it is already in %s", prev))
				continue
			}
			seen[e] = l.key
			name := Username(e)
			if other, ok := names[name]; ok {
				p.add(l.key, e, fmt.Sprintf("its Cognito user name %q is also derived from %s; a user name must be unique, so create one of them by hand", name, other))
				continue
			}
			names[name] = e
			users = append(users, User{Email: e, Username: name, Group: l.group})
		}
	}
	return users
}

// Username is the Cognito user name for an email: its local part, since a pool with an email
// alias refuses user names shaped like an email address.
func Username(email string) string {
	local, _, _ := strings.Cut(email, "@")
	return local
}

func emailProblem(e string) string {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") {
		return "use a plain email address such as alice@example.com"
	}
	if strings.ToLower(e) != e {
		return "write it in lower case: Cognito keeps the case, and Kubernetes user names are case-sensitive, so a binding would miss the user"
	}
	return ""
}

func validateUserRoles(p *problems, entries []string) []UserRole {
	var out []UserRole
	seen := map[string]bool{}
	for _, e := range entries {
		email, role, ok := strings.Cut(e, "=")
		switch {
		case !ok:
			p.add("userRoles", e, "write each entry as email=clusterrole, e.g. alice@example.com=edit")
		case emailProblem(email) != "":
			p.add("userRoles", e, emailProblem(email))
		case !roleNameRe.MatchString(role):
			p.add("userRoles", e, "name a ClusterRole after '=' in lower case, e.g. view, edit, admin or cluster-admin")
		case seen[e]:
			p.add("userRoles", e, "list each binding once")
		default:
			seen[e] = true
			out = append(out, UserRole{Email: email, ClusterRole: role})
		}
	}
	return out
}

func validateChart(p *problems, in Input) Chart {
	c := Chart{Name: in.HeadlampChart, Repo: in.HeadlampChartRepo, Version: in.HeadlampChartVersion, Namespace: in.HeadlampNamespace}
	c.Local = strings.HasPrefix(c.Name, "/") || strings.HasPrefix(c.Name, "./") || strings.HasPrefix(c.Name, "../")
	switch {
	case c.Name == "" || (!c.Local && strings.Contains(c.Name, "/")):
		p.add("headlampChart", c.Name, "use \"headlamp\" (the chart in headlampChartRepo; no repo/ prefix) or a local chart path starting with ./ or /")
	case c.Local:
		if st, err := os.Stat(filepath.Join(c.Name, "Chart.yaml")); err != nil || st.IsDir() {
			p.add("headlampChart", c.Name, "no Chart.yaml there: point it at a chart directory, or use \"headlamp\" from headlampChartRepo")
		}
	}
	if !c.Local {
		u, err := url.Parse(c.Repo)
		switch {
		case err != nil || u.Scheme != "https" || u.Host == "":
			p.add("headlampChartRepo", c.Repo, "use an https Helm repository URL, normally "+ChartRepo)
		case u.Host == movedChartHost:
			p.add("headlampChartRepo", c.Repo, "the chart moved in April 2025 and this repository answers 404; use "+ChartRepo)
		}
	}
	if !semverRe.MatchString(c.Version) {
		p.add("headlampChartVersion", c.Version, "pin an exact chart version such as 0.45.0 (ranges and \"latest\" make previews unrepeatable)")
	} else {
		var missing []string
		need := ""
		for _, f := range ChartValueKeys {
			if compareVersions(c.Version, f.Since) < 0 {
				missing = append(missing, fmt.Sprintf("%s (added in %s; %s)", f.Key, f.Since, f.Why))
				if need == "" || compareVersions(f.Since, need) > 0 {
					need = f.Since
				}
			}
		}
		if len(missing) > 0 {
			p.add("headlampChartVersion", c.Version, fmt.Sprintf("use %s or newer: chart %s ignores %s", need, c.Version, strings.Join(missing, ", ")))
		}
	}
	if !dnsLabelRe.MatchString(c.Namespace) {
		p.add("headlampNamespace", c.Namespace, "use a Kubernetes namespace name: lower-case letters, digits and '-', at most 63")
	}
	if in.HeadlampReplicas != 1 {
		p.add("headlampReplicas", strconv.Itoa(in.HeadlampReplicas), "use 1: Headlamp keeps refresh tokens in the pod's memory, so with more than one replica session refresh fails whenever a request lands on another pod, and with none nothing serves the dashboard")
	}
	return c
}

// ChartValue is a chart value the program sets, with the first chart version that reads it.
type ChartValue struct {
	Key   string
	Since string
	Why   string
}

// ChartValueKeys lists every chart value HeadlampRelease sets that not all chart versions read,
// from the chart's history (FACTS.md); a pinned version older than any of them is refused,
// because the chart schema accepts unknown keys silently (FIELD-REPORTS F18).
var ChartValueKeys = []ChartValue{
	{"config.oidc.externalSecret.enabled", "0.23.0", "the client secret comes from a Secret the program creates"},
	{"config.oidc.callbackURL", "0.35.0", "the callback must equal the one registered in Cognito"},
	{"config.oidc.externalSecret.hasScopes", "0.43.0", "Headlamp must request exactly the client's scopes"},
}

func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < 3; i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Sanitize lower-cases s and turns every run of other characters into one '-'.
func Sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

func truncate(s string, n int) string {
	if len(s) > n {
		s = strings.TrimRight(s[:n], "-")
	}
	return s
}

// GroupRoles is the ClusterRole each Cognito group's members get.
func (s Settings) GroupRoles() map[string]string {
	return map[string]string{s.AdminGroup: "cluster-admin", s.ViewerGroup: "view"}
}

// Members maps each user the program creates (by email) to the value of its username claim,
// as far as it is known before the user exists (a sub is not).
func (s Settings) Members() map[string]string {
	out := map[string]string{}
	for _, u := range s.Users {
		switch s.Claims.UsernameClaim {
		case "email":
			out[u.Email] = u.Email
		case "cognito:username":
			out[u.Email] = u.Username
		}
	}
	return out
}

// exampleDomains never receive mail (RFC 2606), so a user created there gets no password.
var exampleDomains = []string{"example.com", "example.org", "example.net"}

// Warnings are settings that work but are probably not what the user wants; unlike problems
// they do not stop a deploy (the committed dev stack uses an example address on purpose).
func (s Settings) Warnings() []string {
	var out []string
	for _, u := range s.Users {
		_, domain, _ := strings.Cut(u.Email, "@")
		if slices.Contains(exampleDomains, domain) || strings.HasSuffix(domain, ".example") || strings.HasSuffix(domain, ".test") || strings.HasSuffix(domain, ".invalid") {
			out = append(out, fmt.Sprintf("%s is at a reserved example domain: nobody will receive its temporary password; put your own address in %s:%s",
				u.Email, Namespace, map[bool]string{true: "adminEmails", false: "viewerEmails"}[u.Group == s.AdminGroup]))
		}
	}
	return out
}
