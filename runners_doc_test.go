package glrunners

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each RunnersService endpoint method names its operation on exactly one
// "GitLab API:" line; the Iter methods name none.
func TestRunnersService_docLines(t *testing.T) {
	t.Parallel()
	got := map[string]string{}
	for _, fn := range rtParseFuncs(t) {
		if fn.Recv == nil || typeName(fn.Recv.List[0].Type) != "RunnersService" || !ast.IsExported(fn.Name.Name) {
			continue
		}
		require.NotNil(t, fn.Doc, fn.Name.Name)
		assert.True(t, strings.HasPrefix(fn.Doc.Text(), fn.Name.Name+" "), "%s: doc starts with its name", fn.Name.Name)
		var lines []string
		for _, c := range fn.Doc.List {
			if op, ok := strings.CutPrefix(c.Text, "// GitLab API: "); ok {
				lines = append(lines, op)
			}
		}
		if strings.HasSuffix(fn.Name.Name, "Iter") {
			assert.Empty(t, lines, fn.Name.Name)
			continue
		}
		if assert.Len(t, lines, 1, fn.Name.Name) {
			got[fn.Name.Name] = lines[0]
		}
	}
	assert.Equal(t, map[string]string{
		"List": "GET /runners", "ListAll": "GET /runners/all", "Get": "GET /runners/:id",
		"Update": "PUT /runners/:id", "Pause": "PUT /runners/:id (paused=true)",
		"Unpause": "PUT /runners/:id (paused=false)", "Delete": "DELETE /runners/:id",
		"ListJobs": "GET /runners/:id/jobs", "ListManagers": "GET /runners/:id/managers",
		"ListProjects": "GET /runners/:id/projects", "Create": "POST /user/runners", "Register": "POST /runners",
		"Verify": "POST /runners/verify", "DeleteByToken": "DELETE /runners", "DeleteManager": "DELETE /runners/managers",
	}, got)
}

// rtParseFuncs parses the package's non-test files with their comments and
// returns their function declarations.
func rtParseFuncs(t *testing.T) []*ast.FuncDecl {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var funcs []*ast.FuncDecl
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok {
				funcs = append(funcs, fn)
			}
		}
	}
	return funcs
}
