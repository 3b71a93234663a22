package config

import (
	"strings"
	"testing"
	"time"
)

func TestWorkSettings(t *testing.T) {
	c, _, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Passwords != DefaultPasswordSettings() || c.Metrics != (MetricsSettings{}) {
		t.Fatalf("defaults: got %+v %+v", c.Passwords, c.Metrics)
	}
	token := strings.Repeat("ab", 16)
	c, _, err = Load([]string{"--password-wait", "750ms"}, env(map[string]string{
		"FORUM_PASSWORD_HASHES": " 8 ", "FORUM_PASSWORD_WAIT": "5s",
		"FORUM_METRICS_TOKEN": token, "FORUM_METRICS_ADDR": "127.0.0.1:9090",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if want := (PasswordSettings{Hashes: 8, Wait: 750 * time.Millisecond}); c.Passwords != want {
		t.Fatalf("got %+v, want %+v", c.Passwords, want)
	}
	if want := (MetricsSettings{Token: token, Addr: "127.0.0.1:9090"}); c.Metrics != want {
		t.Fatalf("got %+v, want %+v", c.Metrics, want)
	}

}
