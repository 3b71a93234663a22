package forum

import "strings"

// PostLanguage is a language a post may be marked as: its BCP 47 tag and its name as its
// own speakers write it (the form's choice shows that name).
type PostLanguage struct {
	Tag    string
	Name   string
	ReadIn string // "read in this language", in it: the link to a thread's translation
}

// postLanguages are the languages a writer may choose for a post, and the ones the
// detector (internal/postlang) tells apart: the forum's readers write Korean and English.
var postLanguages = []PostLanguage{
	{Tag: "ko", Name: "한국어", ReadIn: "한국어로 읽기"},
	{Tag: "en", Name: "English", ReadIn: "Read in English"},
}

// PostLanguages lists the languages a post may be marked as, in the form's order.
func PostLanguages() []PostLanguage { return append([]PostLanguage(nil), postLanguages...) }

// KnownPostLang reports whether tag is one of PostLanguages.
func KnownPostLang(tag string) bool {
	for _, l := range postLanguages {
		if l.Tag == tag {
			return true
		}
	}
	return false
}

// ParsePostLang reads the form's optional language choice: "" (or "auto") means "detect
// it", anything else must be one of PostLanguages.
func ParsePostLang(choice string) (string, error) {
	choice = strings.TrimSpace(choice)
	if choice == "" || choice == "auto" {
		return "", nil
	}
	if KnownPostLang(choice) {
		return choice, nil
	}
	names := make([]string, 0, len(postLanguages))
	for _, l := range postLanguages {
		names = append(names, l.Tag+" ("+l.Name+")")
	}
	return "", FieldErrorf("lang", EInvalid, "Choose the post's language from the list (%s), or leave it to be detected.",
		strings.Join(names, ", "))
}

// PostLang decides a new or edited post's language: the writer's choice beats detection;
// detected is "" when the detector could not tell (a text too short or too mixed).
func PostLang(chosen, detected string) string {
	if chosen != "" {
		return chosen
	}
	return detected
}

// ReplyLang is the language a reply is stored with: its own, or, when that is unknown
// ("+1", a link, an emoji), the language of the post it answers, which is what a reader
// of the thread hears it in. An opening post whose language is unknown stays unknown.
func ReplyLang(own, parent string) string {
	if own != "" {
		return own
	}
	return parent
}

// EditLang is an edited post's language: the edited text's when it tells, else the
// post's language before the edit (a fix of a typo should not lose it).
func EditLang(detected, before string) string {
	if detected != "" {
		return detected
	}
	return before
}

// ThreadTranslation is a thread written again in another language, linked from the
// thread it translates (the seeded opening threads exist in Korean and English).
type ThreadTranslation struct {
	ID    int64  `db:"id"`
	Slug  string `db:"slug"`
	Title string `db:"title"`
	Lang  string `db:"lang"` // its opening post's language
}

// ReadIn is the link text to the translation: "read in <language>", in that language.
func (t ThreadTranslation) ReadIn() string {
	for _, l := range postLanguages {
		if l.Tag == t.Lang {
			return l.ReadIn
		}
	}
	return t.Title
}
