package config

import (
	"fmt"
	"strings"

	"forum/internal/i18n"
)

// loadDefaultLang reads FORUM_DEFAULT_LANG: the interface language of a visitor whose
// browser asks for none of ours and who chose none, and of mail to people without a
// setting.
func loadDefaultLang(getenv func(string) string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(getenv("FORUM_DEFAULT_LANG")))
	if v == "" {
		return i18n.Default, nil
	}
	if !i18n.Supported(v) {
		return "", fmt.Errorf("FORUM_DEFAULT_LANG: %q is not one of %s", v, strings.Join(i18n.Languages, ", "))
	}
	return v, nil
}
