package config

// SearchSettings bound a search page: hits per page and how many matches are counted
// before the page says "more than N results" (FORUM_SEARCH_PER_PAGE, FORUM_SEARCH_COUNT_MAX).
type SearchSettings struct {
	PerPage  int
	CountMax int
}

// DefaultSearch is the settings with no environment.
func DefaultSearch() SearchSettings { return SearchSettings{PerPage: 20, CountMax: 1000} }

func loadSearch(getenv func(string) string) (SearchSettings, error) {
	d := DefaultSearch()
	per, err := intSetting("FORUM_SEARCH_PER_PAGE", getenv("FORUM_SEARCH_PER_PAGE"), d.PerPage, 1, 100)
	if err != nil {
		return SearchSettings{}, err
	}
	// Counting stops here: a LIMITed count stays cheap whatever a common word matches.
	count, err := intSetting("FORUM_SEARCH_COUNT_MAX", getenv("FORUM_SEARCH_COUNT_MAX"), d.CountMax, 1, 100000)
	if err != nil {
		return SearchSettings{}, err
	}
	return SearchSettings{PerPage: per, CountMax: count}, nil
}
