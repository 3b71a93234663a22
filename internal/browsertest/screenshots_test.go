package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// readmeShots are the README's images: the same thread wide and light, narrow and dark.
var readmeShots = map[string]bool{"thread-1280-light.png": true, "thread-375-dark.png": true}

// maxShotHeight keeps a long page's screenshot to its top part (CSS pixels), so the
// images stay small enough to commit.
const maxShotHeight = 2200

// TestScreenshots photographs the home page, a thread with a nested reply tree at 375
// and 1280 px in light and dark, and the moderation queue, into $FORUM_SCREENSHOT_DIR
// (or the test's artifact directory). With -readme-screenshots it also writes the
// README's two images into docs/screenshots.
func TestScreenshots(t *testing.T) {
	s := newSite(t)
	s.seed()
	f := newFixture(s)
	b := newBrowserBudget(t, s, 2*journeyBudget)
	b.name = "" // the queue shot below is the last page

	dir, err := screenshotDir(t)
	if err != nil {
		t.Fatal(err)
	}
	readmeDir := ""
	if *readmeScreenshots {
		root, err := repoRoot()
		if err != nil {
			t.Fatal(err)
		}
		readmeDir = filepath.Join(root, "docs", "screenshots")
	}

	shoot := func(name string, width int64, scheme string) {
		t.Helper()
		opts := []chromedp.EmulateViewportOption{}
		if width < 600 {
			opts = append(opts, chromedp.EmulateMobile)
		}
		b.do("set up "+name, chromedp.EmulateViewport(width, 900, opts...), b.colorScheme(scheme))
		// Re-lay out at the new width and scheme, and start from the top of the page.
		b.do("reload for "+name, chromedp.Reload(), chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		targets := []string{filepath.Join(dir, name)}
		if readmeDir != "" && readmeShots[name] {
			targets = append(targets, filepath.Join(readmeDir, name))
		}
		for _, path := range targets {
			if _, err := b.saveScreenshotTo(b.ctx, path, maxShotHeight); err != nil {
				t.Fatalf("screenshot %s: %v", path, err)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s (%d KB)", path, info.Size()>>10)
		}
	}

	b.open("/")
	shoot("home-1280-light.png", 1280, "light")

	// The thread as a participant sees it: the reply tree with its Reply and Flag controls.
	b.login(f.participant)
	b.open(f.threadPath)
	for _, width := range []int64{375, 1280} {
		for _, scheme := range []string{"light", "dark"} {
			shoot(fmt.Sprintf("thread-%d-%s.png", width, scheme), width, scheme)
		}
	}
	// Their notifications: the replies to them, grouped by thread.
	b.open("/notifications")
	if b.count("li.notification") == 0 {
		t.Fatal("the participant has no notifications; their screenshot would show nothing")
	}
	shoot("notifications-375-dark.png", 375, "dark")
	b.do("back to 1280 light", chromedp.EmulateViewport(1280, 900), b.colorScheme("light"))
	b.logout()

	b.login(f.moderator)
	b.open("/mod/flags")
	if b.count("li.queue-item") == 0 {
		t.Fatal("the review queue is empty; its screenshot would show nothing")
	}
	shoot("queue-1280-light.png", 1280, "light")
}
