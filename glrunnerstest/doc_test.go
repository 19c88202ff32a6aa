package glrunnerstest_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package doc's opening code is ExampleNew's body: every line of it
// except the test function's frame and the elision must appear there, so
// the doc cannot drift from code that compiles and runs.
func TestDoc_snippetIsExampleNew(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	example, err := os.ReadFile("example_test.go")
	require.NoError(t, err)
	body := string(example)
	start := strings.Index(body, "func ExampleNew() {")
	require.GreaterOrEqual(t, start, 0)
	end := strings.Index(body[start:], "\n}\n")
	require.Greater(t, end, 0)
	body = body[start : start+end]

	var snippet []string
	for _, line := range strings.Split(string(doc), "\n") {
		code, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			if len(snippet) > 0 {
				break // the first block only
			}
			continue
		}
		snippet = append(snippet, strings.TrimSpace(code))
	}
	require.GreaterOrEqual(t, len(snippet), 5, "doc.go opens with a code block")
	for _, line := range snippet {
		if line == "}" || line == "// ..." || strings.HasPrefix(line, "func Test") {
			continue
		}
		assert.Contains(t, body, line, "doc.go's snippet line is not in ExampleNew")
	}
}
