package store

import "context"

// RecordReplyNews runs a reply transaction's own writes of its news (recordEvent and
// fanOutNewPost) for postID in a transaction of their own, and returns the payloads they
// leave to announce after the commit. For the external tests only.
func (s *Store) RecordReplyNews(ctx context.Context, threadID, postID, authorID, repliedTo int64) (event, users string, err error) {
	err = s.inThreadTx(ctx, threadID, func(tx *sqlxTx) error {
		var err error
		if users, err = fanOutNewPost(ctx, tx, newPost{ThreadID: threadID, PostID: postID, AuthorID: authorID,
			RepliedTo: repliedTo}); err != nil {
			return err
		}
		event, err = recordEvent(ctx, tx, threadID, postID, "reply", 0)
		return err
	})
	return event, users, err
}
