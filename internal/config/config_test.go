package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestValidateServe(t *testing.T) {
	good := map[string]string{"DATABASE_URL": "postgres://x@localhost/forum", "FORUM_SESSION_KEY": strings.Repeat("ab", 32)}
	for _, tc := range []struct {
		name  string
		set   map[string]string
		names string // the setting the one-line error must name; "" = valid
	}{
		{"Valid", nil, ""},
		{"MissingDatabase", map[string]string{"DATABASE_URL": ""}, "DATABASE_URL"},
		{"MissingKey", map[string]string{"FORUM_SESSION_KEY": ""}, "FORUM_SESSION_KEY"},
		{"ShortKey", map[string]string{"FORUM_SESSION_KEY": "abcd"}, "FORUM_SESSION_KEY"},
		{"NotHexKey", map[string]string{"FORUM_SESSION_KEY": strings.Repeat("zz", 32)}, "FORUM_SESSION_KEY"},
		{"BadAddr", map[string]string{"FORUM_ADDR": "nonsense"}, "FORUM_ADDR"},
		{"BadBaseURL", map[string]string{"FORUM_BASE_URL": "ftp://x"}, "FORUM_BASE_URL"},
		{"BadThreshold", map[string]string{"FORUM_FLAG_THRESHOLD": "0"}, "FORUM_FLAG_THRESHOLD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range good {
				m[k] = v
			}
			for k, v := range tc.set {
				m[k] = v
			}
			c, _, err := Load(nil, env(m))
			if err == nil {
				err = c.ValidateServe()
			}
			switch {
			case tc.names == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.names != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.names+":") || strings.Contains(err.Error(), "\n")):
				t.Fatalf("error %v; want one line naming %s", err, tc.names)
			}
		})
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, _, err := Load([]string{"--addr", "127.0.0.1:9999", "--flag-threshold", "5"}, env(map[string]string{"FORUM_ADDR": "127.0.0.1:1"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.FlagThreshold != 5 || c.BaseURL != "http://127.0.0.1:9999" {
		t.Fatalf("got %+v", c)
	}
}
