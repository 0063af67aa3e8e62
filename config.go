package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/headlamp-eks/headlamp-eks/internal/settings"
)

// loadSettings reads every key settings.Input declares, once, and validates the lot. A value of
// the wrong type is reported with the other problems instead of stopping at the first.
func loadSettings(ctx *pulumi.Context, now time.Time) (settings.Settings, error) {
	in := settings.Defaults()
	in.Project, in.Stack = ctx.Project(), ctx.Stack()
	var typeProblems []settings.Problem

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
		raw, err := config.Try(ctx, full)
		if err != nil || raw == "" {
			continue // unset: the default stands
		}
		if p := setField(v.Field(i), key, raw); p != nil {
			typeProblems = append(typeProblems, *p)
		}
	}

	// A mistyped key would otherwise be ignored silently and its default used.
	for _, full := range configKeys(ctx) {
		key, ok := strings.CutPrefix(full, settings.Namespace+":")
		if ok && !known[key] {
			raw, _ := ctx.GetConfig(full)
			typeProblems = append(typeProblems, settings.Problem{Key: key, Value: raw, Fix: unknownKeyFix(key, known)})
		}
	}

	s, err := settings.Validate(in, now)
	if len(typeProblems) == 0 {
		return s, err
	}
	all := &settings.Error{Problems: typeProblems}
	if verr, ok := err.(*settings.Error); ok {
		all.Problems = append(all.Problems, verr.Problems...)
	}
	return s, all
}

// setField parses raw into f according to f's Go type.
func setField(f reflect.Value, key, raw string) *settings.Problem {
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return &settings.Problem{Key: key, Value: raw, Fix: "use a whole number, e.g. `pulumi config set " + key + " 1`"}
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
			return &settings.Problem{Key: key, Value: raw, Fix: "use a list of strings, e.g. `pulumi config set --path '" + key + "[0]' value` or a YAML list in the stack file"}
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
