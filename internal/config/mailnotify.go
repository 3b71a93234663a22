package config

import (
	"flag"
	"time"

	"forum/internal/forum"
)

// FORUM_MAIL_BATCH_INTERVAL is the least time between two notification mails to one
// person in the "immediate" mode: what arrives in between goes in the next one. Tests set
// it to seconds; a day is its ceiling, the daily digest's own period.
type notifyFlags struct{ batch string }

func bindNotifyFlags(fs *flag.FlagSet, getenv func(string) string) *notifyFlags {
	f := &notifyFlags{batch: getenv("FORUM_MAIL_BATCH_INTERVAL")}
	fs.StringVar(&f.batch, "mail-batch-interval", f.batch, "least time between two notification mails to one person (FORUM_MAIL_BATCH_INTERVAL)")
	return f
}

func (f *notifyFlags) apply(c *Config) error {
	d, err := durationSetting("FORUM_MAIL_BATCH_INTERVAL", f.batch, forum.DefaultMailBatch, time.Second, forum.DigestPeriod)
	if err != nil {
		return err
	}
	c.MailBatch = d
	return nil
}
