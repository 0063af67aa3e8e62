package settings

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// today is the date the support table is checked against in tests, so results never drift.
var today = time.Date(2026, time.December, 3, 0, 0, 0, 0, time.UTC)

func valid() Input {
	in := Defaults()
	in.Project, in.Stack, in.Region = "headlamp-eks", "dev", "us-east-1"
	in.AdminEmails = []string{"admin@example.com"}
	return in
}

func TestDefaultsAreValid(t *testing.T) {
	s, err := Validate(valid(), today)
	if err != nil {
		t.Fatal(err)
	}
	if s.CallbackURL != "http://localhost:8000/oidc-callback" || s.LocalPort != 8000 || s.LogoutURL != "http://localhost:8000/" {
		t.Errorf("callback %q, port %d, logout %q", s.CallbackURL, s.LocalPort, s.LogoutURL)
	}
	if s2, err := Validate(func() Input { in := valid(); in.HeadlampURL = "http://LOCALHOST:8000"; return in }(), today); err != nil || s2.CallbackURL != "http://localhost:8000/oidc-callback" {
		t.Errorf("upper-case localhost: %v %q", err, s2.CallbackURL)
	}
	if s.SupportType != "STANDARD" || s.ClusterName != "headlamp-eks-dev" {
		t.Errorf("support %q cluster %q", s.SupportType, s.ClusterName)
	}
	if strings.Join(s.HeadlampScopes, ",") != "profile,email" {
		t.Errorf("headlamp scopes %v", s.HeadlampScopes)
	}
	if got := s.Users; len(got) != 1 || got[0] != (User{Email: "admin@example.com", Username: "admin", Group: "headlamp-admins"}) {
		t.Errorf("users %+v", got)
	}
}

