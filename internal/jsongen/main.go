// Command jsongen writes the per-type parts of the SDK's JSON fast path
// (jsondecode_gen_*.go): for every struct type a response type reaches, its
// key list, a reader that dispatches each key to its field, and the slots
// its pointer fields point into, so that one list item is one allocation.
// It reads the package's Go files with go/parser (not the compiled package,
// so a stale or broken generated file never stops it) and is
// deterministic: the same sources give the same bytes.
//
// Run it with `go generate` in the repository root, whose jsondecode.go
// names the root types:
//
//	//go:generate go run ./internal/jsongen Runner RunnerDetails ...
//
// Adding a field to a response type is one edit in types.go and a
// `go generate`. A field of a Go type the fast path does not model stops
// the generator with an error naming it.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: jsongen RootType...")
	}
	pkg, err := loadPackage(".")
	if err != nil {
		fail(err.Error())
	}
	files, err := generate(pkg, os.Args[1:])
	if err != nil {
		fail(err.Error())
	}
	// Remove generated files no longer generated (a root dropped, a part
	// no longer needed); a file without the header is someone's own.
	old, _ := filepath.Glob("jsondecode_gen_*.go")
	for _, name := range old {
		src, err := os.ReadFile(name)
		if err != nil {
			fail(err.Error())
		}
		if _, keep := files[name]; !keep && strings.HasPrefix(string(src), header) {
			if err := os.Remove(name); err != nil {
				fail(err.Error())
			}
		}
	}
	for name, src := range files {
		if err := os.WriteFile(name, src, 0o644); err != nil {
			fail(err.Error())
		}
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "jsongen:", msg)
	os.Exit(1)
}

// fileName is the generated file of a root type; part counts from 1, for
// a root whose types do not fit one file.
func fileName(root string, part int) string {
	if part > 1 {
		return fmt.Sprintf("jsondecode_gen_%s_%d.go", strings.ToLower(root), part)
	}
	return "jsondecode_gen_" + strings.ToLower(root) + ".go"
}

// lowerFirst makes a Go name unexported: Runner -> runner, IPAddress ->
// ipAddress, ID -> id.
func lowerFirst(name string) string {
	n := 0
	for n < len(name) && 'A' <= name[n] && name[n] <= 'Z' {
		n++
	}
	switch {
	case n == 0:
		return name
	case n == 1, n == len(name):
		return strings.ToLower(name[:n]) + name[n:]
	default: // an initialism then a word: IPAddress -> ipAddress
		return strings.ToLower(name[:n-1]) + name[n-1:]
	}
}
