package glrunners_test

import (
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// docBlock is one code block of the documentation: a ```go or shell fence
// of README.md, or a code block of the package doc in doc.go.
type docBlock struct {
	file string // README.md or doc.go
	line int    // line of the block's first code line in file
	lang string // "go", or "sh" for any shell fence (sh, bash, shell, console, none)
	name string // the scenario named by a <!-- docs-test: NAME --> line before it; "" = none
	code string
}

// where names the block in failures, as file:line.
func (b docBlock) where() string { return b.file + ":" + strconv.Itoa(b.line) }

var docsTestDirective = regexp.MustCompile(`^<!--\s*docs-test:\s*(\S+)\s*-->$`)

// readmeBlocks returns every fenced block of README.md, in order.
func readmeBlocks(t *testing.T) []docBlock {
	t.Helper()
	src, err := os.ReadFile("README.md")
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		fence, ok := strings.CutPrefix(strings.TrimSpace(lines[i]), "```")
		if !ok {
			continue
		}
		b := docBlock{file: "README.md", line: i + 2, lang: "go"}
		switch strings.ToLower(fence) {
		case "go":
		case "", "sh", "bash", "shell", "console":
			b.lang = "sh"
		default:
			b.lang = fence // html, yaml, ...: neither compiled nor run
		}
		for j := i - 1; j >= 0; j-- { // the directive is the nearest non-blank line before the fence
			if s := strings.TrimSpace(lines[j]); s != "" {
				if m := docsTestDirective.FindStringSubmatch(s); m != nil {
					b.name = m[1]
				}
				break
			}
		}
		end := i + 1
		for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
			end++
		}
		require.Less(t, end, len(lines), "README.md:%d: unterminated code fence", i+1)
		b.code = strings.Join(lines[i+1:end], "\n") + "\n"
		blocks = append(blocks, b)
		i = end
	}
	return blocks
}

// docGoScenarios names doc.go's code blocks by the paragraph before them:
// a package doc has no room for directives.
var docGoScenarios = map[string]string{"A short tour:": "tour"}

// docGoBlocks returns the code blocks of the package doc in doc.go.
func docGoBlocks(t *testing.T) []docBlock {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	require.NotNil(t, f.Doc, "doc.go has no package doc")
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")

	var blocks []docBlock
	var before string
	for _, blk := range new(comment.Parser).Parse(f.Doc.Text()).Content {
		switch blk := blk.(type) {
		case *comment.Paragraph:
			before = paragraphText(blk)
		case *comment.Code:
			b := docBlock{file: "doc.go", lang: "go", name: docGoScenarios[before], code: blk.Text}
			first, _, _ := strings.Cut(blk.Text, "\n")
			b.line = findDocLine(lines, f.Doc, fset, first)
			blocks = append(blocks, b)
			before = ""
		default:
			before = ""
		}
	}
	return blocks
}

func paragraphText(p *comment.Paragraph) string {
	var sb strings.Builder
	for _, t := range p.Text {
		if pt, ok := t.(comment.Plain); ok {
			sb.WriteString(string(pt))
		}
	}
	return strings.TrimSpace(sb.String())
}

// findDocLine returns the line of doc.go holding the code line first, so
// that compile errors point at doc.go.
func findDocLine(lines []string, doc *ast.CommentGroup, fset *token.FileSet, first string) int {
	from := fset.Position(doc.Pos()).Line
	for i := from - 1; i < len(lines); i++ {
		if strings.TrimPrefix(lines[i], "//\t") == first {
			return i + 1
		}
	}
	return from
}
