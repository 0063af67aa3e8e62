// Package deploy holds no code: its tests check the CI and Pulumi Deployments files of this
// directory, the CI stack file and the workflows (docs/ci.md), without any network but loopback.
package deploy

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

// escEnvironment is the environment Pulumi.ci.yaml imports and the trust policy admits.
const escEnvironment = "headlamp-eks/dev"

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(readFile(t, path), &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// get walks nested maps: get(m, "a", "b") is m["a"]["b"], nil when a step is missing.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// TestStackFiles keeps the ESC import out of the dev stack: the local file backend that
// `make up` uses refuses any stack whose file imports an environment ("backend ... does not
// support environments"), so the import lives in the CI stack's file only.
func TestStackFiles(t *testing.T) {
	if env := get(readYAML(t, "../Pulumi.dev.yaml"), "environment"); env != nil {
		t.Errorf("Pulumi.dev.yaml imports ESC environments %v: `make up` (local file backend) would fail; import them in Pulumi.ci.yaml", env)
	}
	ci := readYAML(t, "../Pulumi.ci.yaml")
	imports, _ := ci["environment"].([]any)
	if len(imports) != 1 || imports[0] != escEnvironment {
		t.Errorf("Pulumi.ci.yaml imports %v, want [%s]", ci["environment"], escEnvironment)
	}
	for k := range ci {
		if k != "environment" {
			t.Errorf("Pulumi.ci.yaml sets %q: CI's settings belong in the ESC environment (deploy/esc/)", k)
		}
	}
}

// TestEscEnvironmentExample checks the example environment's shape and that every project key
// it sets is one Pulumi.yaml declares (a misspelled key would be silently ignored).
func TestEscEnvironmentExample(t *testing.T) {
	env := readYAML(t, "esc/headlamp-eks-dev.yaml")
	values := get(env, "values")
	oidc := get(values, "aws", "login", "fn::open::aws-login", "oidc")
	for _, k := range []string{"roleArn", "sessionName", "duration"} {
		if s, _ := get(oidc, k).(string); s == "" {
			t.Errorf("aws-login oidc has no %s", k)
		}
	}
	if attrs, _ := get(oidc, "subjectAttributes").([]any); len(attrs) != 1 || attrs[0] != "currentEnvironment.name" {
		t.Errorf("subjectAttributes %v: the trust policy expects [currentEnvironment.name]", attrs)
	}
	for k, want := range map[string]string{
		"AWS_ACCESS_KEY_ID":     "${aws.login.accessKeyId}",
		"AWS_SECRET_ACCESS_KEY": "${aws.login.secretAccessKey}",
		"AWS_SESSION_TOKEN":     "${aws.login.sessionToken}",
	} {
		if got := get(values, "environmentVariables", k); got != want {
			t.Errorf("environmentVariables.%s = %v, want %s", k, got, want)
		}
	}
	pulumiConfig, _ := get(values, "pulumiConfig").(map[string]any)
	if pulumiConfig["aws:region"] == nil {
		t.Error("pulumiConfig sets no aws:region")
	}
	project := readYAML(t, "../Pulumi.yaml")
	declared, _ := project["config"].(map[string]any)
	name, _ := project["name"].(string)
	for k := range pulumiConfig {
		if key, ok := strings.CutPrefix(k, name+":"); ok && declared[key] == nil {
			t.Errorf("pulumiConfig sets %s, which Pulumi.yaml does not declare", k)
		} else if !ok && !strings.Contains(k, ":") && declared[k] == nil {
			t.Errorf("pulumiConfig sets %s, which Pulumi.yaml does not declare", k)
		}
	}
}

// TestTrustPolicy checks that the IAM role's trust policy admits exactly the example
// environment, through Pulumi's OIDC issuer.
func TestTrustPolicy(t *testing.T) {
	var policy struct {
		Statement []struct {
			Effect    string
			Principal struct{ Federated string }
			Action    string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal(readFile(t, "esc/aws-oidc-trust-policy.json"), &policy); err != nil {
		t.Fatal(err)
	}
	if len(policy.Statement) != 1 {
		t.Fatalf("%d statements, want 1", len(policy.Statement))
	}
	s := policy.Statement[0]
	if s.Effect != "Allow" || s.Action != "sts:AssumeRoleWithWebIdentity" ||
		!strings.HasSuffix(s.Principal.Federated, ":oidc-provider/api.pulumi.com/oidc") {
		t.Errorf("statement %+v does not let api.pulumi.com/oidc tokens assume the role", s)
	}
	eq := s.Condition["StringEquals"]
	aud, sub := eq["api.pulumi.com/oidc:aud"], eq["api.pulumi.com/oidc:sub"]
	org, ok := strings.CutPrefix(aud, "aws:")
	if !ok || org == "" {
		t.Errorf("aud condition %q, want aws:<org>", aud)
	}
	want := "pulumi:environments:pulumi.organization.login:" + org + ":currentEnvironment.name:" + escEnvironment
	if sub != want {
		t.Errorf("sub condition %q, want %q", sub, want)
	}
}

func TestDeploymentsSettingsFile(t *testing.T) {
	var s map[string]any
	if err := json.Unmarshal(readFile(t, "deployments-settings.json"), &s); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path []string
		want any
	}{
		{[]string{"gitHub", "repository"}, "@GITHUB_REPOSITORY@"},
		{[]string{"gitHub", "previewPullRequests"}, true},
		{[]string{"gitHub", "deployCommits"}, true},
		{[]string{"sourceContext", "git", "branch"}, "refs/heads/main"},
		{[]string{"cacheOptions", "enable"}, true},
	} {
		if got := get(s, c.path...); got != c.want {
			t.Errorf("%s = %v, want %v", strings.Join(c.path, "."), got, c.want)
		}
	}
	// Credentials come from the stack's ESC import, never from the settings.
	if vars, _ := get(s, "operationContext", "environmentVariables").(map[string]any); len(vars) != 0 {
		t.Errorf("operationContext.environmentVariables %v: use the ESC environment instead", vars)
	}
}

// fakeCloud is a loopback stand-in for the Pulumi Cloud API.
type fakeCloud struct {
	mu       sync.Mutex
	requests []string // "METHOD path"
	auth     []string
	accept   []string
	stored   []byte
}

func (f *fakeCloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.accept = append(f.accept, r.Header.Get("Accept"))
	switch r.Method {
	case http.MethodPost:
		f.stored, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		_, _ = w.Write(f.stored)
	default:
		http.Error(w, "unexpected method", http.StatusMethodNotAllowed)
	}
}

func runScript(t *testing.T, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found", tool)
		}
	}
	cmd := exec.Command("bash", append([]string{"deployments-settings.sh"}, args...)...)
	// Only what the script needs: in particular no proxy variables, so curl talks to the
	// loopback server directly.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func TestDeploymentsSettingsScript(t *testing.T) {
	cloud := &fakeCloud{}
	srv := httptest.NewServer(cloud) // 127.0.0.1
	defer srv.Close()
	const token = "pul-0123456789abcdef-test-token"

	stdout, stderr, err := runScript(t,
		[]string{"PULUMI_ACCESS_TOKEN=" + token, "PULUMI_API=" + srv.URL},
		"--org", "acme", "--repo", "acme/headlamp-eks")
	if err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	path := "/api/stacks/acme/headlamp-eks/ci/deployments/settings"
	if want := []string{"POST " + path, "GET " + path}; strings.Join(cloud.requests, ",") != strings.Join(want, ",") {
		t.Errorf("requests %v, want %v", cloud.requests, want)
	}
	for i := range cloud.requests {
		if cloud.auth[i] != "token "+token || cloud.accept[i] != "application/vnd.pulumi+8" {
			t.Errorf("request %d: Authorization %q, Accept %q", i, cloud.auth[i], cloud.accept[i])
		}
	}
	var sent map[string]any
	if err := json.Unmarshal(cloud.stored, &sent); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, cloud.stored)
	}
	if got := get(sent, "gitHub", "repository"); got != "acme/headlamp-eks" {
		t.Errorf("gitHub.repository = %v, want acme/headlamp-eks", got)
	}
	if strings.Contains(stdout+stderr, token) {
		t.Error("the script printed the access token")
	}
	if !strings.Contains(stderr, "POST "+srv.URL+path) {
		t.Errorf("the script does not say what it sends:\n%s", stderr)
	}
}

