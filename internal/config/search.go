package config

// SearchSettings bound a search page: hits per page and how many matches are counted
// before the page says "more than N results" (FORUM_SEARCH_PER_PAGE, FORUM_SEARCH_COUNT_MAX).
type SearchSettings struct {
	PerPage  int
	CountMax int
	// RankMax is how many of the newest matches are ranked (FORUM_SEARCH_RANK_MAX).
	RankMax int
}

// DefaultSearch is the settings with no environment.
func DefaultSearch() SearchSettings {
	return SearchSettings{PerPage: 20, CountMax: 1000, RankMax: 1000}
}

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
	// Ranking stops here: a common word ranks only its newest matches.
	rank, err := intSetting("FORUM_SEARCH_RANK_MAX", getenv("FORUM_SEARCH_RANK_MAX"), d.RankMax, 20, 100000)
	if err != nil {
		return SearchSettings{}, err
	}
	return SearchSettings{PerPage: per, CountMax: count, RankMax: rank}, nil
}
