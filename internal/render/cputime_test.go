package render

import (
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time this process has used, user and system, GC
// workers included.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per iteration since start as cpu-ns/op:
// on a loaded machine it moves far less than ns/op, which is wall time.
func reportCPU(b *testing.B, start time.Duration, n int) {
	if n > 0 {
		b.ReportMetric(float64(processCPU(b)-start)/float64(n), "cpu-ns/op")
	}
}
