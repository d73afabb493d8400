package render

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	helmrelease "helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
	"sigs.k8s.io/yaml"
)

// document is one rendered document, split, parsed and decoded once: the
// manifest as Helm's sorter sees it (template, text and head) and its
// object, decoded strictly but not yet placed in a namespace.
type document struct {
	releaseutil.Manifest
	// obj is the decoded object; ok is false for a document with only
	// comments; err is why the document does not decode.
	obj Object
	ok  bool
	err error
}

// sortedDocuments is the rendered files as Helm's releaseutil.SortManifests
// sorts them for an install, with one YAML parse per document instead of
// Helm's two (its sorter's and kubedaemon's strict decoding). Files with a
// hook go through SortManifests itself, as do documents whose head the
// strict parse cannot read as Helm's sorter does. It returns the non-hook
// documents and the hooks, both in install order, or the error
// SortManifests returns.
//
// Why the order is Helm's: SortManifests visits the files in path order
// (skipping partials and blank files) and their documents in split order,
// then stable-sorts by kind with releaseutil.InstallOrder (known kinds by
// rank, unknown kinds after them by name). Stable sorting by the same key is
// unique, so sorting the same sequence of heads gives the same result; a
// file handed to SortManifests comes back sorted by that key, which a stable
// sort of the whole sequence keeps. TestSortMatchesHelm compares the two on
// every golden case and on edge cases; FuzzSortMatchesHelm on any input.
func sortedDocuments(files map[string]string) ([]document, []*helmrelease.Hook, error) {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var docs []document
	var hooks []*helmrelease.Hook
	for _, p := range paths {
		content := files[p]
		if strings.HasPrefix(path.Base(p), "_") || strings.TrimSpace(content) == "" {
			continue
		}
		if cached, ok := documentCache.get(p, content); ok {
			docs = append(docs, cached...)
			continue
		}
		fileDocs, hasHook, err := parseFile(p, content)
		if err != nil {
			return nil, nil, err
		}
		if !hasHook {
			documentCache.put(p, content, fileDocs)
			docs = append(docs, fileDocs...)
			continue
		}
		// A file with a hook: Helm's sorter reads its hooks (events,
		// weight, delete policies, unknown hooks left out) and its other
		// documents.
		h, ms, err := releaseutil.SortManifests(map[string]string{p: content}, nil, releaseutil.InstallOrder)
		if err != nil {
			return nil, nil, err
		}
		hooks = append(hooks, h...)
		for _, m := range ms {
			d := document{Manifest: m}
			d.obj, d.ok, d.err = decodeDocument(m.Name, m.Content)
			docs = append(docs, d)
		}
	}
	sort.SliceStable(docs, func(i, j int) bool { return kindLess(docs[i].Head.Kind, docs[j].Head.Kind) })
	sort.SliceStable(hooks, func(i, j int) bool { return kindLess(hooks[i].Kind, hooks[j].Kind) })
	return docs, hooks, nil
}

// kindLess is the order of Helm's install sort: kinds in
// releaseutil.InstallOrder by their rank, then other kinds by name.
func kindLess(a, b string) bool {
	ra, aok := installRanks[a]
	rb, bok := installRanks[b]
	switch {
	case aok && bok:
		return ra < rb
	case aok != bok:
		return aok
	default:
		return a < b
	}
}

// parseFile splits a rendered file into documents as Helm does, and parses
// and decodes each once. hasHook is true when a document carries the
// helm.sh/hook annotation; the documents are then left for Helm's sorter.
func parseFile(name, content string) (docs []document, hasHook bool, err error) {
	for _, text := range splitDocuments(content) {
		// One YAML pass: the strict conversion rejects duplicate keys, and
		// the JSON decoder rejects unknown fields.
		j, jsonErr := yaml.YAMLToJSONStrict([]byte(text))
		head, fromJSON, err := parseHead(j, jsonErr, text)
		if err != nil {
			// The error Helm's sorter returns for this file.
			return nil, false, fmt.Errorf("YAML parse error on %s: %w", name, err)
		}
		if head.Metadata != nil {
			if _, ok := head.Metadata.Annotations[helmrelease.HookAnnotation]; ok {
				hasHook = true
			}
		}
		if hasHook {
			continue
		}
		d := document{Manifest: releaseutil.Manifest{Name: name, Content: text, Head: head}}
		if !fromJSON {
			head = nil
		}
		d.obj, d.ok, d.err = decodeJSON(name, text, j, jsonErr, head)
		docs = append(docs, d)
	}
	return docs, hasHook, nil
}

// parseHead reads the head of a document (apiVersion, kind, name and
// annotations) as Helm's sorter does: sigs.k8s.io/yaml.Unmarshal into a
// releaseutil.SimpleHead. That call converts YAML to JSON, turning a number
// or boolean written where SimpleHead has a string into a string, and reads
// the JSON with encoding/json. The strict conversion gives the same JSON
// but for those scalars, and for them encoding/json fails on the strict
// JSON; so a head read from the strict JSON without error is Helm's head,
// and any other document is read with Helm's own call (whose error is
// Helm's error).
func parseHead(j []byte, jsonErr error, text string) (*releaseutil.SimpleHead, bool, error) {
	if jsonErr == nil {
		var head releaseutil.SimpleHead
		if json.Unmarshal(j, &head) == nil {
			return &head, true, nil
		}
	}
	var head releaseutil.SimpleHead
	if err := yaml.Unmarshal([]byte(text), &head); err != nil {
		return nil, false, err
	}
	return &head, false, nil
}

// splitDocuments splits a rendered file into its documents, in order, as
// releaseutil.SplitManifests does. SplitManifests trims the file and splits
// it on a regular expression that matches only a "---" at its start or
// right after a newline; a file with neither is one document, the trimmed
// file, which this returns without running the expression.
func splitDocuments(content string) []string {
	t := strings.TrimSpace(content)
	if t == "" {
		return nil
	}
	if !strings.HasPrefix(t, "---") && !strings.Contains(t, "\n---") {
		return []string{t}
	}
	docs := releaseutil.SplitManifests(content)
	keys := make([]string, 0, len(docs))
	for k := range docs {
		keys = append(keys, k)
	}
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = docs[k]
	}
	return out
}
