package render

import (
	"bytes"
	"crypto/sha256"
	"sync"
)

// maxCachedFiles bounds documentCache. A render of a built-in preset adds
// fewer than 20 files; when the cache is full it starts again empty, which
// costs one parse per file and keeps memory bounded without bookkeeping.
const maxCachedFiles = 1024

// documentCache holds rendered files that parsed and decoded without error
// and without hooks, keyed by the digest of the template's name and the
// rendered text: the same text from the same template decodes to the same
// objects (the client-go scheme that decodes them is fixed once the process
// has started). The provider renders a preset several times per plan and
// apply with the same values; those renders skip the YAML parse and the
// strict decoding. A render with other values, or the first of a chart,
// misses and parses.
var documentCache = &fileCache{entries: map[[sha256.Size]byte][]document{}}

// fileCache is a concurrency-safe map from a rendered file to its
// documents. The objects it holds are never handed out: get returns deep
// copies, as renders place them in namespaces and callers may change them.
type fileCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte][]document
}

// fileKey is the digest of a template's name and its rendered text.
func fileKey(name, content string) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for i, l := 0, len(name); i < 8; i++ {
		n[i] = byte(l >> (8 * i))
	}
	h.Write(n[:])
	h.Write([]byte(name))
	h.Write([]byte(content))
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// get returns copies of the documents of a rendered file, if cached.
func (c *fileCache) get(name, content string) ([]document, bool) {
	k := fileKey(name, content)
	c.mu.Lock()
	docs, ok := c.entries[k]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	out := make([]document, len(docs))
	for i, d := range docs {
		out[i] = d
		if d.ok {
			out[i].obj.Object = d.obj.Object.DeepCopyObject()
			out[i].obj.YAML = bytes.Clone(d.obj.YAML)
		}
	}
	return out, true
}

// put caches the documents of a rendered file when every one decoded; it
// keeps copies, so that the caller may place and hand out its own.
func (c *fileCache) put(name, content string, docs []document) {
	stored := make([]document, len(docs))
	for i, d := range docs {
		if d.err != nil {
			return
		}
		stored[i] = d
		if d.ok {
			stored[i].obj.Object = d.obj.Object.DeepCopyObject()
			stored[i].obj.YAML = bytes.Clone(d.obj.YAML)
		}
	}
	k := fileKey(name, content)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedFiles {
		c.entries = map[[sha256.Size]byte][]document{}
	}
	c.entries[k] = stored
}

// clear empties the cache; the benchmarks use it to measure renders that
// parse every document.
func (c *fileCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[[sha256.Size]byte][]document{}
}
