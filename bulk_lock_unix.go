//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package glrunners

import (
	"errors"
	"os"
	"syscall"
)

// lockCheckpoint takes an exclusive advisory lock on the open checkpoint,
// held until the file is closed (or the process dies: the kernel drops it,
// so a kill -9 never leaves a stale lock). Two runs appending to one
// journal would interleave their records and could both write a runner.
func lockCheckpoint(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrCheckpointInUse
	}
	return err
}
