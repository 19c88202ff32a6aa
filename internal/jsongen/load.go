package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// pkgInfo is what the generator knows of the package: its struct types,
// its named string types (the enums, whose constants it collects) and the
// types that decode themselves (an UnmarshalJSON method).
type pkgInfo struct {
	structs map[string]*ast.StructType
	strs    map[string]bool     // named types whose underlying type is string
	custom  map[string]bool     // types with an UnmarshalJSON method
	consts  map[string][]string // string constants of the named string types
}

// loadPackage parses the non-test Go files of dir, skipping generated
// ones.
func loadPackage(dir string) (*pkgInfo, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	p := &pkgInfo{structs: map[string]*ast.StructType{}, strs: map[string]bool{},
		custom: map[string]bool{}, consts: map[string][]string{}}
	fset := token.NewFileSet()
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasSuffix(base, "_test.go") || base == "jsondecode_gen.go" || strings.HasPrefix(base, "jsondecode_gen_") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		p.collect(f)
	}
	return p, nil
}

func (p *pkgInfo) collect(f *ast.File) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil && d.Name.Name == "UnmarshalJSON" {
				t := d.Recv.List[0].Type
				if star, ok := t.(*ast.StarExpr); ok {
					t = star.X
				}
				if id, ok := t.(*ast.Ident); ok {
					p.custom[id.Name] = true
				}
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					switch t := s.Type.(type) {
					case *ast.StructType:
						p.structs[s.Name.Name] = t
					case *ast.Ident:
						if t.Name == "string" {
							p.strs[s.Name.Name] = true
						}
					}
				case *ast.ValueSpec:
					id, ok := s.Type.(*ast.Ident)
					if d.Tok != token.CONST || !ok {
						continue
					}
					for _, v := range s.Values {
						if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if val, err := strconv.Unquote(lit.Value); err == nil {
								p.consts[id.Name] = append(p.consts[id.Name], val)
							}
						}
					}
				}
			}
		}
	}
}

// field is one key of a struct as the reader sees it, embedded structs'
// keys in place.
type field struct {
	key  string
	path string // Go path from the struct, e.g. "Runner.CreatedBy"
	name string // the Go field's name, for its slot
	kind string // how it is read: see reader
	elem string // the struct type of a struct, pointer or list field
}

// fields flattens typ's JSON fields as encoding/json sees them. It refuses
// what the fast path does not model, and two fields of one key.
func (p *pkgInfo) fields(typ, prefix string) ([]field, error) {
	st, ok := p.structs[typ]
	if !ok {
		return nil, fmt.Errorf("%s is not a struct type of the package", typ)
	}
	var out []field
	for _, f := range st.Fields.List {
		tag := ""
		if f.Tag != nil {
			raw, _ := strconv.Unquote(f.Tag.Value)
			tag = reflect.StructTag(raw).Get("json")
		}
		key, _, _ := strings.Cut(tag, ",")
		if len(f.Names) == 0 { // embedded
			id, ok := f.Type.(*ast.Ident)
			if !ok || tag != "" {
				return nil, fmt.Errorf("%s: embedded %s must be an untagged struct of the package", typ, exprString(f.Type))
			}
			inner, err := p.fields(id.Name, prefix+id.Name+".")
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
			continue
		}
		for _, n := range f.Names {
			if !n.IsExported() || key == "-" {
				continue
			}
			k := key
			if k == "" {
				k = n.Name
			}
			kind, elem, err := p.kindOf(f.Type)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", typ, n.Name, err)
			}
			out = append(out, field{key: k, path: prefix + n.Name, name: n.Name, kind: kind, elem: elem})
		}
	}
	seen := map[string]bool{}
	for _, f := range out {
		lower := strings.ToLower(f.key)
		if seen[lower] {
			return nil, fmt.Errorf("%s: two fields of key %q (or keys equal but for case): model it by hand", typ, f.key)
		}
		seen[lower] = true
	}
	if len(out) > 64 {
		return nil, fmt.Errorf("%s: %d keys, more than a set of seen keys holds (64)", typ, len(out))
	}
	return out, nil
}

// kindOf names the reader of a field of type t.
func (p *pkgInfo) kindOf(t ast.Expr) (kind, elem string, err error) {
	switch t := t.(type) {
	case *ast.Ident:
		switch {
		case t.Name == "int64", t.Name == "string", t.Name == "bool", t.Name == "float64":
			return t.Name, "", nil
		case t.Name == "Secret" && p.custom[t.Name]:
			return "secret", "", nil
		case p.custom[t.Name]:
			return "", "", fmt.Errorf("type %s decodes itself; teach jsongen its rule", t.Name)
		case p.strs[t.Name]:
			return "enum", t.Name, nil
		case p.structs[t.Name] != nil:
			return "struct", t.Name, nil
		}
	case *ast.SelectorExpr:
		if exprString(t) == "time.Time" {
			return "time", "", nil
		}
	case *ast.StarExpr:
		k, e, err := p.kindOf(t.X)
		switch {
		case err != nil:
			return "", "", err
		case k == "int64", k == "string", k == "bool", k == "float64", k == "time", k == "struct":
			return "*" + k, e, nil
		}
	case *ast.ArrayType:
		k, e, err := p.kindOf(t.Elt)
		switch {
		case err != nil:
			return "", "", err
		case t.Len == nil && k == "string":
			return "[]string", "", nil
		case t.Len == nil && k == "struct":
			return "[]struct", e, nil
		}
	case *ast.MapType:
		if exprString(t.Key) == "string" {
			switch exprString(t.Value) {
			case "string":
				return "map[string]string", "", nil
			case "[]string":
				return "map[string][]string", "", nil
			}
		}
	}
	return "", "", fmt.Errorf("type %s is not one the fast path reads; teach jsongen", exprString(t))
}

func exprString(t ast.Expr) string {
	switch t := t.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		return exprString(t.X) + "." + t.Sel.Name
	case *ast.StarExpr:
		return "*" + exprString(t.X)
	case *ast.ArrayType:
		return "[]" + exprString(t.Elt)
	case *ast.MapType:
		return "map[" + exprString(t.Key) + "]" + exprString(t.Value)
	}
	return fmt.Sprintf("%T", t)
}
