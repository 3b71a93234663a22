// Package postlang tells which language a post is written in, with whatlanggo restricted
// to the languages posts may be marked as (forum.PostLanguages).
package postlang

import (
	"regexp"
	"unicode"

	"github.com/abadojack/whatlanggo"

	"forum/internal/forum"
)

// minLetters is how many letters a text needs before it is labelled at all: "ok" or "+1"
// says nothing about its language.
const minLetters = 2

// urls and code are left out of detection: a link or a snippet is not prose.
var (
	urls      = regexp.MustCompile(`https?://\S+|www\.\S+`)
	codeSpans = regexp.MustCompile("(?s)```.*?```|`[^`]*`")
)

var tags = map[whatlanggo.Lang]string{whatlanggo.Kor: "ko", whatlanggo.Eng: "en"}

// Detector labels texts with a forum.PostLanguages tag. It is safe for concurrent use.
//
// whatlanggo first finds the text's dominant script, then compares trigram profiles
// only among the allowed languages written in it: Hangul decides Korean outright, and
// Latin text is English, the one allowed Latin-script language. Its profiles are small
// (lingua-go's models made the binary 130 MB larger and cost about 25 MB of memory).
type Detector struct {
	opts whatlanggo.Options
}

// New builds a detector for the languages forum.KnownPostLang allows.
func New() *Detector {
	allow := map[whatlanggo.Lang]bool{}
	for l, tag := range tags {
		if forum.KnownPostLang(tag) {
			allow[l] = true
		}
	}
	return &Detector{opts: whatlanggo.Options{Whitelist: allow}}
}

// Warm is kept for callers that prepare the detector at start; whatlanggo has no models
// to load.
func (d *Detector) Warm() {}

// Detect is the tag of the language text is written in, or "" when it cannot tell: too
// few letters, or a script none of the allowed languages is written in.
func (d *Detector) Detect(text string) string {
	text = codeSpans.ReplaceAllString(urls.ReplaceAllString(text, " "), " ")
	letters := 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < minLetters {
		return ""
	}
	info := whatlanggo.DetectWithOptions(text, d.opts)
	return tags[info.Lang]
}
