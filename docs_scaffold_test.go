package glrunners_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The scaffold turns the documentation's Go blocks into a module of its
// own, one package per block, and a main program that runs any fragment
// block by its ID against the GitLab named by GITLAB_URL. The module
// requires this repository through a replace directive and this
// repository's go.sum, so it builds offline from the module cache.

// knownImports maps the package names a block may use to their paths. A
// block using a package missing here fails to compile: add it.
var knownImports = map[string]string{
	"assert": "github.com/stretchr/testify/assert", "atomic": "sync/atomic", "context": "context",
	"errors": "errors", "filepath": "path/filepath", "fmt": "fmt", "glrunners": "github.com/glrunners/glrunners",
	"glrunnerstest": "github.com/glrunners/glrunners/glrunnerstest", "http": "net/http", "httptest": "net/http/httptest",
	"io": "io", "iter": "iter", "json": "encoding/json", "log": "log", "maps": "maps", "os": "os",
	"rate": "golang.org/x/time/rate", "require": "github.com/stretchr/testify/require", "signal": "os/signal",
	"slices": "slices", "slog": "log/slog", "sort": "sort", "strconv": "strconv", "strings": "strings",
	"sync": "sync", "testing": "testing", "time": "time", "url": "net/url",
}

// scaffoldNames are declared for every block, besides the parameters ctx
// and c of a fragment.
const scaffoldNames = `// gitlabURL stands for "https://gitlab.example.com" in a block.
var gitlabURL = os.Getenv("GITLAB_URL")

// runnerConfig stands for the configuration a runner token goes into.
var runnerConfig struct{ Token string }
`

// scaffoldMain runs one fragment block: docs <id>. It writes the block's
// error, and the sentinels it matches, to $DOCS_RESULT as JSON.
const scaffoldMain = `package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/glrunners/glrunners"
%s)

var blocks = map[string]func(context.Context, *glrunners.Client) error{
%s}

func main() {
	run, ok := blocks[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "no fragment block", os.Args[1])
		os.Exit(3)
	}
	timeout, err := time.ParseDuration(os.Getenv("DOCS_TIMEOUT"))
	if err != nil {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := glrunners.NewClient(os.Getenv("GITLAB_URL"), glrunners.WithToken(os.Getenv("GITLAB_TOKEN")),
		glrunners.WithRetry(glrunners.RetryPolicy{MaxRetries: 2, WaitMin: 10 * time.Millisecond, WaitMax: 50 * time.Millisecond}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	err = run(ctx, c)
	res := struct {
		Error string   ` + "`json:\"error\"`" + `
		Is    []string ` + "`json:\"is\"`" + `
	}{Is: []string{}}
	if err != nil {
		res.Error = err.Error()
	}
	for name, target := range map[string]error{
		"ErrNotCreated": glrunners.ErrNotCreated, "ErrRunnerUnrecovered": glrunners.ErrRunnerUnrecovered,
		"ErrOutcomeUnknown": glrunners.ErrOutcomeUnknown, "ErrNotFound": glrunners.ErrNotFound,
		"DeadlineExceeded": context.DeadlineExceeded,
	} {
		if errors.Is(err, target) {
			res.Is = append(res.Is, name)
		}
	}
	out, _ := json.Marshal(res)
	if err := os.WriteFile(os.Getenv("DOCS_RESULT"), out, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}
`

// isDeclarations reports whether a Go block is a file of declarations
// rather than a fragment: it starts with func, type, var (, const or import.
func isDeclarations(code string) bool {
	for line := range strings.SplitSeq(code, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		for _, kw := range []string{"func ", "type ", "import ", "const (", "package "} {
			if strings.HasPrefix(line, kw) {
				return true
			}
		}
		return false
	}
	return false
}

// docsModule is the built module: the fragment runner and, per block, its ID.
type docsModule struct {
	dir string
	bin string
	ids []string // ids[i] is block i's package, and the fragment runner's argument
}

