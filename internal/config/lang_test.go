package config

import "testing"

func TestDefaultLang(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"Default", nil, "en"},
		{"Korean", map[string]string{"FORUM_DEFAULT_LANG": " ko "}, "ko"},
		{"Case", map[string]string{"FORUM_DEFAULT_LANG": "KO"}, "ko"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := Load(nil, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.DefaultLang != tc.want {
				t.Fatalf("DefaultLang = %q, want %q", c.DefaultLang, tc.want)
			}
		})
	}
}
