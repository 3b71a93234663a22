package store

import (
	"strings"
	"unicode/utf8"
)

// Korean search (migration 00014): posts.search holds every run of Hangul syllables as
// its overlapping two-syllable pieces, so a query's Korean words are rewritten into the
// same pieces before websearch_to_tsquery reads the query. Outside quotes a word becomes
// a quoted phrase of its pieces ("마라톤" → "마라 라톤"), so the pieces must be adjacent
// and within one word; inside quotes the pieces simply join the phrase. English words,
// quotes, -not and "or" pass through untouched, so English queries mean what they did.

func isHangul(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// koreanParticles are the endings a Korean reader drops when searching: typing
// "마라톤은" should find "마라톤이" too. Longest first; one is stripped, then a plural 들.
var koreanParticles = []string{"에서", "으로", "에게", "까지", "부터", "처럼", "보다",
	"은", "는", "이", "가", "을", "를", "에", "의", "도", "만", "로", "와", "과"}

// stripParticle drops one particle, then a plural 들, from a query word, keeping at
// least two syllables (so "나이" or "기도" stay whole).
func stripParticle(w string) string {
	for _, p := range koreanParticles {
		if rest, ok := strings.CutSuffix(w, p); ok && utf8.RuneCountInString(rest) >= 2 {
			w = rest
			break
		}
	}
	if rest, ok := strings.CutSuffix(w, "들"); ok && utf8.RuneCountInString(rest) >= 2 {
		w = rest
	}
	return w
}

// hangulPieces is a run's overlapping two-syllable pieces, space-separated; a single
// syllable is itself (the index holds one-syllable runs whole).
func hangulPieces(run string) string {
	rs := []rune(run)
	if len(rs) == 1 {
		return run
	}
	parts := make([]string, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		parts = append(parts, string(rs[i:i+2]))
	}
	return strings.Join(parts, " ")
}

// koreanQuery rewrites the Hangul in a websearch query into the index's pieces; text
// without Hangul is returned as it is.
func koreanQuery(text string) string {
	if !strings.ContainsFunc(text, isHangul) {
		return text
	}
	var b strings.Builder
	inQuote := false
	rs := []rune(text)
	for i := 0; i < len(rs); {
		r := rs[i]
		if !isHangul(r) {
			if r == '"' {
				inQuote = !inQuote
			}
			b.WriteRune(r)
			i++
			continue
		}
		j := i
		for j < len(rs) && isHangul(rs[j]) {
			j++
		}
		run := string(rs[i:j])
		if inQuote {
			b.WriteString(" " + hangulPieces(run) + " ")
		} else {
			// Letters glued to the run ("marathon마라톤") become separate words; a
			// leading '-' stays attached so the whole phrase is left out.
			if b.Len() > 0 && i > 0 && rs[i-1] != '-' && rs[i-1] != ' ' {
				b.WriteByte(' ')
			}
			if j == len(rs) || !isLetter(rs[j]) {
				run = stripParticle(run)
			}
			b.WriteString(`"` + hangulPieces(run) + `" `)
		}
		i = j
	}
	return b.String()
}

func isLetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 0x7F
}

// koreanTerms are the Korean words a query looks for (particles dropped, left-out words
// skipped), for highlighting: ts_headline reads the text as whole words, so it cannot
// mark a word the index found by its pieces.
func koreanTerms(text string) []string {
	var terms []string
	inQuote := false
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if !isHangul(rs[i]) {
			if rs[i] == '"' {
				inQuote = !inQuote
			}
			i++
			continue
		}
		j := i
		for j < len(rs) && isHangul(rs[j]) {
			j++
		}
		run := string(rs[i:j])
		negated := !inQuote && i > 0 && rs[i-1] == '-'
		if !inQuote && (j == len(rs) || !isLetter(rs[j])) {
			run = stripParticle(run)
		}
		if !negated && utf8.RuneCountInString(run) >= 2 {
			terms = append(terms, run)
		}
		i = j
	}
	return terms
}

// markTerms wraps each occurrence of the terms in s in the highlight markers, longest
// term first where two start at the same place.
func markTerms(s string, terms []string) string {
	if len(terms) == 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		matched := ""
		for _, t := range terms {
			if len(t) > len(matched) && strings.HasPrefix(s[i:], t) {
				matched = t
			}
		}
		if matched == "" {
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		b.WriteString(HighlightStart + matched + HighlightStop)
		i += len(matched)
	}
	return b.String()
}
