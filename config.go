package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/headlamp-eks/headlamp-eks/internal/settings"
)

// loadSettings reads the stack's configuration, once, and validates the lot.
func loadSettings(ctx *pulumi.Context, now time.Time) (settings.Settings, error) {
	return settingsFrom(ctx.Project(), ctx.Stack(), ctx.GetConfig, configKeys(ctx), now)
}

// settingsFrom reads every key settings.Input declares through get and validates them together
// with every other problem: values of the wrong type, unknown keys in this project's namespace
// (or in a namespace that looks like a typo of it) and what settings.Validate refuses.
func settingsFrom(project, stack string, get func(string) (string, bool), keys []string, now time.Time) (settings.Settings, error) {
	in := settings.Defaults()
	in.Project, in.Stack = project, stack
	var problems []settings.Problem

	v := reflect.ValueOf(&in).Elem()
	known := map[string]bool{}
	for i := 0; i < v.NumField(); i++ {
		key := v.Type().Field(i).Tag.Get("key")
		if key == "" {
			continue
		}
		known[key] = true
		full := key
		if !strings.Contains(key, ":") {
			full = settings.Namespace + ":" + key
		}
		// A key set to an empty value is taken as set: settings.Validate says whether empty is
		// allowed, instead of the default silently standing in for it.
		if raw, ok := get(full); ok {
			if p := setField(v.Field(i), key, raw); p != nil {
				problems = append(problems, *p)
			}
		}
	}

	// A mistyped key would otherwise be ignored silently and its default used.
	for _, full := range keys {
		ns, key, _ := strings.Cut(full, ":")
		raw, _ := get(full)
		switch {
		case ns == settings.Namespace && !known[key]:
			problems = append(problems, settings.Problem{Key: key, Value: raw, Fix: unknownKeyFix(key, known)})
		case ns != settings.Namespace && distance(ns, settings.Namespace) <= 4 && !known[full]:
			problems = append(problems, settings.Problem{Key: full, Value: raw,
				Fix: fmt.Sprintf("%q is not a config namespace this program reads; write %s:%s", ns, settings.Namespace, key)})
		}
	}

	s, err := settings.Validate(in, now)
	if len(problems) == 0 {
		return s, err
	}
	all := &settings.Error{Problems: problems}
	if verr, ok := err.(*settings.Error); ok {
		all.Problems = append(all.Problems, verr.Problems...)
	}
	return s, all
}

// setField parses raw into f according to f's Go type.
func setField(f reflect.Value, key, raw string) *settings.Problem {
	full := key
	if !strings.Contains(key, ":") {
		full = settings.Namespace + ":" + key
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return &settings.Problem{Key: key, Value: raw, Fix: "use a whole number, e.g. " + full + ": 1"}
		}
		f.SetInt(int64(n))
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return &settings.Problem{Key: key, Value: raw, Fix: "use true or false"}
		}
		f.SetBool(b)
	case reflect.Slice:
		var list []string
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return &settings.Problem{Key: key, Value: raw, Fix: "use a YAML list of strings in the stack file, e.g. " + full + ": [a, b]"}
		}
		f.Set(reflect.ValueOf(list))
	default:
		return &settings.Problem{Key: key, Value: raw, Fix: fmt.Sprintf("cannot be read: settings.Input has a field of kind %s (a bug in headlamp-eks)", f.Kind())}
	}
	return nil
}

// configKeys lists every config key of the stack. The SDK has no call that enumerates them, so
// this reads the run's config map by reflection (read-only); a test pins that it works with the
// SDK version in go.mod.
func configKeys(ctx *pulumi.Context) []string {
	state := reflect.ValueOf(ctx).Elem().FieldByName("state")
	if !state.IsValid() || state.IsNil() {
		return nil
	}
	cfg := state.Elem().FieldByName("info").FieldByName("Config")
	if cfg.Kind() != reflect.Map {
		return nil
	}
	var keys []string
	for _, k := range cfg.MapKeys() {
		keys = append(keys, k.String())
	}
	sort.Strings(keys)
	return keys
}

// unknownKeyFix suggests the declared key closest to a mistyped one.
func unknownKeyFix(key string, known map[string]bool) string {
	best, bestDist := "", 4
	for k := range known {
		if strings.Contains(k, ":") {
			continue
		}
		if d := distance(strings.ToLower(key), strings.ToLower(k)); d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	fix := "not a headlamp-eks setting (Pulumi.yaml lists them all); remove it"
	if best != "" {
		fix = fmt.Sprintf("not a headlamp-eks setting; did you mean %s? (Pulumi.yaml lists them all)", best)
	}
	return fix
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// stackFileConfig is the configuration Pulumi would give the program for a stack, read from the
// files in dir: Pulumi.yaml's values and defaults overlaid with Pulumi.<stack>.yaml. Scalars keep
// the text as written (an unquoted 1.30 stays "1.30"), lists and maps become JSON, as the engine
// passes them. The local runner checks a stack with it before the Pulumi CLI does, and the tests
// read the committed files through it.
func stackFileConfig(dir, stack string) (map[string]string, error) {
	var project struct {
		Name   string `yaml:"name"`
		Config map[string]struct {
			Default yaml.Node `yaml:"default"`
			Value   yaml.Node `yaml:"value"`
		} `yaml:"config"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi.yaml"), &project); err != nil {
		return nil, err
	}
	cfg := map[string]string{}
	for k, c := range project.Config {
		full := k
		if !strings.Contains(k, ":") {
			full = project.Name + ":" + k
		}
		for _, n := range []yaml.Node{c.Value, c.Default} {
			if n.Kind != 0 {
				cfg[full] = nodeText(&n)
				break
			}
		}
	}
	var file struct {
		Config map[string]yaml.Node `yaml:"config"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi."+stack+".yaml"), &file); err != nil {
		return nil, err
	}
	for k, n := range file.Config {
		if !strings.Contains(k, ":") {
			k = project.Name + ":" + k
		}
		cfg[k] = nodeText(&n)
	}
	return cfg, nil
}

func readYAML(path string, v interface{}) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// nodeText renders a YAML value as a config string: a scalar as written, anything else as JSON.
func nodeText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	var v interface{}
	if err := n.Decode(&v); err != nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