// buildDocBlocks writes every Go block into a module in a temporary
// directory, builds it, and runs the Test functions of declaration blocks.
func buildDocBlocks(t *testing.T, blocks []docBlock) *docsModule {
	t.Helper()
	root, err := filepath.Abs(".")
	require.NoError(t, err)
	dir := t.TempDir()
	m := &docsModule{dir: dir, bin: filepath.Join(dir, "bin", "docs")}
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	sum, err := os.ReadFile("go.sum")
	require.NoError(t, err)
	write("go.sum", string(sum))
	write("go.mod", fmt.Sprintf("module docs\n\ngo 1.25\n\nrequire github.com/glrunners/glrunners v0.0.0\n\nreplace github.com/glrunners/glrunners => %s\n", root))

	var imports, table strings.Builder
	var testPkgs []string
	for i, b := range blocks {
		id := fmt.Sprintf("b%02d", i)
		m.ids = append(m.ids, id)
		write(id+"/scaffold.go", "package "+id+"\n\nimport \"os\"\n\n"+scaffoldNames)
		src, isTest := blockSource(t, id, filepath.Join(root, b.file), b)
		if isDeclarations(b.code) {
			name := id + "/block.go"
			if isTest {
				name = id + "/block_test.go"
				testPkgs = append(testPkgs, "./"+id)
			}
			write(name, src)
			continue
		}
		write(id+"/block.go", src)
		fmt.Fprintf(&imports, "\t%q\n", "docs/"+id)
		fmt.Fprintf(&table, "\t%q: %s.Run,\n", id, id)
	}
	write("main.go", fmt.Sprintf(scaffoldMain, imports.String(), table.String()))

	goCmd(t, dir, "build", "-o", filepath.Dir(m.bin)+string(filepath.Separator), "./...")
	if len(testPkgs) > 0 {
		goCmd(t, dir, append([]string{"test", "-count=1"}, testPkgs...)...)
	}
	return m
}

// blockSource is the file holding block b in package pkg, with line
// directives so that compile errors name the documentation's own lines.
// isTest reports a declaration block that uses *testing.T.
func blockSource(t *testing.T, pkg, file string, b docBlock) (src string, isTest bool) {
	t.Helper()
	code := strings.ReplaceAll(b.code, `"https://gitlab.example.com"`, "gitlabURL")
	var body string
	if isDeclarations(code) {
		body = fmt.Sprintf("//line %s:%d\n%s", file, b.line, code)
		isTest = strings.Contains(code, "*testing.T")
	} else {
		declared := topLevelNames(t, b, code)
		var tail strings.Builder
		for _, n := range declared {
			fmt.Fprintf(&tail, "\t_ = %s\n", n)
		}
		body = fmt.Sprintf("func Run(ctx context.Context, c *glrunners.Client) error {\n//line %s:%d\n%s%s\treturn nil\n}\n",
			file, b.line, code, tail.String())
	}
	used := usedPackages(t, b, "package p\n"+body)
	if !isDeclarations(code) {
		used = append(used, "context", "glrunners")
	}
	slices.Sort(used)
	used = slices.Compact(used)
	var sb strings.Builder
	fmt.Fprintf(&sb, "// Code generated from %s by docs_test.go. DO NOT EDIT.\n\npackage %s\n\nimport (\n", b.where(), pkg)
	for _, name := range used {
		fmt.Fprintf(&sb, "\t%q\n", knownImports[name])
	}
	sb.WriteString(")\n\n" + body)
	return sb.String(), isTest
}

// usedPackages returns the known package names that src uses as X in X.Sel.
func usedPackages(t *testing.T, b docBlock, src string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), b.where(), src, parser.SkipObjectResolution)
	require.NoError(t, err, "%s: the block does not parse", b.where())
	var used []string
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && knownImports[x.Name] != "" {
				used = append(used, x.Name)
			}
		}
		return true
	})
	return used
}

// topLevelNames returns the variables a fragment declares at its top level,
// which the scaffold uses once so that a block may show a result it does
// not use (resp, err := c.Do(...)).
func topLevelNames(t *testing.T, b docBlock, code string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), b.where(), "package p\nfunc _() {\n"+code+"\n}\n", parser.SkipObjectResolution)
	require.NoError(t, err, "%s: the block does not parse as a function body", b.where())
	var names []string
	for _, st := range f.Decls[0].(*ast.FuncDecl).Body.List {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, e := range st.Lhs {
					if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
						names = append(names, id.Name)
					}
				}
			}
		case *ast.DeclStmt:
			if gd, ok := st.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, spec := range gd.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						if id.Name != "_" {
							names = append(names, id.Name)
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// goCmd runs the go command in dir, offline, and fails with its output.
func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Run(), "go %s:\n%s", strings.Join(args, " "), out.String())
}
