package glrunners

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tagExceptions lists "Type.Field" pairs whose json or url tag may differ
// from the snake_case form of the field name, each with the reason. Keep it
// short: a mismatch is nearly always a typo that silently drops a field.
var tagExceptions = map[string]string{
	// None so far: every GitLab key maps onto a Go name. Add entries as
	// "Type.Field": "why", e.g. for a key GitLab spells against its own style.
}

// seedResponseTypes are GitLab's response entities. Types returned by the
// endpoint methods of every *Service are found on top of these, so response
// types added later in other files are checked too.
var seedResponseTypes = []string{
	"Runner", "RunnerDetails", "RunnerManager", "RunnerRegistration", "Token", "RunnerJob", "Project",
}

// notResponseTypes are results of methods that are not JSON bodies: the
// response's headers, and the summary the SDK builds of a bulk run.
var notResponseTypes = []string{"Response", "BulkSummary"}

// commonInitialisms are written in upper case in Go names and as one word in
// snake_case (IPAddress is ip_address, ParentIDs is parent_ids).
var commonInitialisms = []string{
	"ACL", "API", "ASCII", "CPU", "CSS", "DNS", "EOF", "GUID", "HTML", "HTTPS", "HTTP", "IDs", "IID", "ID",
	"IP", "JSON", "OS", "QPS", "RAM", "RPC", "SHA", "SLA", "SMTP", "SQL", "SSH", "TCP", "TLS", "TTL", "UDP",
	"UI", "UIDs", "UID", "UUID", "URIs", "URI", "URLs", "URL", "UTF8", "VM", "XML", "XSRF", "XSS",
}

// snake returns the snake_case form of a Go identifier, treating the
// initialisms above as single words.
func snake(name string) string {
	var words []string
	for i := 0; i < len(name); {
		if w := initialismAt(name[i:]); w != "" {
			words = append(words, strings.ToLower(w))
			i += len(w)
			continue
		}
		j := i + 1
		for j < len(name) && !unicode.IsUpper(rune(name[j])) {
			j++
		}
		words = append(words, strings.ToLower(name[i:j]))
		i = j
	}
	return strings.Join(words, "_")
}

// initialismAt returns the longest initialism s starts with that is followed
// by the start of a new word, or "".
func initialismAt(s string) string {
	best := ""
	for _, w := range commonInitialisms {
		if len(w) > len(best) && strings.HasPrefix(s, w) && (len(s) == len(w) || unicode.IsUpper(rune(s[len(w)]))) {
			best = w
		}
	}
	return best
}

func TestSnake(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"ID": "id", "IPAddress": "ip_address", "WebURL": "web_url", "SystemID": "system_id",
		"HTTPURLToRepo": "http_url_to_repo", "SSHURLToRepo": "ssh_url_to_repo", "ParentIDs": "parent_ids",
		"IID": "iid", "SHA": "sha", "ProjectID": "project_id", "IsShared": "is_shared", "PerPage": "per_page",
		"BioHTML": "bio_html", "TokenExpiresAt": "token_expires_at", "Linkedin": "linkedin", "TagList": "tag_list",
		"IsFollowed": "is_followed", "Identity": "identity", "IDsOnly": "ids_only",
	} {
		assert.Equal(t, want, snake(name), name)
	}
}

// pkgStructs parses the package's non-test Go files and returns its struct
// types and its functions, so the checks follow whatever files join later.
func pkgStructs(t *testing.T) (map[string]*ast.StructType, []*ast.FuncDecl) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	structs := map[string]*ast.StructType{}
	var funcs []*ast.FuncDecl
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				funcs = append(funcs, d)
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if ts, ok := spec.(*ast.TypeSpec); ok {
						if st, ok := ts.Type.(*ast.StructType); ok {
							structs[ts.Name.Name] = st
						}
					}
				}
			}
		}
	}
	require.NotEmpty(t, structs)
	return structs, funcs
}

// fieldName returns a field's Go name; an embedded field is named after its type.
func fieldName(f *ast.Field) string {
	if len(f.Names) > 0 {
		return f.Names[0].Name
	}
	return typeName(f.Type)
}

// typeName returns the name of T, *T or pkg.T, and "" for other types.
func typeName(typ ast.Expr) string {
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	switch x := typ.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	}
	return ""
}

func tagOf(f *ast.Field) reflect.StructTag {
	if f.Tag == nil {
		return ""
	}
	s, err := strconv.Unquote(f.Tag.Value)
	if err != nil {
		return ""
	}
	return reflect.StructTag(s)
}

