package browsertest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"forum/internal/forum"
)

// TestDeleteDialogAndUndo: with JavaScript, the author's Delete opens a native dialog
// asking first; Cancel closes it, keeps the post and returns focus to the control;
// confirming deletes, and the placeholder's Undo brings the post back.
func TestDeleteDialogAndUndo(t *testing.T) {
	s := newSite(t)
	s.category("general")
	author := s.user("second_thoughts", forum.RoleMember)
	th, _ := s.thread(author, "general", "Words at the start line", "Opening words")
	r := s.reply(author, th, nil, "", "A reply I may regret")
	b := newBrowser(t, s)
	b.login("second_thoughts")
	b.open("/t/" + strconv.FormatInt(th.ID, 10))

	post := "#p" + strconv.FormatInt(r.ID, 10)
	link := post + " a.delete-link"
	dialog := "dialog.confirm-dialog[open]"
	b.do("open the dialog", chromedp.Click(chromedp.CSS(link)), chromedp.WaitVisible(chromedp.CSS(dialog)))
	if got := b.text(dialog + " .confirm-question"); got != "Delete this post? You can undo it for 10 minutes." {
		t.Errorf("the dialog asks %q", got)
	}
	b.do("cancel", chromedp.Click(chromedp.CSS(dialog+" button[type=button]")))
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](fmt.Sprintf(
		`!document.querySelector("dialog") && document.activeElement === document.querySelector(%q)`, link))); err != nil {
		t.Fatalf("after Cancel the dialog stays or focus did not return to Delete: %v", err)
	}
	if n := b.count(post + " .post-body"); n != 1 {
		t.Fatal("Cancel deleted the post")
	}

	b.do("open the dialog again", chromedp.Click(chromedp.CSS(link)), chromedp.WaitVisible(chromedp.CSS(dialog)))
	b.submit("confirm", dialog+" button.danger")
	if n := b.count(post + " .post-body"); n != 0 {
		t.Fatal("the post is still shown after deleting it")
	}
	if got := b.text(post + " .undo-notice"); !strings.Contains(got, "Post deleted.") {
		t.Fatalf("the placeholder says %q, without the Undo notice", got)
	}
	b.submit("undo", post+" .undo-form button")
	if got := b.text(post + " .post-body"); !strings.Contains(got, "A reply I may regret") {
		t.Fatalf("after Undo the post reads %q", got)
	}
}
