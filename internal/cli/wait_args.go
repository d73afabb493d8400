package cli

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
)

// Exit codes of `wait`, as its --help lists them.
const (
	exitNotConverged = 1
	exitUsage        = 2
	exitUnreachable  = 3
)

// daemonSetTypes are the spellings of the resource type `wait` accepts, as
// kubectl accepts them.
var daemonSetTypes = []string{"daemonset", "daemonsets", "ds", "daemonset.apps", "daemonsets.apps"}

// outputFormats are the values of `wait -o` ("" prints text).
var outputFormats = []string{"text", "json"}

// waitTargets is what the arguments and flags of `wait` select: the named
// DaemonSets, or those that match selector.
type waitTargets struct {
	names         []string
	selector      string
	allNamespaces bool
}

// usageError is a bad argument or flag: exit code 2, with a pointer to --help.
func usageError(format string, a ...any) *exitError {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, a...) + "\nSee 'kubedaemon wait --help'."}
}

// parseWaitTargets reads the arguments as kubectl does: TYPE/NAME...,
// TYPE NAME..., or TYPE (or nothing) with -l.
func parseWaitTargets(args []string, selector string, allNamespaces bool) (waitTargets, error) {
	t := waitTargets{selector: selector, allNamespaces: allNamespaces}
	if allNamespaces && selector == "" {
		return t, usageError("-A/--all-namespaces needs -l/--selector: name the DaemonSets to wait for by label, e.g. -A -l app=fluent-bit")
	}
	if selector != "" {
		if _, err := labels.Parse(selector); err != nil {
			return t, usageError("-l %q is not a label selector (%v): write it as kubectl does, e.g. app=fluent-bit,tier!=test", selector, err)
		}
	}
	names, err := parseDaemonSetNames(args)
	if err != nil {
		return t, err
	}
	switch {
	case selector != "" && len(names) > 0:
		return t, usageError("name the DaemonSets or select them with -l, not both (got %s and -l %q)", strings.Join(args, " "), selector)
	case selector == "" && len(names) == 0:
		return t, usageError("name the DaemonSet to wait for (daemonset/NAME or daemonset NAME), or select DaemonSets with -l SELECTOR")
	}
	t.names = names
	return t, nil
}

// parseDaemonSetNames returns the names in args: "TYPE/NAME..." or
// "TYPE NAME...", or none for "TYPE" alone and for no argument.
func parseDaemonSetNames(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, nil
	}
	if !strings.Contains(args[0], "/") {
		if !isDaemonSetType(args[0]) {
			return nil, unknownTypeError(args[0])
		}
		for _, name := range args[1:] {
			if name == "" || strings.Contains(name, "/") {
				return nil, usageError("argument %q: after the type %s give bare names, e.g. %s fluent-bit", name, args[0], args[0])
			}
		}
		return dedupe(args[1:]), nil
	}
	names := make([]string, 0, len(args))
	for _, arg := range args {
		kind, name, _ := strings.Cut(arg, "/")
		switch {
		case !strings.Contains(arg, "/"):
			return nil, usageError("argument %q: after %s give TYPE/NAME too (daemonset/NAME), or write daemonset NAME...", arg, args[0])
		case !isDaemonSetType(kind):
			return nil, unknownTypeError(arg)
		case name == "" || strings.Contains(name, "/"):
			return nil, usageError("argument %q: want daemonset/NAME, e.g. daemonset/fluent-bit", arg)
		}
		names = append(names, name)
	}
	return dedupe(names), nil
}

func isDaemonSetType(s string) bool {
	for _, t := range daemonSetTypes {
		if strings.EqualFold(s, t) {
			return true
		}
	}
	return false
}

func unknownTypeError(arg string) *exitError {
	return usageError("argument %q: wait supports DaemonSets only (%s); want daemonset/NAME or daemonset NAME",
		arg, strings.Join(daemonSetTypes, ", "))
}

func dedupe(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(names))
	out := make([]string, 0, len(names))
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// validateWaitFlags checks the flags that parsing alone cannot.
func validateWaitFlags(o waitOptions) error {
	if o.timeout <= 0 {
		return usageError("--timeout must be longer than 0, e.g. 5m (got %s)", o.timeout)
	}
	if o.stuckGrace <= 0 {
		return usageError("--stuck-grace must be longer than 0, e.g. 30s (got %s)", o.stuckGrace)
	}
	for _, f := range outputFormats {
		if o.output == f {
			return nil
		}
	}
	return usageError("-o %q is not a format: use %s", o.output, strings.Join(outputFormats, " or "))
}

// defaultWaitTimeout is --timeout when not given.
const defaultWaitTimeout = 5 * time.Minute
