//go:build local

// This file turns the program into its own deployment tool when built with `-tags local`
// (`make up`): it drives the Pulumi CLI through the Automation API with this very program
// inline, so a laptop needs only the `pulumi` binary (no Go language host) and state stays in
// a local file backend. Without the tag the program is the plain Pulumi Go program.

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

func init() {
	if len(os.Args) > 1 {
		os.Exit(local(os.Args[1:]))
	}
}

// local runs `up`, `preview` or `destroy` for a stack and returns the process exit code.
func local(args []string) int {
	fs := flag.NewFlagSet("headlamp-eks", flag.ContinueOnError)
	stackName := fs.String("stack", "dev", "stack name (its config is Pulumi.<stack>.yaml)")
	state := fs.String("state", ".pulumi-state", "directory of the local file backend")
	showSecrets := fs.Bool("show-secrets", false, "outputs: print secret outputs too")
	if len(args) == 0 || fs.Parse(args[1:]) != nil {
		fmt.Fprintln(os.Stderr, "usage: headlamp-eks up|preview|destroy|outputs [-stack dev] [-state .pulumi-state] [-show-secrets] (built with -tags local)")
		return 2
	}
	if err := checkStackFile(args[0], *stackName); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	if err := localRun(context.Background(), args[0], *stackName, *state, *showSecrets); err != nil {
		if auto.IsCompilationError(err) || strings.Contains(err.Error(), "\nstderr: ") {
			// The CLI's own output, streamed above, already says what went wrong.
			fmt.Fprintf(os.Stderr, "pulumi %s failed (see the messages above)\n", args[0])
		} else {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		return 1
	}
	return 0
}

// checkStackFile refuses a stack without its own file (a mistyped STACK= would otherwise create
// a new, empty stack) and validates the file's configuration the way the program will, so
// every problem, type errors included, is reported at once before the Pulumi CLI starts.
func checkStackFile(command, stackName string) error {
	file := "Pulumi." + stackName + ".yaml"
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("no %s here: a stack's configuration lives in its own file; copy Pulumi.dev.yaml to %s, or pick an existing stack with STACK=", file, file)
	}
	if command == "destroy" || command == "outputs" {
		return nil
	}
	cfg, err := stackFileConfig(".", stackName)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	get := func(k string) (string, bool) { v, ok := cfg[k]; return v, ok }
	_, err = settingsFrom("headlamp-eks", stackName, get, keys, time.Now())
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

func localRun(ctx context.Context, command, stackName, state string, showSecrets bool) error {
	dir, err := filepath.Abs(state)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating state directory: %w", err)
	}
	// The CLI inherits this process's environment; these are added to it.
	env := map[string]string{
		"PULUMI_BACKEND_URL":       "file://" + dir,
		"PULUMI_SKIP_UPDATE_CHECK": "true",
	}
	if os.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
		// A local stack needs a passphrase for its secrets; make one once, kept beside the state.
		file := filepath.Join(dir, "passphrase")
		if _, err := os.Stat(file); os.IsNotExist(err) && (command == "up" || command == "preview") {
			b := make([]byte, 24)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			if err := os.WriteFile(file, []byte(hex.EncodeToString(b)), 0o600); err != nil {
				return fmt.Errorf("writing passphrase file: %w", err)
			}
			fmt.Fprintf(os.Stderr, "created %s: it decrypts this stack's secrets, keep it\n", file)
		}
		env["PULUMI_CONFIG_PASSPHRASE_FILE"] = file
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(cwd), auto.EnvVars(env)}
	var stack auto.Stack
	if command == "up" || command == "preview" {
		stack, err = auto.UpsertStackInlineSource(ctx, stackName, "headlamp-eks", run, opts...)
	} else {
		// Reading outputs or destroying must not create a stack (or write its salt) by accident.
		stack, err = auto.SelectStackInlineSource(ctx, stackName, "headlamp-eks", run, opts...)
		if auto.IsSelectStack404Error(err) {
			return fmt.Errorf("stack %s has never been deployed from here (state in %s): run `make up STACK=%s` first", stackName, dir, stackName)
		}
	}
	if err != nil {
		return fmt.Errorf("selecting stack %s: %w", stackName, err)
	}
	switch command {
	case "up":
		_, err = stack.Up(ctx, optup.ProgressStreams(os.Stdout), optup.ErrorProgressStreams(os.Stderr))
	case "preview":
		_, err = stack.Preview(ctx, optpreview.ProgressStreams(os.Stdout), optpreview.ErrorProgressStreams(os.Stderr), optpreview.Diff())
	case "destroy":
		_, err = stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout), optdestroy.ErrorProgressStreams(os.Stderr))
	case "outputs":
		var outs auto.OutputMap
		if outs, err = stack.Outputs(ctx); err == nil {
			if len(outs) == 0 {
				return fmt.Errorf("stack %s has no outputs yet: run `make up STACK=%s` (outputs appear when it completes)", stackName, stackName)
			}
			printOutputs(outs, showSecrets)
		}
	default:
		return fmt.Errorf("unknown command %q: use up, preview, destroy or outputs", command)
	}
	return err
}

// printOutputs prints the stack outputs one per line, in name order, secrets masked unless asked.
func printOutputs(outs auto.OutputMap, showSecrets bool) {
	names := make([]string, 0, len(outs))
	for k := range outs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		o := outs[k]
		v := o.Value
		if o.Secret && !showSecrets {
			v = "[secret] (make outputs SHOW_SECRETS=1)"
		}
		if s, ok := v.(string); ok {
			fmt.Printf("%s: %s\n", k, s)
			continue
		}
		b, _ := json.Marshal(v)
		fmt.Printf("%s: %s\n", k, b)
	}
}
