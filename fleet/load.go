package fleet

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/glrunners/glrunners"
)

var yamlLine = regexp.MustCompile(`line (\d+)`)

// Load reads and validates a desired-state file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse validates a desired-state document; name is used in errors. Every
// problem is reported at once, as a *ValidationError whose entries name
// the file, line and field.
func Parse(name string, data []byte) (*File, error) {
	p := &parser{f: &File{Name: name}}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		line := 1
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		return nil, &ValidationError{Errs: []*FieldError{{File: name, Line: line, Field: "(document)", Msg: err.Error()}}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	p.top(root)
	if len(p.errs) > 0 {
		return nil, &ValidationError{Errs: p.errs}
	}
	return p.f, nil
}

type parser struct {
	f    *File
	errs []*FieldError
}

func (p *parser) fail(n *yaml.Node, field, format string, a ...any) {
	p.errs = append(p.errs, &FieldError{File: p.f.Name, Line: n.Line, Field: field, Msg: fmt.Sprintf(format, a...)})
}

// pairs walks a mapping, refusing duplicate keys; fn gets each key and value.
func (p *parser) pairs(n *yaml.Node, field string, fn func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, field, "want a mapping")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.fail(k, field+"."+k.Value, "appears twice")
			continue
		}
		seen[k.Value] = true
		fn(k, v)
	}
}

func (p *parser) top(n *yaml.Node) {
	if n.Kind == 0 {
		p.fail(n, "(document)", "is empty")
		return
	}
	var runners *yaml.Node
	p.pairs(n, "(document)", func(k, v *yaml.Node) {
		switch k.Value {
		case "fleet":
			if s, ok := p.str(v, "fleet"); ok {
				if !fleetName.MatchString(s) {
					p.fail(v, "fleet", "%q is not a fleet name (lower-case letters, digits, '.', '_', '-'; at most 40)", s)
				}
				p.f.Fleet = s
			}
		case "runners":
			runners = v
		default:
			p.fail(k, k.Value, "unknown key (want fleet, runners)")
		}
	})
	if n.Kind == yaml.MappingNode && p.f.Fleet == "" && !p.has("fleet") {
		p.fail(n, "fleet", "is required")
	}
	if runners == nil || runners.Tag == "!!null" {
		return
	}
	p.pairs(runners, "runners", func(k, v *yaml.Node) {
		field := "runners." + k.Value
		if !keyName.MatchString(k.Value) {
			p.fail(k, field, "%q is not a runner key (lower-case letters, digits, '.', '_', '-'; at most 63)", k.Value)
		}
		r := &Runner{Key: k.Value, Line: k.Line}
		p.runner(v, field, r)
		p.f.Runners = append(p.f.Runners, r)
	})
}