func TestDeploymentsSettingsScriptRefuses(t *testing.T) {
	cloud := &fakeCloud{}
	srv := httptest.NewServer(cloud)
	defer srv.Close()
	for name, c := range map[string]struct {
		env  []string
		args []string
	}{
		"no token":          {[]string{"PULUMI_API=" + srv.URL}, []string{"--org", "acme", "--repo", "acme/x"}},
		"no organization":   {[]string{"PULUMI_ACCESS_TOKEN=t", "PULUMI_API=" + srv.URL}, []string{"--repo", "acme/x"}},
		"bad repository":    {[]string{"PULUMI_ACCESS_TOKEN=t", "PULUMI_API=" + srv.URL}, []string{"--org", "acme", "--repo", "x|y"}},
		"plain http remote": {[]string{"PULUMI_ACCESS_TOKEN=t", "PULUMI_API=http://api.example.com"}, []string{"--org", "acme", "--repo", "acme/x"}},
		"dry run":           {[]string{"PULUMI_ACCESS_TOKEN=t", "PULUMI_API=" + srv.URL}, []string{"--org", "acme", "--repo", "acme/x", "--dry-run"}},
	} {
		_, stderr, err := runScript(t, c.env, c.args...)
		if (err == nil) != (name == "dry run") {
			t.Errorf("%s: exit error %v\n%s", name, err, stderr)
		}
	}
	if len(cloud.requests) != 0 {
		t.Errorf("requests were sent: %v", cloud.requests)
	}
}

