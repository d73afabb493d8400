// Package gostrings reads the string literals of Go source files, for tests
// that check what the product's messages say (the attributes and flags they
// tell users to set exist).
package gostrings

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
)

// Each calls fn with every string literal of the Go files below root that
// are not tests, with its position; skip leaves out the files whose slash
// path it accepts (nil keeps all).
func Each(root string, skip func(path string) bool, fn func(pos token.Position, s string)) error {
	fset := token.NewFileSet()
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if skip != nil && skip(filepath.ToSlash(path)) {
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
			if s, err := strconv.Unquote(lit.Value); err == nil {
				fn(fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
}
