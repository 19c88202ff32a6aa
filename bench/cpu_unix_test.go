//go:build unix

package bench

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the whole process has used, user and system,
// on every thread: client, server and garbage collector alike.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
