package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// The words synthetic posts are made of: the forum's own subject, so search has common
// and rare terms in realistic proportions (a few words in most posts, a long tail of
// words in few).
var (
	subjects = []string{
		"the marathon", "the race", "the reopening", "the tour operators", "foreign runners",
		"the organisers", "the city", "the border", "the visa process", "the amateur field",
		"the route", "the stadium finish", "the government", "the guides", "the spectators",
		"tourism", "sport diplomacy", "the sanctions debate", "the travel agencies", "the return",
		"the half marathon", "the ten kilometre race", "the press coverage", "the photographs",
	}
	verbs = []string{
		"shows", "changes", "hides", "tells us about", "says little about", "complicates",
		"reflects", "depends on", "undermines", "supports", "follows", "repeats", "signals",
		"reshapes", "limits", "opens", "legitimises", "normalises", "tests", "reveals",
	}
	objects = []string{
		"the wider relationship", "contact between people", "the country's image abroad",
		"hard currency", "controlled openness", "the six years of closure", "diplomatic signals",
		"ordinary residents", "what visitors are allowed to see", "the pandemic border closure",
		"engagement policy", "the tourism economy", "trust between governments",
		"the runners' experience", "the choice of foreign partners", "future exchanges",
		"academic access", "the humanitarian situation", "cultural exchange", "press freedom",
	}
	openers = []string{
		"I think", "Honestly,", "From what I read,", "As someone who ran it before,",
		"In my view", "It seems to me that", "Let's be careful:", "Fair point, but",
		"I disagree:", "Agreed, and", "Having talked to a guide,", "On balance,",
	}
	rare = []string{
		"Kim Il Sung Stadium", "Mangyongdae", "Taedong", "Ryugyong", "Koryo Tours",
		"Juche Tower", "Arch of Triumph", "Chollima", "Kaesong", "Sinuiju", "Wonsan", "Rason",
		"Panmunjom", "Air Koryo", "Dandong", "Beijing", "Shenyang", "tempo run", "negative split",
		"chip timing", "pacer", "hydration station", "kilometre marker", "split times",
	}
	linkHosts = []string{"example.org", "example.com", "example.net"}
)

// body writes a Markdown post of about n characters (50–3,000) with the features people
// use: paragraphs, emphasis, links, quotes, lists, code and @mentions of real names.
func body(r *rand.Rand, n int, names func() string) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		switch k := r.IntN(20); {
		case k == 0 && n > 400:
			for i := 0; i < 2+r.IntN(4); i++ {
				fmt.Fprintf(&b, "- %s\n", sentence(r, names))
			}
		case k == 1 && n > 300:
			fmt.Fprintf(&b, "> %s", sentence(r, names))
		case k == 2 && n > 800:
			fmt.Fprintf(&b, "```\nsplit %d km  %d:%02d\n```", 5+r.IntN(38), 20+r.IntN(40), r.IntN(60))
		case k == 4 && n > 300: // Korean, for Korean search (lexicon.go)
			for i := 0; i < 1+r.IntN(3); i++ {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(koreanSentence(r))
			}
		case k == 3 && n > 1200:
			b.WriteString("| year | finishers |\n| --- | --- |\n")
			for i := 0; i < 3; i++ {
				fmt.Fprintf(&b, "| %d | %d |\n", 2014+i*2, 200+r.IntN(900))
			}
		default:
			for i := 0; i < 1+r.IntN(4) && b.Len() < n; i++ {
				if i > 0 {
					b.WriteByte(' ')
				}
				// One sentence in five is about the subject; the rest draw on the whole
				// lexicon, so no phrase sits in most posts.
				if r.IntN(5) == 0 {
					b.WriteString(sentence(r, names))
				} else {
					b.WriteString(lexiconSentence(r))
				}
			}
		}
	}
	return trim(b.String(), 3000)
}

// trim cuts s to at most n bytes at a paragraph's end, else a sentence's, else a
// character's (Korean paragraphs are not ASCII).
func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	s = s[:n]
	if i := strings.LastIndex(s, "\n\n"); i > n/2 {
		return s[:i]
	}
	if i := strings.LastIndex(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

func sentence(r *rand.Rand, names func() string) string {
	s := pick(r, subjects) + " " + pick(r, verbs) + " " + pick(r, objects)
	switch r.IntN(12) {
	case 0:
		s = "**" + s + "**"
	case 1:
		s += fmt.Sprintf(" ([source](https://%s/%s/%d))", pick(r, linkHosts), strings.ReplaceAll(pick(r, rare), " ", "-"), r.IntN(1000))
	case 2:
		s += ", near " + pick(r, rare)
	case 3:
		s = "@" + names() + " " + s
	case 4:
		s += ", *" + pick(r, objects) + "* included"
	}
	if r.IntN(3) == 0 {
		s = pick(r, openers) + " " + s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// title is a thread title of 5–200 characters.
func title(r *rand.Rand) string {
	t := pick(r, []string{"Does", "Why", "How", "What", "Whether"}) + " " + pick(r, subjects) + " " +
		pick(r, []string{"changes", "matters for", "affects", "says about"}) + " " + pick(r, objects)
	if r.IntN(4) == 0 {
		t += " (" + pick(r, rare) + ")"
	}
	return strings.ToUpper(t[:1]) + t[1:] + "?"
}

// bodyLength draws a post's length from a log-normal: most posts are a few sentences,
// a few are essays; always within 50–3,000 characters.
func bodyLength(r *rand.Rand) int {
	n := int(math.Exp(6.0 + 0.8*r.NormFloat64()))
	return min(max(n, 50), 3000)
}

var syllables = []string{"min", "ji", "soo", "hae", "run", "ko", "pa", "lee", "kim", "park", "an", "na", "tor", "el", "sam", "jo", "ra", "ben", "yu", "han"}

// username is the i-th synthetic name: pronounceable, unique by its number.
func username(r *rand.Rand, i int) string {
	return fmt.Sprintf("%s%s%d", pick(r, syllables), pick(r, syllables), i)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
