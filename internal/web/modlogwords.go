package web

import (
	"strings"

	"forum/internal/forum"
	"forum/internal/i18n"
)

// logSaid is a moderation log sentence in the reader's language, after the moderator's
// name: Before, then the target (Object, linked to Href where there is one), then After.
// The languages order these differently; the template only places them.
type logSaid struct {
	Before, Object, Href, After string
}

// sayLog words s by l (forum.LogSentence.Words and ObjectWords).
func sayLog(l *i18n.Localizer, s forum.LogSentence) logSaid {
	if s.Words.Key == "" { // an action this build does not know: its own words
		before := s.Verb
		if s.Object != "" {
			before += " "
		}
		return logSaid{Before: before, Object: s.Object, Href: s.Href, After: s.Tail}
	}
	obj := s.Object
	if s.ObjectWords.Key != "" {
		obj = l.Message(s.ObjectWords.Key, s.ObjectWords.Data, s.Object)
	}
	before, after := l.Around(s.Words.Key, s.Words.Data, "Object")
	return logSaid{Before: before, Object: obj, Href: s.Href, After: after}
}

// String is the whole sentence, as a feed reads it.
func (s logSaid) String() string { return s.Before + s.Object + s.After }

// The page sets the words around the target in spans of their own; the space between
// them and the target goes outside the spans, so a span's text is the words alone.

// BeforeWords are the words before the target, without the space that parts them.
func (s logSaid) BeforeWords() string { return strings.TrimRight(s.Before, " ") }

// SpaceBefore says whether a space parts the words before from the target.
func (s logSaid) SpaceBefore() bool { return strings.HasSuffix(s.Before, " ") }

// AfterWords are the words after the target, without the space that parts them.
func (s logSaid) AfterWords() string { return strings.TrimLeft(s.After, " ") }

// SpaceAfter says whether a space parts the target from the words after it.
func (s logSaid) SpaceAfter() bool { return strings.HasPrefix(s.After, " ") }
