// Package browsertest drives the real forum in Debian's headless Chromium through
// chromedp: whole user journeys, a journey with JavaScript turned off, axe-core
// accessibility checks and screenshots. Everything lives in the package's tests; this
// file only documents it.
//
// The tests need DATABASE_URL (as every integration test does) and the chromium
// binary on PATH (scripts/ensure-chromium.sh installs it). They never skip: without
// either they fail and say what to do.
//
//	DATABASE_URL=... go test ./internal/browsertest/ -v -count=1
//
// Every journey fails on a JavaScript console error, an uncaught exception, a browser
// log entry of level error, or a Content-Security-Policy violation, and saves a
// screenshot of its last page. Screenshots go to $FORUM_SCREENSHOT_DIR when it is set
// (a relative path is taken from the repository root, and the directory is created),
// otherwise to the test's artifact directory, which `go test -artifacts` keeps.
//
// The README's screenshots are regenerated with
//
//	go test ./internal/browsertest/ -run Screenshots -count=1 -readme-screenshots
//
// which writes docs/screenshots/thread-1280-light.png and thread-375-dark.png, and
// FORUM_SCREENSHOT_DIR=docs/screenshots writes the whole set there instead.
//
// TestJourneyInKorean (korean_test.go) walks the journeys once with a Korean browser
// (Accept-Language), expecting the catalogs' Korean words and no English left on any page
// it visits, and checks a mixed Korean/English thread's lang attributes and the footer's
// language switch with JavaScript off.
//
// TestPayloadSweep (payloads_test.go) stores the hostile corpora of ../shared/corpora
// (beside the checkout) and internal/markup/testdata wherever the forum shows user text, opens every page that
// shows them, and fails on any sign that one ran or tried to; it ends by proving its
// watch catches unsanitised payloads.
//
// testdata/axe holds axe-core's built axe.min.js (MPL-2.0; see testdata/axe/README.md
// for its version and licence files).
package browsertest
