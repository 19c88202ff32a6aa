package main

import (
	"io"
	"os"
	"path/filepath"
)

// writeReport puts data at path in one step: it is written to a temporary
// file next to path and renamed over it, so a reader (or a crash, or a full
// disk) never sees half a report, and an existing report stays whole until
// the new one is complete. "-" writes to stdout.
func writeReport(path string, data []byte, stdout io.Writer) (err error) {
	if path == "-" {
		_, err = stdout.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil { // CreateTemp makes it 0600
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
