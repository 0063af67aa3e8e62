package main

import (
	"encoding/json"
	"fmt"
	"reflect"
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
	for i := 0; i < v.NumField(); i++ {
		key := v.Type().Field(i).Tag.Get("key")
		if key == "" {
			continue
		}
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
