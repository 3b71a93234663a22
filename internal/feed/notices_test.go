package feed_test

import (
	"strings"
	"testing"
	"time"

	"forum/internal/feed"
)

func sampleNotices() []feed.Notice {
	return []feed.Notice{
		{ID: 9, PostID: 30, Line: "carol replied to your post", Thread: "A thread <&> ]]> 🏁", Author: "carol",
			BodyHTML: hostile, At: t0.Add(2 * time.Hour), Modified: t0.Add(2 * time.Hour)},
		{ID: 7, PostID: 20, Line: "A post you flagged was reviewed: hidden", Thread: "A thread <&> ]]> 🏁",
			Author: "Moderators", At: t0.Add(time.Hour), Modified: edited},
	}
}

var noticeMeta = feed.Meta{Title: "Notifications for alice", Description: "Newest first.", Page: "/notifications",
	Path: "/feeds/private/tok/notifications"}

func TestFeedNotices(t *testing.T) {
	for _, format := range []feed.Format{feed.RSS, feed.Atom} {
		t.Run(string(format), func(t *testing.T) {
			f := feed.Notices(base, noticeMeta, sampleNotices())
			raw, parsed := render(t, f, format)
			if len(parsed.Items) != 2 {
				t.Fatalf("%d items", len(parsed.Items))
			}
			first, second := parsed.Items[0], parsed.Items[1]
			if first.Link != base+"/p/30" || second.Link != base+"/p/20" {
				t.Fatalf("links %q %q", first.Link, second.Link)
			}
			if !strings.HasPrefix(first.GUID, "tag:forum.example.org,2025:notification/9") ||
				!strings.HasSuffix(second.GUID, ":notification/7") {
				t.Fatalf("ids %q %q", first.GUID, second.GUID)
			}
			if !strings.Contains(first.Title, "carol replied to your post in “A thread <&> ]]> 🏁”") {
				t.Fatalf("title %q", first.Title)
			}
			if !strings.Contains(first.Content+first.Description, "a &lt; b &amp;&amp; c") {
				t.Fatalf("the readable post's text is missing: %q / %q", first.Description, first.Content)
			}
			// The second post is not the recipient's to read: the item says what happened,
			// and its edit time does not count.
			if second.UpdatedParsed != nil && !second.UpdatedParsed.Equal(t0.Add(time.Hour)) {
				t.Fatalf("the unreadable post's edit moved its item: %v", second.UpdatedParsed)
			}
			if strings.Count(string(raw), "blockquote") != 2 || strings.Contains(second.Content, "blockquote") {
				t.Fatalf("an unreadable post's text is in the feed:\n%s", raw)
			}
			if got, want := f.Validator(format), feed.NoticesValidator(base, noticeMeta, format, sampleNotices()); got != want {
				t.Fatalf("the feed's validator %v differs from NoticesValidator's %v", got, want)
			}
		})
	}
}

func TestFeedNoticesValidator(t *testing.T) {
	v := func(n []feed.Notice) feed.Validator { return feed.NoticesValidator(base, noticeMeta, feed.RSS, n) }
	all := v(sampleNotices())
	if !all.LastModified.Equal(t0.Add(2 * time.Hour)) {
		t.Fatalf("Last-Modified %v", all.LastModified)
	}
	gone := v(sampleNotices()[1:])
	if gone.Tag == all.Tag {
		t.Fatal("a notice leaving the list kept the tag")
	}
	edit := sampleNotices()
	edit[0].BodyHTML = "<p>Changed words</p>"
	edit[0].Modified = t0.Add(5 * time.Hour)
	if e := v(edit); e.Tag == all.Tag || !e.LastModified.Equal(t0.Add(5*time.Hour)) {
		t.Fatalf("an edit kept the validator: %v", e)
	}
	if feed.NoticesValidator(base, noticeMeta, feed.Atom, sampleNotices()).Tag == all.Tag {
		t.Fatal("RSS and Atom share a tag")
	}
}