func (p *parser) has(field string) bool {
	for _, e := range p.errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

func (p *parser) runner(n *yaml.Node, field string, r *Runner) {
	scopes := 0
	p.pairs(n, field, func(k, v *yaml.Node) {
		f := field + "." + k.Value
		switch k.Value {
		case "instance":
			scopes++
			if b, ok := p.boolean(v, f); ok && !b {
				p.fail(v, f, "only true is meaningful; name a group or project instead")
			}
			r.Scope = Scope{Type: glrunners.InstanceType}
		case "group", "project":
			scopes++
			r.Scope = p.scope(v, f, k.Value)
		case "description":
			r.Description = p.text(v, f)
		case "maintenance_note":
			r.MaintenanceNote = p.text(v, f)
		case "tags":
			r.Tags, r.TagsSet = p.tags(v, f), true
		case "run_untagged":
			r.RunUntagged = p.boolPtr(v, f)
		case "locked":
			r.Locked = p.boolPtr(v, f)
		case "paused":
			r.Paused = p.boolPtr(v, f)
		case "access_level":
			if s, ok := p.str(v, f); ok {
				a := glrunners.AccessLevel(s)
				if a != glrunners.NotProtected && a != glrunners.RefProtected {
					p.fail(v, f, "%q is not an access level (want not_protected or ref_protected)", s)
				}
				r.AccessLevel = &a
			}
		case "maximum_timeout":
			if i, ok := p.integer(v, f); ok {
				if i != 0 && i < 600 {
					p.fail(v, f, "is %d seconds; GitLab needs at least 600 (0 means no limit)", i)
				}
				r.MaximumTimeout = &i
			}
		default:
			p.fail(k, f, "unknown key (want instance, group, project, description, tags, run_untagged, locked, access_level, maximum_timeout, maintenance_note, paused)")
		}
	})
	if n.Kind != yaml.MappingNode {
		return
	}
	if scopes != 1 {
		p.fail(n, field, "needs exactly one of instance, group or project (has %d)", scopes)
	}
	if r.RunUntagged != nil && !*r.RunUntagged && (!r.TagsSet || len(r.Tags) == 0) {
		p.fail(n, field+".run_untagged", "false needs a non-empty tags list, or the runner takes no job")
	}
}

func (p *parser) scope(v *yaml.Node, f, kind string) Scope {
	typ := glrunners.GroupType
	if kind == "project" {
		typ = glrunners.ProjectType
	}
	if v.Kind != yaml.ScalarNode {
		p.fail(v, f, "want an ID or a full path")
		return Scope{Type: typ}
	}
	if v.Tag == "!!int" {
		id, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil || id <= 0 {
			p.fail(v, f, "%s is not a positive ID", v.Value)
		}
		return Scope{Type: typ, ID: id}
	}
	s := strings.Trim(v.Value, "/")
	if v.Tag != "!!str" || s == "" || strings.ContainsAny(s, " \t\n?#%") {
		p.fail(v, f, "%q is neither an ID nor a full path like org/team", v.Value)
	}
	return Scope{Type: typ, Path: s}
}

func (p *parser) str(v *yaml.Node, f string) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
		p.fail(v, f, "want a string (quote it)")
		return "", false
	}
	return v.Value, true
}

// text is a description or a maintenance note: at most 1,024 characters.
func (p *parser) text(v *yaml.Node, f string) *string {
	s, ok := p.str(v, f)
	if !ok {
		return nil
	}
	if n := utf8.RuneCountInString(s); n > 1024 {
		p.fail(v, f, "has %d characters; GitLab allows 1024", n)
	}
	return &s
}

func (p *parser) boolean(v *yaml.Node, f string) (bool, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
		p.fail(v, f, "want true or false")
		return false, false
	}
	var b bool
	if err := v.Decode(&b); err != nil {
		p.fail(v, f, "want true or false")
		return false, false
	}
	return b, true
}

func (p *parser) boolPtr(v *yaml.Node, f string) *bool {
	b, ok := p.boolean(v, f)
	if !ok {
		return nil
	}
	return &b
}

func (p *parser) integer(v *yaml.Node, f string) (int64, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!int" {
		p.fail(v, f, "want a whole number of seconds")
		return 0, false
	}
	i, err := strconv.ParseInt(v.Value, 0, 64)
	if err != nil || i < 0 {
		p.fail(v, f, "%s is not a non-negative number of seconds", v.Value)
		return 0, false
	}
	return i, true
}

func (p *parser) tags(v *yaml.Node, f string) []string {
	if v.Kind != yaml.SequenceNode {
		p.fail(v, f, "want a list of tags")
		return nil
	}
	out := []string{}
	seen := map[string]bool{}
	for _, t := range v.Content {
		s, ok := p.str(t, f)
		switch {
		case !ok:
		case strings.TrimSpace(s) == "":
			p.fail(t, f, "contains an empty tag")
		case strings.Contains(s, ","):
			p.fail(t, f, "tag %q contains a comma, which GitLab reads as a separator", s)
		case isMarkerTag(s):
			p.fail(t, f, "tag %q starts with %q, which runnerfleet keeps for its own markers", s, tagPrefix)
		case seen[s]:
			p.fail(t, f, "tag %q appears twice", s)
		default:
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) > maxUserTags {
		p.fail(v, f, "has %d tags; at most %d (GitLab allows 50, runnerfleet needs 3)", len(out), maxUserTags)
	}
	return out
}
