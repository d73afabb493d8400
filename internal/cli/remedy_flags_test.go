package cli

import (
	"bytes"
	"go/token"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/gostrings"
)

// flagMention is how a message names a flag of the command line.
var flagMention = regexp.MustCompile(`(?:^|[\s(` + "`" + `'"])(--[a-z][a-z0-9-]*[a-z0-9])\b`)

// otherTools are flags messages name for the other tools they quote
// (kubectl, helm, terraform), which kubedaemon's command line need not have,
// and the one flag read before the command line.
var otherTools = map[string]bool{
	"--show-labels":      true, // kubectl get node --show-labels
	"--force-conflicts":  true, // kubectl apply --server-side --force-conflicts
	"--server-side":      true, // kubectl apply --server-side
	"--create-namespace": true, // helm install --create-namespace
	"--debug":            true, // the provider's debug mode, read before the command line (plugin.go)
}

// TestRemedyFlagsExist: every flag the product's messages (outside tests)
// tell users to pass is a flag of some kubedaemon command, or one of the
// other tools' flags listed in otherTools.
func TestRemedyFlagsExist(t *testing.T) {
	var out bytes.Buffer
	known := map[string]bool{"--help": true}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { known["--"+f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { known["--"+f.Name] = true })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCommand("test", streams{out: &out, errOut: &out}))

	found := 0
	// The test cluster's own tool and its components' flags are not the
	// product's messages.
	skip := func(path string) bool { return strings.Contains(path, "/cluster/") }
	err := gostrings.Each("..", skip, func(pos token.Position, s string) {
		for _, m := range flagMention.FindAllStringSubmatch(s, -1) {
			found++
			if !known[m[1]] && !otherTools[m[1]] {
				t.Errorf("%s: %q names the flag %s, which no kubedaemon command has", pos, s, m[1])
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d flag mentions checked", found)
	if found < 10 {
		t.Fatalf("found %d flag mentions; the pattern no longer matches how messages are written", found)
	}
}
