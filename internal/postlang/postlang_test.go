package postlang_test

import (
	"testing"

	"forum/internal/postlang"
)

func TestDetect(t *testing.T) {
	d := postlang.New()
	for _, c := range []struct{ text, want string }{
		{"외국인 주자들이 참가했습니다", "ko"},
		{"동의합니다", "ko"},
		{"I think the race helps more than it hinders.", "en"},
		{"Koryo Tours 덕분에 평양에 다녀왔습니다", "ko"},
		{"The marathon's 재개 was a test of the wider reopening for tourists", "en"},
		{"+1", ""},
		{"平壌マラソンに参加しました", ""}, // a script no allowed language is written in
		{"https://example.org/a-long-english-looking-link", ""},
		{"`go test ./...`", ""},
	} {
		if got := d.Detect(c.text); got != c.want {
			t.Errorf("Detect(%q) = %q; want %q", c.text, got, c.want)
		}
	}
}
