// Package seed holds the initial categories and opening threads for the forum.
package seed

// Category is one seeded category.
type Category struct {
	Slug        string // a-z0-9- only
	Name        string
	Description string // one sentence
	Position    int
	Meta        bool // about the forum itself: no stances, no tally
}

// Thread is one seeded opening thread; Body is Markdown.
type Thread struct {
	Category string // a Category.Slug
	Title    string // 5–200 characters
	Body     string // Markdown, 600–2000 characters, paragraphs, maybe a list or a quote; end with a question inviting replies
	PinSite  bool   // pinned site-wide: the forum's own question, at the top of the front page
}

// Categories are the forum's seeded categories, in display order.
var Categories = []Category{
	{
		Slug:        "the-race",
		Name:        "The Race",
		Description: "The Pyongyang International Marathon itself: the route, the runners and what happened on the day.",
		Position:    1,
	},
	{
		Slug:        "reopening",
		Name:        "Reopening",
		Description: "Tourism, borders and access as North Korea cautiously lets foreign visitors back in.",
		Position:    2,
	},
	{
		Slug:        "relations",
		Name:        "Relations",
		Description: "Diplomacy and the central question of whether controlled openings help or hinder North Korea's ties with the world.",
		Position:    3,
	},
	{
		Slug:        "meta",
		Name:        "Meta",
		Description: "About this forum: how it works, its rules, and your feedback.",
		Position:    4,
		Meta:        true,
	},
}

// Threads are the seeded opening threads.
var Threads = []Thread{
	{
		Category: "the-race",
		Title:    "The Pyongyang Marathon is back: April 2025, after six years away",
		Body: `In April 2025 the Pyongyang International Marathon was held again, ending a pause of six years. For the first time in a long while, the race was open to runners from abroad.

A few points worth setting down as a starting place:

- About 200 foreign amateur runners took part.
- The course took them past Kim Il Sung Stadium and the Arch of Triumph, two of the city's landmarks.
- Foreign participants travelled on trips arranged by the agency Koryo Tours.

That is roughly the extent of what we can say with confidence. Much of the rest, such as how the day felt from the pavement, how closely visitors were guided, and how locals along the route reacted, depends on individual accounts, and those will vary.

This thread is for pulling together what is known about the event itself. If you ran, followed the coverage closely, or have read first-hand reports, please share them, and say where your information comes from so others can weigh it. If you are guessing, say so; guesses are welcome as long as they are labelled.

What stood out to you about the race's return, and what would you still like to know about how the day actually went?`,
	},
	{
		Category: "relations",
		Title:    "The central question: do controlled openings like this help or hinder North Korea's relations with the world?",
		PinSite:  true,
		Body: `This is the question the whole forum is built around: **do controlled openings like this help or hinder North Korea's relations with the rest of the world?**

The marathon's return gives us a concrete case. Here are the two broad positions people tend to take, stated as fairly as we can manage.

**The case that it helps.** Any contact is better than none. Ordinary visitors and ordinary residents see each other, even briefly, and that can chip away at caricatures on both sides. Small, low-stakes events may build a habit of openness that makes larger steps easier later, and they give outsiders at least some direct view of the country.

**The case that it hinders.** A tightly managed event shows visitors only what its organisers choose. Critics ask whether such openings mainly serve as a polished image while little else changes, and whether taking part lends legitimacy without securing anything in return. On this view, the appearance of engagement can stand in for the real thing.

Plenty of people land somewhere in between: perhaps the effects depend on what follows, or differ for governments, visitors and the people who live there.

When you reply, please mark your stance as **helps**, **hinders** or **mixed**, so the thread's tally reflects where participants stand. You can change your mind later; only your latest stance counts. Explain your reasoning, and flag anything speculative as speculation.

So where do you come down, and what would it take to change your view?`,
	},
	{
		Category: "the-race",
		Title:    "No official results were published: what should we read into that?",
		Body: `One detail of the April 2025 marathon has drawn attention: no official results were published. There was no public list of finishing times or placings for the field.

It is worth being careful here, because an absence is easy to over-interpret. A few ways people might look at it:

- **As an administrative choice.** Perhaps publishing results simply was not a priority, or the event was framed more as an experience than a competition.
- **As a matter of control.** Some may see it as part of a broader preference for managing what information leaves the country.
- **As beside the point.** For many amateur runners the goal is finishing, not ranking, and a certificate or a memory may matter more than a line in a table.

We do not know the reason, and this thread should not pretend otherwise. Please label any explanation you offer as a guess unless you can point to a source.

The other half of the question is what runners lose, if anything. Amateurs often use official times to qualify for other races, track their progress, or simply compare notes with friends. Does the lack of results make the race less of a race, or is it just a different kind of event?

If you were one of the runners, would missing results bother you, and what do you think the decision does or does not tell us?`,
	},
	{
		Category: "the-race",
		Title:    "Running before your own people: what the race means to North Korean runners and to visitors",
		Body: `Coverage of the marathon included remarks from a North Korean runner, Pak Kum Dong. In paraphrase, he described running in front of his own people as something that gave him strength.

That idea is worth dwelling on, because it suggests the same race can mean quite different things depending on who is running it.

For a home runner, the event may be tied to representing the country, to the support of a home crowd, and to a sense of duty or pride. For a foreign amateur, it may be a rare chance to see a place few outsiders visit, a personal challenge, or simple curiosity. Neither view is more "real" than the other; they are different vantage points on one morning.

A few questions to think through:

1. How much can visitors actually learn about what the race means to local runners, given the limits on contact?
2. Does the presence of foreign runners change the meaning of the event for those at home, or is it mostly incidental?
3. How should we treat a single runner's words: as personal feeling, as something shaped by the setting, or both?

One request for this thread: please talk about ideas and public statements, not about identifying or speculating on ordinary people you may have seen in photos or footage. The forum's rules ask us not to put anyone inside the country at risk.

What do you think the race means to those running at home, and how far can an outsider really know?`,
	},
	{
		Category: "reopening",
		Title:    "From Russian-only tourism to a marathon field: is this a test of a wider reopening?",
		Body: `Before the marathon, the door for foreign tourists had been open only a crack. Since 2024, only Russian tourists had been allowed in. The April 2025 race widened that, at least for a moment, by bringing in other foreigners as well.

The foreign runners' trips were arranged by the travel agency Koryo Tours. That points to how access worked here: not open travel, but a managed arrangement through an agency.

So the natural question is whether the marathon was a one-off or a trial run for something broader. Some possibilities people might raise:

- It was a **test**, a way to see how a limited group of foreign visitors could be handled before considering more.
- It was a **special case**, tied to a single well-known event and not a sign of general policy.
- It is **too early to tell**, and only what happens next will show which it was.

None of us can know the intentions behind the decision, so please mark speculation clearly. Sources on tourism policy, past patterns or operator statements are very welcome.

It is also worth asking what a wider reopening would actually look like in practice. More visitors on managed tours is not the same as freer movement, and people may reasonably disagree on whether the difference matters.

Do you read the marathon as the first step of a broader reopening, and what signs would convince you either way?`,
	},
}
