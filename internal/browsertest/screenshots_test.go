package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// readmeShots are the README's images: the home page, a thread, a permalink, search and
// the review queue, wide and light or phone-sized and dark.
var readmeShots = map[string]bool{
	"home-1280-light.png": true, "home-390-dark.png": true,
	"thread-1280-light.png": true, "thread-390-dark.png": true,
	"permalink-1280-light.png": true, "search-390-light.png": true,
	"queue-1280-light.png": true, "queue-390-dark.png": true,
}

// maxShotHeight keeps a long page's screenshot to its top part (CSS pixels), so the
// images stay small enough to commit.
const maxShotHeight = 2200

// TestScreenshots photographs the home page, a thread with a nested reply tree at 390
// and 1280 px in light and dark, a permalink, search, the notifications and the
// moderation queue, into $FORUM_SCREENSHOT_DIR (or the test's artifact directory). With
// -readme-screenshots it also writes the README's images into docs/screenshots.
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
	shoot("home-390-dark.png", 390, "dark")
	b.do("back to 1280 light", chromedp.EmulateViewport(1280, 900), b.colorScheme("light"))

	// The thread as a participant sees it: the reply tree with its Reply and Flag controls.
	b.login(f.participant)
	b.open(f.threadPath)
	for _, width := range []int64{390, 1280} {
		for _, scheme := range []string{"light", "dark"} {
			shoot(fmt.Sprintf("thread-%d-%s.png", width, scheme), width, scheme)
		}
	}
	// Their notifications: the replies to them, grouped by thread.
	b.open("/notifications")
	if b.count("li.notification") == 0 {
		t.Fatal("the participant has no notifications; their screenshot would show nothing")
	}
	shoot("notifications-390-dark.png", 390, "dark")
	b.do("back to 1280 light", chromedp.EmulateViewport(1280, 900), b.colorScheme("light"))
	// A permalink: the post first, its ancestors one line each above it.
	b.open(f.postPath)
	if b.count(".ancestors li") < 3 {
		t.Fatal("the permalink shows fewer than three ancestors; its screenshot would not show them")
	}
	shoot("permalink-1280-light.png", 1280, "light")
	b.open("/search?q=margins")
	if b.count("mark") == 0 {
		t.Fatal("the search for \"margins\" marks nothing; its screenshot would show no match")
	}
	shoot("search-390-light.png", 390, "light")
	b.do("back to 1280 light", chromedp.EmulateViewport(1280, 900), b.colorScheme("light"))
	b.logout()

	b.login(f.moderator)
	b.open("/mod/flags")
	if b.count("li.queue-item") == 0 {
		t.Fatal("the review queue is empty; its screenshot would show nothing")
	}
	shoot("queue-1280-light.png", 1280, "light")
	shoot("queue-390-dark.png", 390, "dark")
}
