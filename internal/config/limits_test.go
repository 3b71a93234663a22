package config

import (
	"testing"
	"time"

	"forum/internal/forum"
)

func TestLimitSettings(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, _, err := Load(nil, env(nil))
		if err != nil {
			t.Fatal(err)
		}
		def := forum.DefaultLimits()
		if forum.FormatLimits(c.Limits.Replies) != "10/1m,120/1h" || forum.FormatLimits(c.Limits.RepliesNew) != "3/1m,40/1h" ||
			c.Limits.LoginAccount != def.LoginAccount {
			t.Fatalf("defaults not applied: %+v", c.Limits)
		}
	})
	t.Run("EverySettingReadsItsLimit", func(t *testing.T) {
		m := map[string]string{"FORUM_LIMIT_LOGIN_ACCOUNT": "4/5m", "FORUM_LOGIN_DELAY_MAX": "10s"}
		for _, s := range limitSettings {
			m[s.env] = "7/2m,70/2h"
		}
		c, _, err := Load(nil, env(m))
		if err != nil {
			t.Fatal(err)
		}
		def := forum.DefaultLimits()
		for _, s := range limitSettings {
			got := *s.field(&c.Limits)
			if forum.FormatLimits(got) != "7/2m,70/2h" || got[0].Name != (*s.field(&def))[0].Name {
				t.Errorf("%s: got %s named %q", s.env, forum.FormatLimits(got), got[0].Name)
			}
		}
		want := forum.Pace{Limit: forum.Limit{Name: "login_account", Max: 4, Window: 5 * time.Minute}, MaxDelay: 10 * time.Second}
		if c.Limits.LoginAccount != want {
			t.Errorf("login pace %+v, want %+v", c.Limits.LoginAccount, want)
		}
	})
}
