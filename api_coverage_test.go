package glrunners

import (
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiOperations maps each "GitLab API:" doc line to its operation in
// spec §1 and §11. Pause and Unpause are the two halves of operation 4a.
var apiOperations = map[string]string{
	"GET /runners":                                        "1 list available runners",
	"GET /runners/all":                                    "2 list all runners",
	"GET /runners/:id":                                    "3 get runner details",
	"PUT /runners/:id":                                    "4 update runner",
	"PUT /runners/:id (paused=true)":                      "4a pause/unpause runner",
	"PUT /runners/:id (paused=false)":                     "4a pause/unpause runner",
	"DELETE /runners/:id":                                 "5 delete runner by id",
	"GET /runners/:id/jobs":                               "6 list runner jobs",
	"GET /runners/:id/managers":                           "7 list runner managers",
	"GET /projects/:id/runners":                           "8 list project runners",
	"POST /projects/:id/runners":                          "9 assign runner to project",
	"DELETE /projects/:id/runners/:runner_id":             "10 unassign runner from project",
	"GET /groups/:id/runners":                             "11 list group runners",
	"POST /runners":                                       "12 register runner with registration token",
	"DELETE /runners":                                     "13 delete runner by authentication token",
	"POST /runners/verify":                                "14 verify runner",
	"POST /runners/reset_registration_token":              "15 reset instance registration token",
	"POST /projects/:id/runners/reset_registration_token": "16 reset project registration token",
	"POST /groups/:id/runners/reset_registration_token":   "17 reset group registration token",
	"POST /runners/:id/reset_authentication_token":        "18 reset authentication token by id",
	"POST /runners/reset_authentication_token":            "19 reset authentication token with token",
	"POST /user/runners":                                  "11.1 create runner",
	"GET /runners/:id/projects":                           "11.3 list runner projects",
	"DELETE /runners/managers":                            "11.4 delete runner manager",
}

var (
	apiLine     = regexp.MustCompile(`^GitLab API: (\S+ /\S*(?: \(\S+\))?)$`)
	apiDocsLine = regexp.MustCompile(`^GitLab API docs: https://docs\.gitlab\.com/api/\S+$`)
)

// TestAPICoverage reads every service method's doc comment as go doc and
// pkg.go.dev render it, and checks that the "GitLab API:" lines cover the
// 23 operations of the Runners API exactly (none missing, none twice,
// nothing unknown), that each endpoint method names one operation and one
// docs link, each on a line of its own, and each ...Iter method none, and
// that every doc comment starts with the method's name. Iterators must say
// how many items they ask for a page and that they leave opt alone. A
// method made of other calls (CreateOnce) names no operation: its doc has
// a "Built on:" paragraph instead.
func TestAPICoverage(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	seen := map[string][]string{} // doc line → methods carrying it
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		file, err := parser.ParseFile(fset, f, src, parser.ParseComments)
		require.NoError(t, err)
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			recv := receiverName(fn)
			if !ok || !strings.HasSuffix(recv, "Service") || !fn.Name.IsExported() {
				continue
			}
			name := recv + "." + fn.Name.Name
			if !assert.NotNil(t, fn.Doc, "%s has no doc comment", name) {
				continue
			}
			doc := renderDoc(fn.Doc.Text())
			assert.True(t, strings.HasPrefix(doc, fn.Name.Name+" "), "%s: doc starts with its name", name)
			var lines, links []string
			for line := range strings.SplitSeq(doc, "\n") {
				if m := apiLine.FindStringSubmatch(line); m != nil {
					lines = append(lines, m[1])
					seen[m[1]] = append(seen[m[1]], name)
				}
				if apiDocsLine.MatchString(line) {
					links = append(links, line)
				}
			}
			switch {
			case strings.HasSuffix(fn.Name.Name, "Iter"):
				assert.Empty(t, lines, "%s: iterators name no operation", name)
				assert.Contains(t, doc, fmt.Sprintf("asks for %d ", defaultPerPage), "%s: says its page size", name)
				assert.Contains(t, doc, "opt is copied and never changed", "%s: says opt is left alone", name)
			case strings.Contains(doc, "\nBuilt on: "):
				assert.Empty(t, lines, "%s: a method built on others names no operation", name)
			default:
				assert.Len(t, lines, 1, "%s names exactly one operation, on its own line:\n%s", name, doc)
				assert.Len(t, links, 1, "%s has exactly one docs link, on its own line:\n%s", name, doc)
			}
		}
	}
	for line, methods := range seen {
		assert.Len(t, methods, 1, "%q is documented on %v", line, methods)
		_, known := apiOperations[line]
		assert.True(t, known, "%v documents an unknown operation %q", methods, line)
	}
	var missing []string
	ops := map[string]bool{}
	for line, op := range apiOperations {
		if _, ok := seen[line]; !ok {
			missing = append(missing, line)
			continue
		}
		ops[op] = true
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "operations with no method")
	assert.Len(t, ops, 23)
}

// renderDoc renders a doc comment as go doc does, one line a paragraph:
// lines the renderer runs together end up on one line here too.
func renderDoc(text string) string {
	var p comment.Parser
	pr := comment.Printer{TextWidth: -1}
	return string(pr.Text(p.Parse(text)))
}

func receiverName(fn *ast.FuncDecl) string {
	if fn == nil || fn.Recv == nil || len(fn.Recv.List) == 0 {
		return ""
	}
	switch t := fn.Recv.List[0].Type.(type) {
	case *ast.StarExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name
		}
	case *ast.Ident:
		return t.Name
	}
	return ""
}
