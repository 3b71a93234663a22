package i18n_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"forum/internal/forum"
	"forum/internal/i18n"
	webfiles "forum/web"
)

// templateID is a catalog call in a template: {{T "id" …}} or (T "id" …), or TH.
var templateID = regexp.MustCompile(`[{(\s]TH?\s+"([^"]+)"`)

// TestCatalogsComplete fails when a catalog lacks a key the templates or the Go code use,
// holds one nothing uses, or when English and Korean hold different keys.
//
// Used ids are read, not guessed: in templates (pages' and mails') every T "id"; in Go (every non-test file
// of the module) the literal id of a call to T(…) or Message(…), or of a Key: field (a
// domain error's message), which must exist; and any string literal equal to a key
// counts as a use, so a key chosen by a switch over literals is not called unused.
func TestCatalogsComplete(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	need := map[string]string{} // id → where it is used
	// The pages' templates and the mails' (web/templates, web/mail).
	err = fs.WalkDir(webfiles.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "static/") {
			return err
		}
		src, err := fs.ReadFile(webfiles.FS, p)
		if err != nil {
			return err
		}
		for _, m := range templateID.FindAllStringSubmatch(string(src), -1) {
			need[m[1]] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mentioned := map[string]bool{}
	goIDs(t, "../..", need, mentioned)
	if len(need) < 100 {
		t.Fatalf("found only %d ids in use: the scan is broken", len(need))
	}

	en, ko := b.Keys("en"), b.Keys("ko")
	for _, id := range i18n.SortedKeys(need) {
		for lang, keys := range map[string]map[string]string{"en": en, "ko": ko} {
			if _, ok := keys[id]; !ok {
				t.Errorf("%s uses %q, which the %s catalog lacks", need[id], id, lang)
			}
		}
	}
	for _, id := range i18n.SortedKeys(en) {
		if _, used := need[id]; !used && !mentioned[id] {
			t.Errorf("%s holds %q, which no template or code uses", en[id], id)
		}
	}
	for _, id := range i18n.SortedKeys(en) {
		if _, ok := ko[id]; !ok {
			t.Errorf("%q is in English (%s) but not in Korean", id, en[id])
		}
	}
	for _, id := range i18n.SortedKeys(ko) {
		if _, ok := en[id]; !ok {
			t.Errorf("%q is in Korean (%s) but not in English", id, ko[id])
		}
	}
	if !slices.Equal(i18n.Languages, forum.InterfaceLanguages) {
		t.Errorf("i18n.Languages %v, forum.InterfaceLanguages %v: the setting's rule and the catalogs disagree", i18n.Languages, forum.InterfaceLanguages)
	}
}

// goIDs walks the module's Go files under root for catalog ids (see TestCatalogsComplete).
func goIDs(t *testing.T, root string, need map[string]string, mentioned map[string]bool) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		lit := func(e ast.Expr) (string, bool) {
			bl, ok := e.(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(bl.Value)
			return s, err == nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, ok := lit(n); ok {
					mentioned[s] = true
				}
			case *ast.CallExpr:
				var name string
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				}
				if name != "T" && name != "Message" {
					return true
				}
				// loc.T("id", …), s.T(c, "id", …), l.Message("id", …): the first literal.
				for _, a := range n.Args[:min(2, len(n.Args))] {
					if s, ok := lit(a); ok {
						need[s] = fset.Position(a.Pos()).String()
						break
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Key" {
					if s, ok := lit(n.Value); ok && s != "" {
						need[s] = fset.Position(n.Value.Pos()).String()
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