func TestTagsAreSnakeCaseOfFieldNames(t *testing.T) {
	t.Parallel()
	structs, _ := pkgStructs(t)
	used := map[string]bool{}
	for typeName, st := range structs {
		if !ast.IsExported(typeName) {
			continue
		}
		for _, f := range st.Fields.List {
			name := fieldName(f)
			for _, key := range []string{"json", "url"} {
				tag, ok := tagOf(f).Lookup(key)
				if !ok || tag == "-" {
					continue
				}
				if len(f.Names) > 1 {
					t.Errorf("%s.%s: one %s tag on %d fields; declare each on its own line", typeName, name, key, len(f.Names))
				}
				got, _, _ := strings.Cut(tag, ",")
				want := snake(name)
				id := typeName + "." + name
				switch {
				case got == "":
					t.Errorf(`%s: %s tag %q names no key; write %s:"%s"`, id, key, tag, key, want)
				case got != want && tagExceptions[id] != "":
					used[id] = true
				case got != want:
					t.Errorf(`%s: %s key %q, want %q (or add a commented entry to tagExceptions)`, id, key, got, want)
				}
			}
		}
	}
	for id := range tagExceptions {
		assert.True(t, used[id], "tagExceptions[%q] matches no mismatched tag any more: remove it", id)
	}
}

// localStructs returns the names of the package's struct types that a type
// expression mentions (*T, []*T, map[K]T, iter.Seq2[*T, error], ...).
func localStructs(expr ast.Expr, structs map[string]*ast.StructType) []string {
	var names []string
	ast.Inspect(expr, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			return false // another package's type, such as time.Time
		case *ast.Ident:
			if _, ok := structs[x.Name]; ok && !slices.Contains(notResponseTypes, x.Name) {
				names = append(names, x.Name)
			}
		}
		return true
	})
	return names
}

// responseTypes returns the seed types, the types returned by methods of
// every *Service type, and every package struct reachable from their fields.
func responseTypes(structs map[string]*ast.StructType, funcs []*ast.FuncDecl) map[string]bool {
	var queue []string
	queue = append(queue, seedResponseTypes...)
	for _, fn := range funcs {
		if fn.Recv == nil || len(fn.Recv.List) == 0 || fn.Type.Results == nil ||
			!strings.HasSuffix(typeName(fn.Recv.List[0].Type), "Service") {
			continue
		}
		for _, res := range fn.Type.Results.List {
			queue = append(queue, localStructs(res.Type, structs)...)
		}
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		if st, ok := structs[name]; ok {
			for _, f := range st.Fields.List {
				queue = append(queue, localStructs(f.Type, structs)...)
			}
		}
	}
	return seen
}

func TestResponseTypesTagEveryField(t *testing.T) {
	t.Parallel()
	structs, funcs := pkgStructs(t)
	resp := responseTypes(structs, funcs)
	for _, name := range []string{
		"Runner", "RunnerDetails", "RunnerManager", "RunnerRegistration", "Token", "RunnerJob", "Commit",
		"Pipeline", "ProjectIdentity", "Project", "Namespace", "Group", "UserBasic", "User",
	} {
		assert.True(t, resp[name], "%s is not found as a response type", name)
	}
	for name := range resp {
		st, ok := structs[name]
		if !assert.True(t, ok, "response type %s is not a struct of the package", name) {
			continue
		}
		collectKeys(t, name, name, st, structs, map[string]string{})
	}
}

// collectKeys checks that every exported field of st has a json key, that an
// embedded field is an untagged struct of the package (its keys are promoted),
// and that no key repeats across embedding levels: encoding/json would drop
// one of the fields, or both, without a word.
func collectKeys(t *testing.T, owner, decl string, st *ast.StructType, structs map[string]*ast.StructType, keys map[string]string) {
	t.Helper()
	for _, f := range st.Fields.List {
		name := fieldName(f)
		tag, hasTag := tagOf(f).Lookup("json")
		if len(f.Names) == 0 && !hasTag {
			if inner, ok := structs[name]; ok {
				collectKeys(t, owner, name, inner, structs, keys)
				continue
			}
			t.Errorf("%s embeds %s, which is no struct of the package: tag it", decl, name)
			continue
		}
		if !ast.IsExported(name) {
			continue
		}
		key, _, _ := strings.Cut(tag, ",")
		if !hasTag || key == "" {
			t.Errorf("%s.%s has no json key", decl, name)
			continue
		}
		if key == "-" {
			continue
		}
		id := decl + "." + name
		if prev, dup := keys[key]; dup {
			t.Errorf("%s: json key %q used by both %s and %s", owner, key, prev, id)
		}
		keys[key] = id
	}
}
