package seed

import (
	"context"
	"errors"
	"fmt"

	"forum/internal/forum"
	"forum/internal/markup"
	"forum/internal/store"
)

// TeamUser is the account the seeded threads are posted by. Its password hash is not a
// valid hash, so nobody can log in as it.
const TeamUser = "forum-team"

// Run creates the categories and opening threads, or updates the categories and skips
// the threads that exist: running it twice changes nothing.
func Run(ctx context.Context, st *store.Store, md *markup.Renderer) (created int, err error) {
	team, err := st.UserByName(ctx, TeamUser)
	if errors.Is(err, forum.ErrNotFound) {
		team, err = st.CreateUser(ctx, TeamUser, "!locked", forum.RoleAdmin)
		if forum.ErrorCode(err) == forum.EConflict { // another instance seeded meanwhile
			team, err = st.UserByName(ctx, TeamUser)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("seed user: %w", err)
	}
	ids := map[string]int{}
	for _, c := range Categories {
		cat, err := st.UpsertCategory(ctx, forum.Category{Slug: c.Slug, Name: c.Name, Description: c.Description, Position: c.Position, Meta: c.Meta})
		if err != nil {
			return 0, err
		}
		ids[c.Slug] = cat.ID
	}
	for _, t := range Threads {
		id, err := st.ThreadIDByTitle(ctx, team.ID, t.Title)
		if err == nil {
			if err := pin(ctx, st, team.ID, id, t); err != nil {
				return created, err
			}
			continue
		}
		if !errors.Is(err, forum.ErrNotFound) {
			return created, err
		}
		html, err := md.Render(t.Body)
		if err != nil {
			return created, err
		}
		th, err := st.CreateThread(ctx, store.NewThread{
			CategoryID: ids[t.Category], AuthorID: team.ID, Title: t.Title,
			BodySource: t.Body, BodyHTML: html, IdempotencyKey: "seed:" + t.Title, Lang: "en",
		})
		if err != nil {
			return created, fmt.Errorf("seed thread %q: %w", t.Title, err)
		}
		if err := pin(ctx, st, team.ID, th.ID, t); err != nil {
			return created, err
		}
		created++
	}
	n, err := translate(ctx, st, md, team.ID, ids)
	return created + n, err
}
