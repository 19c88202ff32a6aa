package glrunners

import (
	"errors"
	"fmt"
	"os"
)

// lock takes the checkpoint's lock (lockCheckpoint), naming path in the
// error.
func lock(f *os.File, path string) error {
	switch err := lockCheckpoint(f); {
	case errors.Is(err, ErrCheckpointInUse):
		return fmt.Errorf("%w: %s", ErrCheckpointInUse, path)
	case err != nil:
		return fmt.Errorf("glrunners: lock checkpoint %s: %w", path, err)
	}
	return nil
}
