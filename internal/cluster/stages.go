package cluster

import (
	"bytes"
	"embed"
	"io/fs"
	"sort"
)

// stageFiles are the KWOK Stage objects the fake kubelets follow. kwok has no
// built-in stages: without these, nodes never become Ready and pods never run.
//
//go:embed stages/*.yaml
var stageFiles embed.FS

// heartbeatStage is the stage that keeps a Ready node's conditions fresh.
const heartbeatStage = "stages/node-heartbeat.yaml"

// stagesConfig joins the embedded stages into one multi-document YAML file for
// kwok's --config, in file-name order so the file is deterministic. A large
// cluster goes without the heartbeat stage: nothing there reads a node's
// heartbeats (no node-lifecycle controller), and kwok arms a node's next
// heartbeat 300 to 330 s after any change of the node, so a write to every
// node lined the heartbeats up into a wave: at 5 000 nodes, 5 000 status
// patches within one minute, five minutes after the write, on the same two
// cores as whatever benchmark ran by then.
func stagesConfig(large bool) ([]byte, error) {
	names, err := fs.Glob(stageFiles, "stages/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, name := range names {
		if large && name == heartbeatStage {
			continue
		}
		data, err := stageFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if buf.Len() > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(data)
	}
	return buf.Bytes(), nil
}
