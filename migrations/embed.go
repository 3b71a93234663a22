// Package migrations embeds the numbered SQL files so the binary carries its own schema.
package migrations

import "embed"

// FS holds every migration; goose applies them in numeric order.
//
//go:embed *.sql
var FS embed.FS
