package web

import "forum/internal/forum"

// langChoice is the new-thread and reply forms' optional language of the post
// (partials/langfield.html): "" detects it (internal/postlang), else a
// forum.PostLanguages tag, checked by forum.ParsePostLang.
type langChoice struct {
	Lang string // as sent
}

// LangChoices are the languages the form offers besides "Detect automatically".
func (langChoice) LangChoices() []forum.PostLanguage { return forum.PostLanguages() }
