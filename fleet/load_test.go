package fleet

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
)

const goodFile = `fleet: prod
runners:
  build-1:
    project: acme/web/api
    description: Build runner
    tags: [linux, docker]
    run_untagged: false
    locked: true
    access_level: ref_protected
    maximum_timeout: 3600
    maintenance_note: "owner: web"
    paused: false
  shared:
    instance: true
  grp:
    group: 12
`

func TestParseReadsEveryField(t *testing.T) {
	f, err := Parse("fleet.yaml", []byte(goodFile))
	require.NoError(t, err)
	assert.Equal(t, "prod", f.Fleet)
	require.Len(t, f.Runners, 3)
	r := f.Runners[0]
	assert.Equal(t, "build-1", r.Key)
	assert.Equal(t, 3, r.Line)
	assert.Equal(t, Scope{Type: glrunners.ProjectType, Path: "acme/web/api"}, r.Scope)
	assert.Equal(t, "Build runner", *r.Description)
	assert.Equal(t, []string{"linux", "docker"}, r.Tags)
	assert.True(t, r.TagsSet)
	assert.False(t, *r.RunUntagged)
	assert.True(t, *r.Locked)
	assert.Equal(t, glrunners.RefProtected, *r.AccessLevel)
	assert.Equal(t, int64(3600), *r.MaximumTimeout)
	assert.Equal(t, "owner: web", *r.MaintenanceNote)
	assert.False(t, *r.Paused)
	assert.Equal(t, Scope{Type: glrunners.InstanceType}, f.Runners[1].Scope)
	assert.Nil(t, f.Runners[1].Description, "a field left out is not managed")
	assert.False(t, f.Runners[1].TagsSet)
	assert.Equal(t, Scope{Type: glrunners.GroupType, ID: 12}, f.Runners[2].Scope)
}

func TestParseNamesFileLineAndField(t *testing.T) {
	cases := []struct {
		name, doc string
		want      []FieldError
	}{
		{"unknown runner key", "fleet: a\nrunners:\n  r1:\n    instance: true\n    colour: red\n",
			[]FieldError{{Line: 5, Field: "runners.r1.colour"}}},
		{"unknown top key", "fleet: a\nrunner: {}\n", []FieldError{{Line: 2, Field: "runner"}}},
		{"no fleet", "runners: {}\n", []FieldError{{Line: 1, Field: "fleet"}}},
		{"bad fleet", "fleet: Prod!\n", []FieldError{{Line: 1, Field: "fleet"}}},
		{"two scopes", "fleet: a\nrunners:\n  r1:\n    instance: true\n    group: 3\n",
			[]FieldError{{Line: 4, Field: "runners.r1"}}},
		{"no scope", "fleet: a\nrunners:\n  r1:\n    paused: true\n", []FieldError{{Line: 4, Field: "runners.r1"}}},
		{"bad key", "fleet: a\nrunners:\n  Bad Key:\n    instance: true\n", []FieldError{{Line: 3, Field: "runners.Bad Key"}}},
		{"timeout", "fleet: a\nrunners:\n  r1:\n    instance: true\n    maximum_timeout: 60\n",
			[]FieldError{{Line: 5, Field: "runners.r1.maximum_timeout"}}},
		{"access", "fleet: a\nrunners:\n  r1:\n    instance: true\n    access_level: all\n",
			[]FieldError{{Line: 5, Field: "runners.r1.access_level"}}},
		{"bool", "fleet: a\nrunners:\n  r1:\n    instance: true\n    locked: maybe\n",
			[]FieldError{{Line: 5, Field: "runners.r1.locked"}}},
		{"comma tag", "fleet: a\nrunners:\n  r1:\n    instance: true\n    tags:\n      - ok\n      - a,b\n",
			[]FieldError{{Line: 7, Field: "runners.r1.tags"}}},
		{"marker tag", "fleet: a\nrunners:\n  r1:\n    instance: true\n    tags: [\"runnerfleet:x\"]\n",
			[]FieldError{{Line: 5, Field: "runners.r1.tags"}}},
		{"untagged without tags", "fleet: a\nrunners:\n  r1:\n    instance: true\n    run_untagged: false\n",
			[]FieldError{{Line: 4, Field: "runners.r1.run_untagged"}}},
		{"duplicate key", "fleet: a\nrunners:\n  r1:\n    instance: true\n  r1:\n    instance: true\n",
			[]FieldError{{Line: 5, Field: "runners.r1"}}},
		{"description type", "fleet: a\nrunners:\n  r1:\n    instance: true\n    description: [x]\n",
			[]FieldError{{Line: 5, Field: "runners.r1.description"}}},
		{"bad group path", "fleet: a\nrunners:\n  r1:\n    group: \"a b\"\n", []FieldError{{Line: 4, Field: "runners.r1.group"}}},
		{"two problems", "fleet: a\nrunners:\n  r1:\n    instance: true\n    paused: 1\n  r2:\n    project: 0\n",
			[]FieldError{{Line: 5, Field: "runners.r1.paused"}, {Line: 7, Field: "runners.r2.project"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(c.doc))
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
			require.Len(t, ve.Errs, len(c.want), "%v", err)
			for i, w := range c.want {
				assert.Equal(t, "f.yaml", ve.Errs[i].File)
				assert.Equal(t, w.Line, ve.Errs[i].Line, "%v", ve.Errs[i])
				assert.Equal(t, w.Field, ve.Errs[i].Field, "%v", ve.Errs[i])
				assert.Contains(t, err.Error(), "f.yaml:", "the message names the file")
			}
			var fe *FieldError
			assert.True(t, errors.As(err, &fe))
		})
	}
}

func TestParseRefusesBrokenYAML(t *testing.T) {
	_, err := Parse("f.yaml", []byte("fleet: a\nrunners:\n  r1: [\n"))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), "f.yaml:")
	assert.Greater(t, ve.Errs[0].Line, 1, "the line of the syntax error: %v", err)
}
