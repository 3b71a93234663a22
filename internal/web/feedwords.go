package web

import (
	"github.com/gin-gonic/gin"

	"forum/internal/feed"
	"forum/internal/forum"
	"forum/internal/i18n"
)

// The language of a feed's fixed texts (titles, descriptions, the moderation log's
// sentences) is a function of its URL alone: ?lang=ko or ?lang=en when the address asks,
// else the site's default (FORUM_DEFAULT_LANG). Not Accept-Language or the cookie: a
// feed is subscribed by address and fetched by aggregators that serve one copy to many
// readers and send whatever headers they like, so the same URL must always say the same
// thing. The ETag follows, since the validator hashes the title.
func (s *Server) feedLoc(c *gin.Context) *i18n.Localizer {
	if lang := c.Query("lang"); i18n.Supported(lang) {
		return s.bundle.For(lang)
	}
	return s.bundle.For(s.defaultLang())
}

// modLogWording is the moderation log feed's wording in the feed's language.
func (s *Server) modLogWording(c *gin.Context) feed.LogWording {
	l := s.feedLoc(c)
	return feed.LogWording{
		Sentence: func(w forum.LogSentence) string { return sayLog(l, w).String() },
		Line: func(mod, sentence string) string {
			return l.T("feeds.modlog.line", map[string]any{"Moderator": mod, "Sentence": sentence})
		},
		Reason: l.T("feeds.modlog.reason"), Note: l.T("feeds.modlog.note"), Log: l.T("feeds.modlog.link"),
	}
}
