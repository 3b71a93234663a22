package feed

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Excerpt is the plain text of a post's stored HTML, whitespace collapsed, cut to at most
// n runes at a word boundary with "…". RSS readers that ignore content:encoded show it.
// It tokenises HTML the sanitiser already cleaned; it does not sanitise again.
func Excerpt(h string, n int) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(h))
	space := false
	count := 0
	for count <= n {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.TextToken {
			// Block boundaries (</p>, <br>, <li>) separate words.
			space = space || b.Len() > 0
			continue
		}
		for _, r := range string(z.Text()) {
			if unicode.IsSpace(r) {
				space = b.Len() > 0
				continue
			}
			if space {
				b.WriteByte(' ')
				count++
				space = false
			}
			b.WriteRune(r)
			count++
			if count > n {
				break
			}
		}
	}
	s := b.String()
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)[:n-1]
	if i := lastSpace(runes); i > 0 {
		runes = runes[:i]
	}
	return strings.TrimRightFunc(string(runes), unicode.IsSpace) + "…"
}

func lastSpace(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if unicode.IsSpace(rs[i]) {
			return i
		}
	}
	return -1
}
