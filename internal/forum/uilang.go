package forum

import "slices"

// InterfaceLanguages are the languages the interface is written in (the catalogs of
// internal/i18n; a test there holds the two lists equal) and users.lang's CHECK.
var InterfaceLanguages = []string{"en", "ko"}

// CheckInterfaceLang is the rule for a user's language setting: one of
// InterfaceLanguages, or "" for none (the browser's choice then applies).
func CheckInterfaceLang(lang string) error {
	if lang == "" || slices.Contains(InterfaceLanguages, lang) {
		return nil
	}
	return FieldErrorf("lang", EInvalid, "Choose one of the languages offered.")
}