// TestWorkflows checks the properties docs/ci.md promises: every Pulumi step runs the CI stack,
// gets its Pulumi token through OIDC, and no workflow reads a long-lived cloud key or token from
// repository secrets.
func TestWorkflows(t *testing.T) {
	files, err := filepath.Glob("../.github/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows (%v)", err)
	}
	forbidden := regexp.MustCompile(`secrets\.(AWS_|PULUMI_ACCESS_TOKEN)`)
	commands := map[string]bool{}
	for _, f := range files {
		raw := readFile(t, f)
		if m := forbidden.Find(raw); m != nil {
			t.Errorf("%s reads %s: credentials come from OIDC and ESC", f, m)
		}
		wf := readYAML(t, f)
		jobs, _ := wf["jobs"].(map[string]any)
		for jobName, job := range jobs {
			steps, _ := get(job, "steps").([]any)
			auth := false
			for _, step := range steps {
				uses, _ := get(step, "uses").(string)
				switch {
				case strings.HasPrefix(uses, "pulumi/auth-actions@"):
					auth = true
					if get(step, "with", "requested-token-type") != "urn:pulumi:token-type:access_token:organization" {
						t.Errorf("%s/%s: auth-actions does not request an organization token", f, jobName)
					}
					if get(job, "permissions", "id-token") != "write" {
						t.Errorf("%s/%s: OIDC needs permissions.id-token: write", f, jobName)
					}
				case strings.HasPrefix(uses, "pulumi/actions@"):
					if !auth {
						t.Errorf("%s/%s: pulumi/actions runs before pulumi/auth-actions", f, jobName)
					}
					if stack, _ := get(step, "with", "stack-name").(string); !strings.HasSuffix(stack, "/headlamp-eks/ci") {
						t.Errorf("%s/%s: stack-name %q is not the CI stack (Pulumi.ci.yaml)", f, jobName, stack)
					}
					cmd, _ := get(step, "with", "command").(string)
					commands[cmd] = true
					if cmd == "preview" && get(step, "with", "comment-on-pr") == true &&
						get(step, "with", "edit-pr-comment") != true {
						t.Errorf("%s/%s: the PR comment must be edited in place", f, jobName)
					}
				}
			}
		}
	}
	var got []string
	for c := range commands {
		got = append(got, c)
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "preview,up" {
		t.Errorf("pulumi/actions commands %v, want preview and up", got)
	}
}
