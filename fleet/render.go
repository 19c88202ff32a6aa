package fleet

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

var symbols = map[Action]string{Create: "+", Update: "~", Replace: "!", Delete: "-", Deliver: "*", Dedupe: "x"}

// WriteText writes the plan for a reader. Tokens are never part of a plan.
func (p *Plan) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "fleet %q: %d runners in the file, %d managed in GitLab\n", p.Fleet, p.InFile, p.Managed)
	for _, c := range p.Changes {
		fmt.Fprintf(&b, "%s %-16s %s", symbols[c.Action], c.Action, c.Key)
		if c.RunnerID != 0 {
			fmt.Fprintf(&b, " (%s)", idString(c.RunnerID))
		}
		fmt.Fprintf(&b, " in %s", c.Scope)
		if c.Blocked != "" {
			fmt.Fprintf(&b, "  [blocked: needs %s]", c.Blocked)
		}
		b.WriteString("\n")
		for _, f := range c.Fields {
			if c.Action == Create {
				fmt.Fprintf(&b, "      %s: %s\n", f.Field, show(f.To))
			} else {
				fmt.Fprintf(&b, "      %s: %s -> %s\n", f.Field, show(f.From), show(f.To))
			}
		}
	}
	for _, k := range p.Conflicts {
		fmt.Fprintf(&b, "? conflict         %s: several runners with delivered tokens claim this key; left alone\n", k)
	}
	if len(p.Unkeyed) > 0 {
		fmt.Fprintf(&b, "? %d runners carry the fleet's tag but no key tag; left alone: %v\n", len(p.Unkeyed), p.Unkeyed)
	}
	n := p.Counts()
	if len(p.Changes) == 0 {
		b.WriteString("No changes.\n")
	} else {
		fmt.Fprintf(&b, "Plan: %d to create, %d to update (%d fields), %d to replace, %d to delete, %d tokens to deliver, %d duplicates to delete.\n",
			n[Create], n[Update], p.FieldCount(), n[Replace], n[Delete], n[Deliver], n[Dedupe])
	}
	if p.Blocked() {
		b.WriteString("Some changes are blocked: apply refuses this plan without the flags named.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the plan as one JSON object.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	out := struct {
		*Plan
		Counts     map[Action]int `json:"counts"`
		FieldCount int            `json:"field_changes"`
		Blocked    bool           `json:"blocked"`
	}{p, p.Counts(), p.FieldCount(), p.Blocked()}
	if out.Changes == nil {
		out.Plan = &Plan{Fleet: p.Fleet, InFile: p.InFile, Managed: p.Managed, Changes: []*Change{}, Conflicts: p.Conflicts, Unkeyed: p.Unkeyed}
	}
	return enc.Encode(out)
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
