package markup

import (
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// GitHub-flavoured additions, so what people paste from elsewhere is kept: tables and
// task lists (goldmark's own extensions, see New), images kept as links, and a label
// that names each task's checkbox.

// gfmExtension adds the two transformers below and the label's HTML.
type gfmExtension struct{}

func (gfmExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		util.Prioritized(imageLinks{}, 100), util.Prioritized(taskLabels{}, 100)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(taskLabelHTML{}, 500)))
}

// imageLinks turns every image into a link to the image, its alt text the link's text
// (the URL when there is none): a post never loads a picture from elsewhere (no
// tracking pixels, no hotlinking), yet what was written is not silently dropped. As a
// link it takes the path of every link: measure counts it, and the policy keeps only
// an absolute http(s) URL, so "![x](javascript:…)" or a relative one is its text alone.
type imageLinks struct{}

func (imageLinks) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var images []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			images = append(images, img)
		}
		return ast.WalkContinue, nil
	})
	// In document order, so an image that holds another becomes a link first and the
	// inner one then finds itself inside a link.
	for _, img := range images {
		parent := img.Parent()
		if insideLink(img) {
			// A link cannot hold a link ("[![badge](img)](page)"): inside one, the image
			// is its text, and the outer link is what a click follows.
			for _, c := range imageText(img) {
				parent.InsertBefore(parent, img, c)
			}
			parent.RemoveChild(parent, img)
			continue
		}
		link := ast.NewLink()
		link.Destination, link.Title = img.Destination, img.Title
		for _, c := range imageText(img) {
			link.AppendChild(link, c)
		}
		parent.ReplaceChild(parent, img, link)
	}
}

// imageText detaches and returns an image's alt text, or its URL as text if it has none.
func imageText(img *ast.Image) []ast.Node {
	var out []ast.Node
	for c := img.FirstChild(); c != nil; {
		next := c.NextSibling()
		img.RemoveChild(img, c)
		out = append(out, c)
		c = next
	}
	if len(out) == 0 {
		url := ast.NewString(img.Destination)
		url.SetRaw(true) // as written: no entity or backslash decoding, but HTML-escaped
		out = append(out, url)
	}
	return out
}

func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		switch p.(type) {
		case *ast.Link, *ast.Image:
			return true
		}
	}
	return false
}

// kindTaskLabel is the <label> around a task's checkbox and its text.
var kindTaskLabel = ast.NewNodeKind("TaskLabel")

type taskLabel struct{ ast.BaseInline }

func (n *taskLabel) Kind() ast.NodeKind { return kindTaskLabel }

func (n *taskLabel) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// taskLabels wraps each task's checkbox and the text after it in a <label>, so the
// checkbox is named by its task for screen readers (axe-core's "label" rule fails a
// bare one). goldmark puts the checkbox first in the item's first paragraph, whose
// inline content the label takes; nested lists stay outside it. "- [ ]" with no task
// after it keeps its brackets as text: there is nothing to name the box by.
type taskLabels struct{}

func (taskLabels) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var boxes []*east.TaskCheckBox
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if b, ok := n.(*east.TaskCheckBox); ok && entering {
			boxes = append(boxes, b)
		}
		return ast.WalkContinue, nil
	})
	for _, box := range boxes {
		block := box.Parent()
		if box.NextSibling() == nil {
			brackets := "[ ]"
			if box.IsChecked {
				brackets = "[x]"
			}
			block.ReplaceChild(block, box, ast.NewString([]byte(brackets)))
			continue
		}
		label := &taskLabel{}
		for c := block.FirstChild(); c != nil; {
			next := c.NextSibling()
			label.AppendChild(label, c) // detaches c from block
			c = next
		}
		block.AppendChild(block, label)
	}
}

type taskLabelHTML struct{}

func (taskLabelHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindTaskLabel, func(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
		tag := "<label>"
		if !entering {
			tag = "</label>"
		}
		if _, err := w.WriteString(tag); err != nil {
			return ast.WalkStop, fmt.Errorf("markup: writing a task label: %w", err)
		}
		return ast.WalkContinue, nil
	})
}

// minCellHTML is the least HTML one table cell becomes: "<td></td>\n".
const minCellHTML = len("<td></td>\n")

// tableCells is at least how many cells the tables in src would have, read from the
// source without parsing it. goldmark pads every row of a table to its header's width,
// so a few KB of "|a|a|…" over a header rule and a few thousand lines of "x" would be
// millions of cells (and gigabytes of syntax tree) before the size bound after
// rendering could see them. For each line that could be a table's delimiter row
// ("|---|:-:|", after any quote markers and indentation) it counts its columns times
// itself and the lines after it up to the next blank line: every line that could be a
// row is taken as one, so the count errs high, never low. It reads src once.
func tableCells(src string) int {
	lines := strings.Split(src, "\n")
	cells, run := 0, 0
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimLeft(lines[i], " \t>")
		if strings.TrimSpace(line) == "" {
			run = 0
			continue
		}
		run++
		if cols := delimiterColumns(line); cols > 0 {
			cells += cols * run
		}
	}
	return cells
}

// delimiterColumns is the number of columns of a table's delimiter row (GFM: cells of
// dashes with optional colons at either end, separated by pipes), or 0 when line is
// not one. Dashes alone are a rule, not a one-column delimiter row (as in goldmark).
func delimiterColumns(line string) int {
	line = strings.TrimSpace(line)
	if strings.Trim(line, "-") == "" {
		return 0
	}
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	cols := 0
	for cell := range strings.SplitSeq(line, "|") {
		cell = strings.TrimSpace(cell)
		cell = strings.TrimSuffix(strings.TrimPrefix(cell, ":"), ":")
		if cell == "" || strings.Trim(cell, "-") != "" {
			return 0
		}
		cols++
	}
	return cols
}
