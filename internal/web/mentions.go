package web

import (
	"context"

	"forum/internal/markup"
)

// renderBody renders a post's Markdown for storage with its @mentions of real people
// linked, and returns those people's names in order of appearance (the store notifies
// the first forum.MaxMentions of them).
func (s *Server) renderBody(ctx context.Context, body string) (html string, mentions []string, err error) {
	// As many names as a post may link (more stay text); forum.MaxMentions of them notify.
	candidates := s.markup.MentionCandidates(body, markup.MaxMentionLinks)
	known, err := s.store.KnownUsernames(ctx, candidates)
	if err != nil {
		return "", nil, err
	}
	for _, name := range candidates {
		if known[name] {
			mentions = append(mentions, name)
		}
	}
	html, err = s.markup.RenderMentions(body, func(name string) bool { return known[name] })
	if err != nil {
		return "", nil, err
	}
	return html, mentions, nil
}
