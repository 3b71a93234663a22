package browsertest

import (
	"context"
	"time"

	"github.com/chromedp/chromedp"
)

// widthCheck measures the page the tab shows: how wide its document is beside the
// window, and what sticks out furthest when it does not fit.
const widthCheck = `(() => {
  // The root element's own width too: a phone (mobile emulation) widens its layout
  // viewport, and so innerWidth, to fit a page too wide for it; the root box keeps the
  // device's width.
  const iw = Math.min(window.innerWidth, Math.round(document.documentElement.getBoundingClientRect().width)),
    sw = document.documentElement.scrollWidth;
  if (sw <= iw) return {fits: true};
  // The element reaching furthest right that no scrolling or clipping box contains.
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  let worst = null, right = iw;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect().right + window.scrollX;
    if (r > right && !clipped(el)) { right = r; worst = el; }
  }
  let what = '';
  if (worst) {
    what = worst.tagName.toLowerCase() + (worst.id ? '#' + worst.id : '') +
      (worst.className && typeof worst.className === 'string' ? '.' + worst.className.trim().split(/\s+/).join('.') : '');
  }
  return {fits: false, scrollWidth: sw, innerWidth: iw, widest: what};
})()`

type widthResult struct {
	Fits        bool
	ScrollWidth int
	InnerWidth  int
	Widest      string
}

// checkWidth records a problem (failing the test, naming the page) when the page is
// wider than the window: a reader on a phone would have to scroll sideways. Every
// navigation helper calls it, so every page a browser test visits is held to it.
func (b *browser) checkWidth() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.Evaluate[widthResult](widthCheck))
	if err != nil {
		b.t.Logf("width check at %s: %v", b.location(), err)
		return
	}
	if !r.Fits {
		b.problem("page wider than the window at %s: scrollWidth %d > innerWidth %d (widest: %s)",
			b.location(), r.ScrollWidth, r.InnerWidth, r.Widest)
	}
}
