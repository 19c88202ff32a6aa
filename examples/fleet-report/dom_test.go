package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
)

// A small DOM for the tests. The report is written as well-formed markup
// (void elements closed, attributes quoted), so encoding/xml in strict
// mode parses it: a stray tag or an unescaped character fails the test
// instead of being repaired silently, as an HTML parser would.

type node struct {
	name     string
	attr     map[string]string
	children []*node
	text     string // text directly inside
	parent   *node
}

func parseDOM(b []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	root := &node{name: "#document"}
	cur := root
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attr: map[string]string{}, parent: cur}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			cur.children = append(cur.children, n)
			cur = n
		case xml.EndElement:
			cur = cur.parent
		case xml.CharData:
			cur.text += string(tok)
		}
	}
}

// all returns the nodes under n (n included) that match.
func (n *node) all(match func(*node) bool) []*node {
	var out []*node
	var walk func(*node)
	walk = func(m *node) {
		if match(m) {
			out = append(out, m)
		}
		for _, c := range m.children {
			walk(c)
		}
	}
	walk(n)
	return out
}

func (n *node) byName(name string) []*node {
	return n.all(func(m *node) bool { return m.name == name })
}

// withAttr matches elements named name (any when "") whose attribute has
// the value (any value when value is "").
func withAttr(name, key, value string) func(*node) bool {
	return func(m *node) bool {
		v, ok := m.attr[key]
		return (name == "" || m.name == name) && ok && (value == "" || v == value)
	}
}

func (n *node) hasClass(c string) bool {
	return strings.Contains(" "+n.attr["class"]+" ", " "+c+" ")
}

// textAll is all the text under n.
func (n *node) textAll() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		b.WriteString(m.text)
		for _, c := range m.children {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// child returns n's first direct child named name, nil if none.
func (n *node) child(name string) *node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}
