package cli

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagMention is how a message names a flag of the command line.
var flagMention = regexp.MustCompile(`(?:^|[\s(` + "`" + `'"])(--[a-z][a-z0-9-]*[a-z0-9])\b`)

// otherTools are flags messages name for the other tools they quote
// (kubectl, helm, terraform), which kubedaemon's command line need not have,
// and the one flag read before the command line.
var otherTools = map[string]bool{
	"--show-labels":      true, // kubectl get node --show-labels
	"--force-conflicts":  true, // kubectl apply --server-side --force-conflicts
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
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		// The test cluster's own tool and its components' flags are not the
		// product's messages.
		if strings.Contains(filepath.ToSlash(path), "/cluster/") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range flagMention.FindAllStringSubmatch(s, -1) {
				found++
				if !known[m[1]] && !otherTools[m[1]] {
					t.Errorf("%s: %q names the flag %s, which no kubedaemon command has", fset.Position(lit.Pos()), s, m[1])
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d flag mentions checked", found)
	if found < 10 {
		t.Fatalf("found %d flag mentions; the pattern no longer matches how messages are written", found)
	}
}
