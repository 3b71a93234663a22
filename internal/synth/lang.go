package synth

import "unicode"

// textLang is a synthetic post's language (posts.lang): the lexicons write English, or
// Korean, which Hangul tells. The forum's detector (internal/postlang) would give the same
// answer for these texts at a cost a million posts would feel; real posts go through it.
func textLang(src string) string {
	for _, r := range src {
		if unicode.Is(unicode.Hangul, r) {
			return "ko"
		}
	}
	return "en"
}
