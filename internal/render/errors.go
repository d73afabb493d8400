package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// TemplateError is a failed parse or execution of a preset template, pointing
// at the innermost template file and line that failed.
type TemplateError struct {
	// File is the template, e.g. "node-exporter/templates/daemonset.yaml".
	File string
	// Line and Column are 1-based; Column is 0 for parse errors, which Go
	// reports by line only.
	Line, Column int
	// ValuesPath is the values key the failing expression read, e.g.
	// "image.tag", or "" when the expression read none.
	ValuesPath string
	// Msg is Go's message without its location prefixes.
	Msg string
}

// Error reads `chart/templates/file:line:col: message (values path: a.b)`.
func (e *TemplateError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteString(":" + strconv.Itoa(e.Line))
	if e.Column > 0 {
		b.WriteString(":" + strconv.Itoa(e.Column))
	}
	b.WriteString(": " + e.Msg)
	if e.ValuesPath != "" {
		fmt.Fprintf(&b, " (values path: %s)", e.ValuesPath)
	}
	return b.String()
}

// The expressions below read error messages, which most processes never
// see: they are compiled on first use, not at start-up.

// templateLocation matches one location prefix of a text/template error:
// `template: NAME:LINE[:COL]: [executing "NAME" at <EXPR>: ]`. Nested
// include calls repeat it, innermost last.
var templateLocation = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`template: ([^:\s]+):(\d+)(?::(\d+))?: (?:executing "(?:[^"\\]|\\.)*" at <(.*?)>: )?`)
})

// valuesExpr matches an expression that reads a key of .Values.
var valuesExpr = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\$?\.Values((?:\.[A-Za-z0-9_]+)+)$`)
})

// callPrefix is the wrapping text/template and Helm add around a function's
// error.
var callPrefix = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:error calling [A-Za-z0-9_]+|error during tpl function execution for "(?:[^"\\]|\\.)*"|cannot parse template "(?:[^"\\]|\\.)*"): `)
})

// helmLocation matches the two forms Helm's engine rewrites errors into:
// `parse error at (FILE:LINE): MSG` and, for required and fail,
// `execution error at (FILE:LINE:COL): MSG`.
var helmLocation = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:parse|execution) error at \(([^:\s()]+):(\d+)(?::(\d+))?\): `)
})

// cleanTemplateError turns a text/template error into a *TemplateError at
// the innermost location; errors without a location come back unchanged.
func cleanTemplateError(err error) error {
	if err == nil {
		return nil
	}
	s := err.Error()
	if m := helmLocation().FindStringSubmatchIndex(s); m != nil && !strings.Contains(s[m[1]:], "template: ") {
		te := &TemplateError{File: s[m[2]:m[3]], Msg: s[m[1]:]}
		te.Line, _ = strconv.Atoi(s[m[4]:m[5]])
		if m[6] >= 0 {
			te.Column, _ = strconv.Atoi(s[m[6]:m[7]])
		}
		return te
	}
	matches := templateLocation().FindAllStringSubmatchIndex(s, -1)
	if len(matches) == 0 {
		return err
	}
	last := matches[len(matches)-1]
	te := &TemplateError{File: s[last[2]:last[3]]}
	te.Line, _ = strconv.Atoi(s[last[4]:last[5]])
	if last[6] >= 0 {
		te.Column, _ = strconv.Atoi(s[last[6]:last[7]])
	}
	msg := s[last[1]:]
	for {
		loc := callPrefix().FindStringIndex(msg)
		if loc == nil {
			break
		}
		msg = msg[loc[1]:]
	}
	te.Msg = msg
	for i := len(matches) - 1; i >= 0; i-- {
		m := matches[i]
		if m[8] < 0 {
			continue
		}
		if v := valuesExpr().FindStringSubmatch(s[m[8]:m[9]]); v != nil {
			te.ValuesPath = strings.TrimPrefix(v[1], ".")
			break
		}
	}
	return te
}
