package fleet

import (
	"bytes"
	"io"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/glrunners/glrunners"
)

// Marshal writes a desired state as YAML that Parse reads back to the
// same File. A scope known by ID is written as the ID, which survives
// renames, with the path as a comment.
func Marshal(f *File, comment string) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, f, comment); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write is Marshal to a writer. It encodes one runner at a time, so a
// fleet of 10,000 never becomes one YAML tree in memory.
func Write(w io.Writer, f *File, comment string) error {
	head := &yaml.Node{Kind: yaml.MappingNode, HeadComment: comment, Content: []*yaml.Node{str("fleet"), str(f.Fleet)}}
	if err := encode(w, head, ""); err != nil {
		return err
	}
	if len(f.Runners) == 0 {
		_, err := io.WriteString(w, "runners: {}\n")
		return err
	}
	if _, err := io.WriteString(w, "runners:\n"); err != nil {
		return err
	}
	for _, r := range f.Runners {
		one := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str(r.Key), runnerNode(r)}}
		if err := encode(w, one, "  "); err != nil {
			return err
		}
	}
	return nil
}

// encode writes n as a YAML document, each non-empty line indented.
func encode(w io.Writer, n *yaml.Node, indent string) error {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	out := b.Bytes()
	if indent != "" {
		var ind bytes.Buffer
		for line := range bytes.Lines(out) {
			if len(bytes.TrimSpace(line)) > 0 {
				ind.WriteString(indent)
			}
			ind.Write(line)
		}
		out = ind.Bytes()
	}
	_, err := w.Write(out)
	return err
}

func runnerNode(r *Runner) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) { n.Content = append(n.Content, str(k), v) }
	switch r.Scope.Type {
	case glrunners.GroupType, glrunners.ProjectType:
		kind := "group"
		if r.Scope.Type == glrunners.ProjectType {
			kind = "project"
		}
		if r.Scope.ID != 0 {
			v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(r.Scope.ID, 10)}
			if r.Scope.Path != "" {
				v.LineComment = r.Scope.Path
			}
			add(kind, v)
		} else {
			add(kind, str(r.Scope.Path))
		}
	default:
		add("instance", boolNode(true))
	}
	if r.Description != nil {
		add("description", str(*r.Description))
	}
	if r.TagsSet {
		tags := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, t := range r.Tags {
			tags.Content = append(tags.Content, str(t))
		}
		add("tags", tags)
	}
	if r.RunUntagged != nil {
		add("run_untagged", boolNode(*r.RunUntagged))
	}
	if r.Locked != nil {
		add("locked", boolNode(*r.Locked))
	}
	if r.AccessLevel != nil {
		add("access_level", str(string(*r.AccessLevel)))
	}
	if r.MaximumTimeout != nil {
		add("maximum_timeout", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(*r.MaximumTimeout, 10)})
	}
	if r.MaintenanceNote != nil {
		add("maintenance_note", str(*r.MaintenanceNote))
	}
	if r.Paused != nil {
		add("paused", boolNode(*r.Paused))
	}
	return n
}

// str is a string scalar; the encoder quotes it when it would otherwise
// read as another type ("true", "12").
func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}
