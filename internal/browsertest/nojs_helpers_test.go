package browsertest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/chromedp/chromedp"
)

// replyToWithoutScript answers a post as a reader without JavaScript does: its Reply
// opens to a link to the post's own page, whose reply box answers it. It returns the new
// post's id.
func (b *browser) replyToWithoutScript(parent int64, body string) int64 {
	b.t.Helper()
	post := fmt.Sprintf("#p%d", parent)
	b.do(fmt.Sprintf("open Reply under post %d", parent),
		chromedp.Click(chromedp.CSS(post+" details.reply-action > summary")),
		chromedp.WaitVisible(chromedp.CSS(post+" details.reply-action a.reply-page")))
	b.submit(fmt.Sprintf("follow the reply link of post %d", parent), post+" details.reply-action a.reply-page")
	if got := b.attr(`#reply input[name=parent_id]`, "value"); got != strconv.FormatInt(parent, 10) {
		b.t.Fatalf("the reply page's form answers %q, want post %d", got, parent)
	}
	b.do("write the reply", chromedp.SendKeys(chromedp.ID("reply-body"), body))
	b.submit(fmt.Sprintf("reply to post %d", parent), `#reply form button[type=submit]`)
	id := b.landedOnPost()
	if got := b.attr(fmt.Sprintf("#p%d", id), "data-parent-id"); got != strconv.FormatInt(parent, 10) {
		b.t.Fatalf("reply %d has data-parent-id %q, want %d", id, got, parent)
	}
	return id
}

// flagWithoutScript flags a post as a reader without JavaScript does: its Flag opens to
// a link to the post's flag page.
func (b *browser) flagWithoutScript(post int64, reason, note string) {
	b.t.Helper()
	p := fmt.Sprintf("#p%d", post)
	b.do(fmt.Sprintf("open Flag under post %d", post),
		chromedp.Click(chromedp.CSS(p+" details.flag-action > summary")),
		chromedp.WaitVisible(chromedp.CSS(p+" details.flag-action a.flag-page")))
	b.submit(fmt.Sprintf("follow the flag link of post %d", post), p+" details.flag-action a.flag-page")
	b.do(fmt.Sprintf("fill the flag form of post %d", post),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`form.flag-form input[name=reason][value=%s]`, reason))),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#flag-note-%d", post)), note))
	b.submit(fmt.Sprintf("flag post %d", post), "form.flag-form button[type=submit]")
	if got := b.text("main"); !strings.Contains(got, fmt.Sprintf("your flag on post %d was received", post)) {
		b.t.Fatalf("no confirmation after flagging post %d; the page says:\n%s", post, got)
	}
}
