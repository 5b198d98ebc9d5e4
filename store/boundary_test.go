package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// store/ keeps bytes on disk and nothing else: it decides no rule of the
// office's work and words nothing about it. Its own sentences are about the
// file (damaged, in use, written by a newer Fieldprint); what a person does,
// may do and reads about a request comes from the domain and the workflow.
// This test reads the package's source to hold that line.
func TestStoreHoldsNoRuleAndNoWording(t *testing.T) {
	// What of the domain package the store may use: errors, the storage
	// contract and its limits; the frozen migrations also read dates.
	allowed := regexp.MustCompile(`^(Internal|Errorf|Error|ErrorCode|ErrorMessage|E[A-Z]+|Err[A-Z][A-Za-z]+|Storage|Reader|Writer|KeyChange|Max[A-Za-z]+)$`)
	allowedInMigrations := regexp.MustCompile(`^(Date|DateOf|ParseDate)$`)
	// Words of the office's work: none may appear in the store's strings.
	workflowWords := regexp.MustCompile(`(?i)\b(request|applicant|appointment|letter|stamp(ed)?|print(ed|s)?|clerk|director|admin(istrator)?|sign(ed)? in|password|account|checklist|category|categories|approve|deny|book(ed)?|walk-in|notice)\b`)
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("disk/*.go")
	files = append(files, more...)
	seen := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		seen++
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && id.Name == "fp" && !allowed.MatchString(n.Sel.Name) &&
					!(name == "migrations.go" && allowedInMigrations.MatchString(n.Sel.Name)) {
					t.Errorf("%s uses fp.%s: rules and wording belong to the domain and the workflow", name, n.Sel.Name)
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					break
				}
				s, _ := strconv.Unquote(n.Value)
				if w := workflowWords.FindString(s); w != "" && name != "migrations.go" {
					t.Errorf("%s: the string %q speaks of %q, the office's work", name, s, w)
				}
			}
			return true
		})
	}
	if seen < 5 {
		t.Fatalf("read only %d source files: the test no longer finds the package", seen)
	}
}
