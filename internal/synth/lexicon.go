package synth

import (
	"math/rand/v2"
	"strings"
	"sync"
)

// The lexicon gives synthetic text the word frequencies of real text: a few thousand
// words drawn by Zipf's law, so a search meets the shape it meets in a real forum (a
// few words in many posts, most words in few) rather than two dozen fixed phrases
// that each sit in a third of all posts.

// commonWords head the lexicon, roughly most frequent first: the everyday words of a
// forum about travel and running. The rest of the lexicon is made up (names, places,
// jargon), rarer the later it comes.
var commonWords = strings.Fields(`
	the of and to a in is that it for was on with as but not be this are have at by
	from or one had we you there they all which their an were would been more if when
	what about so can who out up than some time like only other into could its also
	then two them these people after first well way even because any new most many
	through back years where much should very still just those own good how last while
	day might never being same another know year around great since against go came
	right used take three small few world again although under think best next little
	must week early point whole something part place long thing state country trip
	group city road race route start finish runner runners running ran run pace kilometre
	kilometres mile miles time times minute minutes hour hours water street streets
	crowd crowds guide guides hotel bus train flight airport border ticket
	tickets price prices money euro euros dollar yuan camera photo photos picture
	pictures stadium square river bridge tower monument museum park shop shops food
	meal dinner breakfast beer tea coffee rice noodles kimchi cold spring autumn summer
	winter morning evening night weather rain sun wind tour tours tourist tourists
	travel traveller travellers agency agencies operator operators permit permits
	passport passports rule rules law laws official officials government leader
	leaders army soldier soldiers worker workers farmer farmers student students child
	children family families friend friends neighbour village villages town towns
	province capital north south east west foreign foreigner foreigners local locals
	language translation interpreter question questions answer answers story stories
	report reports article articles book books film films song songs music dance
	school schools university hospital doctor medicine health shoe shoes watch medal
	medals record records result results winner winners second third half full marathon
	amateur amateurs professional professionals elite training plan plans season
	history memory memories future past present change changes reason reasons problem
	problems chance chances risk risks idea ideas opinion opinions view views sign
	signs message messages letter letters phone internet news paper radio television
	electricity light lights building buildings apartment apartments factory factories
	field fields mountain mountains sea coast beach island lake forest tree trees
	flower flowers road roads car cars bicycle bicycles subway tram station stations
	ceremony celebration anniversary parade festival holiday holidays statue statues
	mural murals slogan slogans flag flags anthem speech speeches applause cheering
	silence noise smell colour colours red blue white green grey quiet busy empty
	crowded clean careful polite strict friendly curious tired happy proud nervous
	surprised honest strange normal ordinary special rare common cheap expensive
	difficult easy slow fast quick late early warm cold hot dry wet
`)

// lexiconSize is how many words the lexicon holds, commonWords first.
const lexiconSize = 3000

var (
	lexiconOnce  sync.Once
	lexiconWords []string
)

// lexicon is commonWords followed by made-up words from a fixed syllable table, the same
// on every run so the same seed makes the same forum.
func lexicon() []string {
	lexiconOnce.Do(func() {
		seen := map[string]bool{}
		for _, w := range commonWords {
			if !seen[w] {
				seen[w] = true
				lexiconWords = append(lexiconWords, w)
			}
		}
		parts := []string{"ka", "mo", "ri", "sun", "do", "pyo", "ang", "che", "gwa", "bel", "tor", "ven", "lan", "ush", "ek", "rim", "sol", "dan", "hyo", "mir"}
		r := rand.New(rand.NewPCG(17, 18))
		for len(lexiconWords) < lexiconSize {
			var b strings.Builder
			for range 2 + r.IntN(2) {
				b.WriteString(parts[r.IntN(len(parts))])
			}
			if w := b.String(); !seen[w] {
				seen[w] = true
				lexiconWords = append(lexiconWords, w)
			}
		}
	})
	return lexiconWords
}

// lexiconSentence is 6–16 words drawn by Zipf's law from the lexicon.
func lexiconSentence(r *rand.Rand) string {
	words := lexicon()
	z := rand.NewZipf(r, 1.07, 2, uint64(len(words)-1))
	n := 6 + r.IntN(11)
	out := make([]string, n)
	for i := range out {
		out[i] = words[z.Uint64()]
	}
	s := strings.Join(out, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// Korean sentences: a share of posts carries a paragraph in Korean, particles attached
// as Korean is written, so Korean search has matches at any size.
var (
	koSubjects = []string{
		"평양 마라톤은", "외국인 주자들이", "관광 재개가", "비자 절차는", "여행사들이", "국경 개방이",
		"경기장 분위기는", "제재 논쟁이", "아마추어 주자들은", "평양마라톤 참가자들이", "현지 안내원들이",
		"하프 코스는", "관광객들은", "스포츠 외교가", "언론 보도는", "시민들의 응원이",
	}
	koObjects = []string{
		"관계 개선에", "주민들의 생활을", "외교 관계를", "관광 산업에", "국경 재개를", "외화 수입에",
		"대외 이미지를", "교류 확대에", "방문객 경험을", "통제된 개방을", "6년간의 봉쇄를", "여행 일정을",
	}
	koVerbs = []string{
		"보여 줍니다", "바꾸고 있습니다", "영향을 줍니다", "설명해 줍니다", "가리고 있습니다",
		"좌우합니다", "제한합니다", "시험하고 있습니다", "드러냅니다", "뒷받침합니다",
	}
	koOpeners = []string{"제 생각에는", "솔직히 말하면", "제가 읽은 바로는", "직접 뛰어 본 사람으로서", "조심스럽게 말하자면"}
)

func koreanSentence(r *rand.Rand) string {
	s := pick(r, koSubjects) + " " + pick(r, koObjects) + " " + pick(r, koVerbs) + "."
	if r.IntN(3) == 0 {
		s = pick(r, koOpeners) + " " + s
	}
	return s
}
