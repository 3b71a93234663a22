// Relative times: every <time datetime data-relative> is worded from this browser's clock,
// the way the server words it (agoAt in internal/web/render.go), so a page kept in a cache
// says how long ago things happened now, not when the page was made. Without JavaScript
// the server's text stays.
(function () {
  "use strict";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // The page's language (<html lang>, internal/web/lang.go) picks the words; they are the
  // catalogs' time.* messages (internal/i18n/locales/*/pages.toml).
  var ko = document.documentElement.lang === "ko";

  function words(then, now) {
    var min = Math.floor((now - then) / 60000); // a clock behind the server's reads "just now"
    if (min < 1) return ko ? "방금" : "just now";
    if (min < 60) return ko ? min + "분 전" : min + " min ago";
    if (min < 24 * 60) {
      var h = Math.floor(min / 60), m = min % 60;
      if (ko) return h + "시간 " + (m ? m + "분 " : "") + "전";
      return h + " h " + (m ? m + " min " : "") + "ago";
    }
    var days = Math.floor(min / (24 * 60));
    if (days < 30) return ko ? days + "일 전" : days === 1 ? "1 day ago" : days + " days ago";
    var t = new Date(then);
    if (ko) return t.getUTCFullYear() + "년 " + (t.getUTCMonth() + 1) + "월 " + t.getUTCDate() + "일";
    return t.getUTCDate() + " " + MONTHS[t.getUTCMonth()] + " " + t.getUTCFullYear();
  }

  function update() {
    var now = Date.now();
    var times = document.querySelectorAll("time[datetime][data-relative]");
    for (var i = 0; i < times.length; i++) {
      var then = Date.parse(times[i].getAttribute("datetime"));
      if (isNaN(then)) continue;
      var text = words(then, now);
      if (times[i].textContent !== text) times[i].textContent = text;
    }
  }

  update();
  // Minutes pass while a page is open, and replies arrive live with their own times.
  setInterval(update, 30000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) update(); });
})();
