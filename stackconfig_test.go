package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/headlamp-eks/headlamp-eks/internal/settings"
)

// projectFile is the part of Pulumi.yaml the tests read.
type projectFile struct {
	Name   string `yaml:"name"`
	Config map[string]struct {
		Type        string      `yaml:"type"`
		Description string      `yaml:"description"`
		Default     interface{} `yaml:"default"`
		Value       interface{} `yaml:"value"`
	} `yaml:"config"`
}

func readProject(t *testing.T) projectFile {
	t.Helper()
	b, err := os.ReadFile("Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var p projectFile
	if err := yaml.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// configValue renders a default the way the engine hands config to a program.
func configValue(v interface{}) string {
	switch x := v.(type) {
	case string:
		return x
	case []interface{}, map[string]interface{}, []string:
		b, _ := json.Marshal(x)
		return string(b)
	default:
		return fmt.Sprint(x)
	}
}

// stackConfig is the configuration `pulumi up` would give the program for a committed stack.
func stackConfig(t *testing.T, stack string) map[string]string {
	t.Helper()
	cfg, err := stackFileConfig(".", stack)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestPulumiYamlDeclaresEveryKey keeps the config schema, its defaults and the code in step.
func TestPulumiYamlDeclaresEveryKey(t *testing.T) {
	p := readProject(t)
	if p.Name != settings.Namespace {
		t.Fatalf("project name %q, want %q", p.Name, settings.Namespace)
	}
	defaults := reflect.ValueOf(settings.Defaults())
	typ := defaults.Type()
	declared := map[string]bool{}
	for i := 0; i < typ.NumField(); i++ {
		key := typ.Field(i).Tag.Get("key")
		if key == "" || strings.Contains(key, ":") {
			continue
		}
		declared[key] = true
		c, ok := p.Config[key]
		if !ok {
			t.Errorf("Pulumi.yaml does not declare %s", key)
			continue
		}
		if c.Description == "" {
			t.Errorf("Pulumi.yaml: %s has no description", key)
		}
		want := map[reflect.Kind]string{reflect.String: "string", reflect.Int: "integer", reflect.Bool: "boolean", reflect.Slice: "array"}[typ.Field(i).Type.Kind()]
		if c.Type != want {
			t.Errorf("Pulumi.yaml: %s has type %q, want %q", key, c.Type, want)
		}
		got := configValue(c.Default)
		def := defaults.Field(i).Interface()
		wantDefault := configValue(def)
		if list, ok := def.([]string); ok {
			if list == nil {
				list = []string{}
			}
			b, _ := json.Marshal(list)
			wantDefault = string(b)
		}
		if got != wantDefault {
			t.Errorf("Pulumi.yaml: %s defaults to %s, the code to %s", key, got, wantDefault)
		}
	}
	var extra []string
	for k := range p.Config {
		if !strings.Contains(k, ":") && !declared[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("Pulumi.yaml declares keys the program never reads: %v", extra)
	}
}

// TestReadmeDocumentsEveryKey keeps the README's config table true to the code.
func TestReadmeDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(settings.Input{})
	for i := 0; i < typ.NumField(); i++ {
		if key := typ.Field(i).Tag.Get("key"); key != "" && !strings.Contains(string(b), "`"+key+"`") {
			t.Errorf("README.md does not document %s", key)
		}
	}
}