// Each row is one kind of bad input; rows named Fn keep the FIELD-REPORTS example as a test.
func TestValidateRefuses(t *testing.T) {
	rows := []struct {
		name   string
		change func(*Input)
		key    string
		says   string
	}{
		{"F1 access-token mode is impossible: required claim token_use=id", func(in *Input) {}, "", ""},
		{"F5 old chart repository", func(in *Input) { in.HeadlampChartRepo = "https://headlamp-k8s.github.io/headlamp/" }, "headlampChartRepo", "moved in April 2025"},
		{"F5 unpinned chart", func(in *Input) { in.HeadlampChartVersion = "^0.45" }, "headlampChartVersion", "pin an exact chart version"},
		{"F5 latest chart", func(in *Input) { in.HeadlampChartVersion = "latest" }, "headlampChartVersion", "pin"},
		{"plain http chart repo", func(in *Input) { in.HeadlampChartRepo = "http://example.com/charts" }, "headlampChartRepo", "https"},
		{"F6 two replicas", func(in *Input) { in.HeadlampReplicas = 2 }, "headlampReplicas", "refresh tokens"},
		{"F6 five-minute ID tokens", func(in *Input) { in.IDTokenMinutes = 5 }, "idTokenMinutes", "use 15 to 1440 minutes"},
		{"zero-minute ID tokens", func(in *Input) { in.IDTokenMinutes = 0 }, "idTokenMinutes", "use 15 to 1440 minutes"},
		{"token lifetime above Cognito's bound", func(in *Input) { in.AccessTokenMinutes = 2000 }, "accessTokenMinutes", "5 to 1440"},
		{"refresh lifetime zero", func(in *Input) { in.RefreshTokenDays = 0 }, "refreshTokenDays", "1 to 3650"},
		{"F12 reserved word aws", func(in *Input) { in.CognitoDomainPrefix = "aws-demo" }, "cognitoDomainPrefix", "reserved word \"aws\""},
		{"F12 reserved word cognito", func(in *Input) { in.CognitoDomainPrefix = "my-cognito" }, "cognitoDomainPrefix", "reserved word \"cognito\""},
		{"reserved word in upper case reported with the case", func(in *Input) { in.CognitoDomainPrefix = "My-AWS-Login" }, "cognitoDomainPrefix", "lower-case letters, digits and inner hyphens; leave out the reserved word \"aws\""},
		{"domain prefix upper case", func(in *Input) { in.CognitoDomainPrefix = "Team" }, "cognitoDomainPrefix", "lower-case"},
		{"domain prefix too long", func(in *Input) { in.CognitoDomainPrefix = strings.Repeat("a", 64) }, "cognitoDomainPrefix", "1-63"},
		{"domain prefix trailing hyphen", func(in *Input) { in.CognitoDomainPrefix = "team-" }, "cognitoDomainPrefix", "inner hyphens"},
		{"F14 client without profile but Headlamp derived: email scope missing", func(in *Input) { in.CognitoScopes = []string{"openid", "phone"} }, "cognitoScopes", "add \"email\""},
		{"unknown scope", func(in *Input) { in.CognitoScopes = []string{"openid", "email", "offline_access"} }, "cognitoScopes", "remove \"offline_access\""},
		{"no openid", func(in *Input) { in.CognitoScopes = []string{"email", "profile"} }, "cognitoScopes", "add \"openid\""},
		{"duplicate scope", func(in *Input) { in.CognitoScopes = []string{"openid", "email", "email"} }, "cognitoScopes", "only once"},
		{"F4 callback on a privileged port", func(in *Input) { in.HeadlampURL = "http://localhost" }, "headlampUrl", "1024 to 65535"},
		{"http on a real host", func(in *Input) { in.HeadlampURL = "http://headlamp.example.com" }, "headlampUrl", "use https"},
		{"fragment", func(in *Input) { in.HeadlampURL = "http://localhost:8000/#x" }, "headlampUrl", "fragment"},
		{"path", func(in *Input) { in.HeadlampURL = "https://example.com/headlamp" }, "headlampUrl", "without a path"},
		{"not a URL", func(in *Input) { in.HeadlampURL = "localhost:8000" }, "headlampUrl", "absolute URL"},
		{"loopback IP instead of localhost", func(in *Input) { in.HeadlampURL = "http://127.0.0.1:8000" }, "headlampUrl", "localhost instead"},
		{"F18 chart too old for callbackURL", func(in *Input) { in.HeadlampChartVersion = "0.30.0" }, "headlampChartVersion", "use 0.43.0 or newer: chart 0.30.0 ignores config.oidc.callbackURL (added in 0.35.0"},
		{"F18 chart too old for hasScopes", func(in *Input) { in.HeadlampChartVersion = "0.42.0" }, "headlampChartVersion", "hasScopes (added in 0.43.0"},
		{"F19 tutorial's 1.29", func(in *Input) { in.KubernetesVersion = "1.29" }, "kubernetesVersion", "can no longer create 1.29"},
		{"1.31 past extended support", func(in *Input) { in.KubernetesVersion = "1.31" }, "kubernetesVersion", "can no longer create"},
		{"F19 extended support not allowed", func(in *Input) { in.KubernetesVersion = "1.33" }, "kubernetesVersion", "allowExtendedSupport"},
		{"1.34 left standard support yesterday", func(in *Input) { in.KubernetesVersion = "1.34" }, "kubernetesVersion", "left standard support on 2 Dec 2026"},
		{"future version", func(in *Input) { in.KubernetesVersion = "1.40" }, "kubernetesVersion", "does not offer 1.40 yet"},
		{"patch version", func(in *Input) { in.KubernetesVersion = "1.35.2" }, "kubernetesVersion", "minor version"},
		{"system: groups prefix", func(in *Input) { in.GroupsPrefix = "system:cognito:" }, "groupsPrefix", "system:"},
		{"system: username prefix", func(in *Input) { in.UsernamePrefix = "system:" }, "usernamePrefix", "system:"},
		{"empty prefix", func(in *Input) { in.UsernamePrefix = "" }, "usernamePrefix", "\"-\" for none"},
		{"unknown username claim", func(in *Input) { in.UsernameClaim = "cognito:groups" }, "usernameClaim", "use one of"},
		{"bad email", func(in *Input) { in.AdminEmails = []string{"not-an-email"} }, "adminEmails", "plain email"},
		{"F17 upper-case email", func(in *Input) { in.ViewerEmails = []string{"Bob@Example.com"} }, "viewerEmails", "lower case"},
		{"email in both groups", func(in *Input) { in.ViewerEmails = []string{"admin@example.com"} }, "viewerEmails", "already in adminEmails"},
		{"user names collide", func(in *Input) { in.ViewerEmails = []string{"admin@example.org"} }, "viewerEmails", "also derived from admin@example.com"},
		{"user role without role", func(in *Input) { in.UserRoles = []string{"alice@example.com"} }, "userRoles", "email=clusterrole"},
		{"user role bad role", func(in *Input) { in.UserRoles = []string{"alice@example.com=Cluster Admin"} }, "userRoles", "ClusterRole"},
		{"same group twice", func(in *Input) { in.ViewerGroup = in.AdminGroup }, "viewerGroup", "different name"},
		{"bad group name", func(in *Input) { in.AdminGroup = "admins group" }, "adminGroup", "Cognito group name"},
		{"nano nodes", func(in *Input) { in.NodeInstanceType = "t3.nano" }, "nodeInstanceType", "4 pods"},
		{"no nodes", func(in *Input) { in.NodeCount = 0 }, "nodeCount", "1 to 20"},
		{"tiny disk", func(in *Input) { in.NodeDiskSizeGiB = 8 }, "nodeDiskSizeGiB", "20 to 1000"},
		{"no region", func(in *Input) { in.Region = "" }, "aws:region", "pulumi config set aws:region"},
		{"bad cluster name", func(in *Input) { in.ClusterName = "-bad" }, "clusterName", "letters"},
		{"bad namespace", func(in *Input) { in.HeadlampNamespace = "Headlamp" }, "headlampNamespace", "namespace name"},
		{"no chart", func(in *Input) { in.HeadlampChart = "" }, "headlampChart", "local chart path"},
		{"repo/name chart", func(in *Input) { in.HeadlampChart = "headlamp/headlamp" }, "headlampChart", "no repo/ prefix"},
		{"missing local chart", func(in *Input) { in.HeadlampChart = "./no-such-chart" }, "headlampChart", "no Chart.yaml there"},
		{"zero replicas", func(in *Input) { in.HeadlampReplicas = 0 }, "headlampReplicas", "with none nothing serves"},
		{"misspelled instance size", func(in *Input) { in.NodeInstanceType = "t3.smal" }, "nodeInstanceType", "family.size"},
		{"upper-case instance type", func(in *Input) { in.NodeInstanceType = "T3.Small" }, "nodeInstanceType", "family.size"},
		{"https on port 80", func(in *Input) { in.HeadlampURL = "https://headlamp.example.com:80" }, "headlampUrl", "without :80"},
		{"YAML number 1.3 for 1.30", func(in *Input) { in.KubernetesVersion = "1.3" }, "kubernetesVersion", "quote it: \"1.30\""},
		{"user bindings by email need the email claim", func(in *Input) { in.UsernameClaim, in.UserRoles = "sub", []string{"bob@example.com=edit"} }, "userRoles", "would never match"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			in := valid()
			r.change(&in)
			s, err := Validate(in, today)
			if r.key == "" {
				if err != nil || s.Claims.RequiredClaims["token_use"] != "id" {
					t.Fatalf("err %v, required claims %v", err, s.Claims.RequiredClaims)
				}
				return
			}
			var verr *Error
			if !errors.As(err, &verr) {
				t.Fatalf("want a configuration error, got %v", err)
			}
			for _, p := range verr.Problems {
				if p.Key == r.key && strings.Contains(p.Fix, r.says) {
					if !strings.Contains(err.Error(), qualified(r.key)) {
						t.Errorf("message does not name the key: %s", err)
					}
					return
				}
			}
			t.Fatalf("no problem on %s saying %q in:\n%s", r.key, r.says, err)
		})
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	in := valid()
	in.KubernetesVersion = "1.29"
	in.CognitoDomainPrefix = "aws-demo"
	in.HeadlampReplicas = 3
	in.HeadlampChartRepo = "https://headlamp-k8s.github.io/headlamp/"
	_, err := Validate(in, today)
	var verr *Error
	if !errors.As(err, &verr) || len(verr.Problems) != 4 {
		t.Fatalf("want 4 problems, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"headlamp-eks:kubernetesVersion = \"1.29\"", "headlamp-eks:cognitoDomainPrefix = \"aws-demo\"", "headlamp-eks:headlampReplicas = \"3\"", "no cloud resource was created"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestExtendedSupportWhenAllowed(t *testing.T) {
	in := valid()
	in.KubernetesVersion, in.AllowExtendedSupport = "1.33", true
	s, err := Validate(in, today)
	if err != nil || s.SupportType != "EXTENDED" {
		t.Fatalf("err %v support %q", err, s.SupportType)
	}
}

func TestDefaultVersionIsInStandardSupport(t *testing.T) {
	std := StandardVersions(today)
	if !slices.Contains(std, Defaults().KubernetesVersion) {
		t.Fatalf("default %s not in standard support %v", Defaults().KubernetesVersion, std)
	}
}

func TestDefaultDomainPrefix(t *testing.T) {
	for _, r := range []struct{ project, stack string }{
		{"headlamp-eks", "aws-demo"}, // F12: a stack named after a reserved word
		{"Amazon_Cognito", "AWS"},
		{strings.Repeat("x", 80), "dev"},
		{"", ""},
		{"caws", "wsamazonazon"},
	} {
		base := DomainPrefixBase(r.project, r.stack)
		prefix := DomainPrefix(base, "us-east-1_AbCdEf123")
		if why := domainPrefixProblem(prefix); why != "" {
			t.Errorf("%s/%s -> %q: %s", r.project, r.stack, prefix, why)
		}
		if DomainPrefix(base, "us-east-1_AbCdEf123") != prefix {
			t.Errorf("prefix not stable")
		}
		if DomainPrefix(base, "us-east-1_Other") == prefix {
			t.Errorf("prefix does not depend on the pool")
		}
	}
	// F13: the common prefix everyone wants is not the default.
	if b := DomainPrefixBase("headlamp-eks", "development"); b == "development" {
		t.Errorf("base %q", b)
	}
}

func TestClaimsSubjectsAndFlags(t *testing.T) {
	c := Claims{UsernameClaim: "email", UsernamePrefix: "cognito:", GroupsClaim: "cognito:groups", GroupsPrefix: NoPrefix, RequiredClaims: map[string]string{"token_use": "id"}}
	if c.UserSubject("a@example.com") != "cognito:a@example.com" || c.GroupSubject("admins") != "admins" {
		t.Fatal(c.UserSubject("a@example.com"), c.GroupSubject("admins"))
	}
	flags := strings.Join(c.APIServerFlags("https://issuer", "client"), " ")
	for _, want := range []string{"--oidc-issuer-url=https://issuer", "--oidc-client-id=client", "--oidc-username-prefix=cognito:", "--oidc-groups-prefix= ", "--oidc-required-claim=token_use=id"} {
		if !strings.Contains(flags+" ", want) {
			t.Errorf("flags %q lack %q", flags, want)
		}
	}
}

func TestWarnsAboutExampleAddresses(t *testing.T) {
	s, err := Validate(valid(), today)
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "admin@example.com") || !strings.Contains(w[0], "headlamp-eks:adminEmails") {
		t.Errorf("warnings %v", w)
	}
	in := valid()
	in.AdminEmails = []string{"ops@acme.io"}
	if s, _ := Validate(in, today); len(s.Warnings()) != 0 {
		t.Errorf("warned about a real address: %v", s.Warnings())
	}
}
