package gcstart

import (
	"os"
	"runtime/debug"
)

// GCPercent is the collector's GOGC for a command line run.
const GCPercent = 400

// previous is the setting init replaced, or 0 when init left GOGC alone.
var previous int

func init() {
	if os.Getenv("GOGC") != "" {
		return
	}
	previous = debug.SetGCPercent(GCPercent)
}

// Restore gives the process back the collector setting it started with.
func Restore() {
	if previous != 0 {
		debug.SetGCPercent(previous)
		previous = 0
	}
}
