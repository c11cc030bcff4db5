"""Lexical channel: each rule applies where the alternation keeps the meaning, and refuses
where it would not; sites are readable, disjoint, ordered, and never touch protected text."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.marks.declared import resolve
from leaktrace.marks.lexical import find
from leaktrace.marks.sites import Channel, SiteSet, is_readable
from leaktrace.text.protect import find_protected
from leaktrace.text.tokens import tokenize

# A site needs an unchanged anchor token on each side, so test sentences start after one.
LEAD = "Fine. "


def sites_of(text: str):
    tokens = tokenize(text)
    sites = list(find(tokens, find_protected(text)))
    for site in sites:
        assert is_readable(site, tokens), site
    return sites


def render(text: str, site, v: int) -> str:
    ((start, end),) = site.spans
    return text[:start] + site.variants[v][0] + text[end:]


def family(site) -> str:
    return site.kind.split(":")[0]


def alternatives(text: str, fam: str) -> list[str]:
    """Every text obtained by switching one site of family `fam` to another variant."""
    return [render(text, s, v) for s in sites_of(text) if family(s) == fam
            for v in range(1, s.q)]


APPLY = [
    # contractions, both directions, keeping capitals
    ("contraction", "Fine. We do not plan to move.", "Fine. We don't plan to move."),
    ("contraction", "Fine. Do not forward this memo.", "Fine. Don't forward this memo."),
    ("contraction", "Fine. We don't plan to move.", "Fine. We do not plan to move."),
    ("contraction", "Fine. Don't forward this memo.", "Fine. Do not forward this memo."),
    ("contraction", "Fine. The team does not agree.", "Fine. The team doesn't agree."),
    ("contraction", "Fine. The plan is not only late.", "Fine. The plan isn't only late."),
    ("contraction", "Fine. We will not go.", "Fine. We won't go."),
    ("contraction", "Fine. We won't go.", "Fine. We will not go."),
    ("contraction", "Fine. We cannot do that.", "Fine. We can't do that."),
    ("contraction", "Fine. We can't do that.", "Fine. We cannot do that."),
    ("contraction", "Fine. They have not replied.", "Fine. They haven't replied."),
    ("contraction", "Fine. It is important to plan.", "Fine. It's important to plan."),
    ("contraction", "Fine. It's important to plan.", "Fine. It is important to plan."),
    ("contraction", "Fine. It's been a long year.", "Fine. It has been a long year."),
    ("contraction", "Fine. We are ready for it.", "Fine. We're ready for it."),
    ("contraction", "Fine. If you are unsure, ask.", "Fine. If you're unsure, ask."),
    ("contraction", "Fine. I am sure of it.", "Fine. I'm sure of it."),
    ("contraction", "Fine. I'm sure of it.", "Fine. I am sure of it."),
    ("contraction", "Fine. We will review it.", "Fine. We'll review it."),
    ("contraction", "Fine. We'll review it.", "Fine. We will review it."),
    ("contraction", "Fine. We have completed the review.", "Fine. We've completed the review."),
    ("contraction", "Fine. We've got three options.", "Fine. We have got three options."),
    ("contraction", "Fine. We would like to help.", "Fine. We'd like to help."),
    ("contraction", "Fine. That is how we work.", "Fine. That's how we work."),
    ("contraction", "Fine. So there is a problem.", "Fine. So there's a problem."),
    ("contraction", "Fine. Let us focus on costs.", "Fine. Let's focus on costs."),
    ("contraction", "Fine. Let's meet on Monday.", "Fine. Let us meet on Monday."),
    ("contraction", "Fine. We wait until they are fixed.", "Fine. We wait until they're fixed."),
    # number words, 2 to 9, before a plural noun
    ("number-word", "Fine. We sent three crews there.", "Fine. We sent 3 crews there."),
    ("number-word", "Fine. We sent 3 crews there.", "Fine. We sent three crews there."),
    ("number-word", "Fine. The project takes 9 months.", "Fine. The project takes nine months."),
    ("number-word", "Fine. It lasts (2 weeks) at most.", "Fine. It lasts (two weeks) at most."),
    # serial comma
    ("serial-comma", "Fine. We need money, staff and time.",
     "Fine. We need money, staff, and time."),
    ("serial-comma", "Fine. We need money, staff, and time.",
     "Fine. We need money, staff and time."),
    ("serial-comma", "Fine. It is cheap, quick or safe.", "Fine. It is cheap, quick, or safe."),
    ("serial-comma", "Fine. The budget, the staff and the vans are ready.",
     "Fine. The budget, the staff, and the vans are ready."),
    ("serial-comma", "Fine. We share staff, vehicles, or equipment.",
     "Fine. We share staff, vehicles or equipment."),
    # optional "that"
    ("optional-that", "Fine. We believe that the plan is sound.",
     "Fine. We believe the plan is sound."),
    ("optional-that", "Fine. We believe the plan is sound.",
     "Fine. We believe that the plan is sound."),
    ("optional-that", "Fine. We think it will rain.", "Fine. We think that it will rain."),
    ("optional-that", "Fine. Finance has agreed the extra cost can be absorbed.",
     "Fine. Finance has agreed that the extra cost can be absorbed."),
    ("optional-that", "Fine. This means that a burst in one district can wait.",
     "Fine. This means a burst in one district can wait."),
    ("optional-that", "Fine. We also believe the plan will work.",
     "Fine. We also believe that the plan will work."),
    ("optional-that", "Fine. We know everyone is busy.", "Fine. We know that everyone is busy."),
    ("optional-that", "Fine. Finally, remember that the survey closes soon.",
     "Fine. Finally, remember the survey closes soon."),
    # spelling
    ("spelling", "Fine. We will work toward the goal.", "Fine. We will work towards the goal."),
    ("spelling", "Fine. It went towards the end.", "Fine. It went toward the end."),
    ("spelling", "Fine. Towards the end, we met.", "Fine. Toward the end, we met."),
    ("spelling", "Fine. Keep internal email short.", "Fine. Keep internal e-mail short."),
    ("spelling", "Fine. Keep internal e-mails short.", "Fine. Keep internal emails short."),
    ("spelling", "Fine. Among the questions was one.", "Fine. Amongst the questions was one."),
    ("spelling", "Fine. They waited while we met.", "Fine. They waited whilst we met."),
    ("spelling", "Fine. Use your judgment here.", "Fine. Use your judgement here."),
    ("spelling", "Fine. We must cooperate more.", "Fine. We must co-operate more."),
    ("spelling", "Fine. We must co-ordinate the work.", "Fine. We must coordinate the work."),
    ("spelling", "Fine. See the online form.", "Fine. See the on-line form."),
    ("spelling", "Fine. It is on the website now.", "Fine. It is on the web site now."),
    ("spelling", "Fine. We learned a lot.", "Fine. We learnt a lot."),
    ("percent", "Fine. Costs rose 40 percent last year.",
     "Fine. Costs rose 40 per cent last year."),
    ("percent", "Fine. Costs rose 40 per cent last year.",
     "Fine. Costs rose 40 percent last year."),
    # hyphenated compounds
    ("hyphen-compound", "Fine. We need a long-term plan.", "Fine. We need a long term plan."),
    ("hyphen-compound", "Fine. We need a long term plan.", "Fine. We need a long-term plan."),
    ("hyphen-compound", "Fine. Decision-making will move.", "Fine. Decision making will move."),
    ("hyphen-compound", "Fine. Our day-to-day work continues.",
     "Fine. Our day to day work continues."),
    ("hyphen-compound", "Fine. It is a cost-effective option.",
     "Fine. It is a cost effective option."),
    # synonyms and equivalent phrasings
    ("synonym", "Fine. It took about 3 weeks.", "Fine. It took approximately 3 weeks."),
    ("synonym", "Fine. It took about 3 weeks.", "Fine. It took roughly 3 weeks."),
    ("synonym", "Fine. It will cost approximately $40 each.", "Fine. It will cost about $40 each."),
    ("synonym", "Fine. The lead time is about fourteen weeks.",
     "Fine. The lead time is approximately fourteen weeks."),
    ("synonym", "Fine. Some staff, for example, work late.",
     "Fine. Some staff, for instance, work late."),
    ("in-order-to", "Fine. We need help in order to deliver it.",
     "Fine. We need help to deliver it."),
    ("in-order-to", "Fine. In order to succeed, we plan.", "Fine. To succeed, we plan."),
    ("synonym", "Fine. Prior to the meeting, read this.", "Fine. Before the meeting, read this."),
    ("synonym", "Fine. Despite the cost, we went ahead.",
     "Fine. In spite of the cost, we went ahead."),
    ("synonym", "Fine. In spite of the cost, we went ahead.",
     "Fine. Despite the cost, we went ahead."),
    ("synonym", "Fine. Our decision is based on the data.",
     "Fine. Our decision is based upon the data."),
    ("synonym", "Fine. If your area depends on contractors, say so.",
     "Fine. If your area depends upon contractors, say so."),
    ("synonym", "Fine. It is, nevertheless, true.", "Fine. It is, nonetheless, true."),
    ("synonym", "Fine. In addition, we will hire staff.",
     "Fine. Additionally, we will hire staff."),
    ("synonym", "Fine. At present, the team is small.", "Fine. Currently, the team is small."),
    ("synonym", "Fine. We help each other.", "Fine. We help one another."),
    ("synonym", "Fine. All of the current roles remain.", "Fine. All the current roles remain."),
    ("synonym", "Fine. We thank all the staff.", "Fine. We thank all of the staff."),
    ("synonym", "Fine. Design work will begin in September.",
     "Fine. Design work will start in September."),
    ("synonym", "Fine. We plan to start working soon.", "Fine. We plan to begin working soon."),
    ("synonym", "Fine. The team has started to see results.",
     "Fine. The team has begun to see results."),
    ("synonym", "Fine. The lease starts in October.", "Fine. The lease begins in October."),
    ("synonym", "Fine. We plan to buy new laptops.", "Fine. We plan to purchase new laptops."),
    ("synonym", "Fine. We can help with the move.", "Fine. We can assist with the move."),
    ("synonym", "Fine. Ask anyone who knows.", "Fine. Ask anybody who knows."),
    ("synonym", "Fine. Nobody will be moved.", "Fine. No one will be moved."),
    ("synonym", "Fine. Although costs rose, we held prices.",
     "Fine. Though costs rose, we held prices."),
    ("synonym", "Fine. It worked, though slowly.", "Fine. It worked, although slowly."),
    ("synonym", "Fine. Questions regarding the plan go to us.",
     "Fine. Questions concerning the plan go to us."),
    ("synonym", "Fine. They cost £40 per month.", "Fine. They cost £40 a month."),
    ("synonym", "Fine. We meet twice a week.", "Fine. We meet twice per week."),
    ("synonym", "Fine. Asking is far easier.", "Fine. Asking is much easier."),
    ("synonym", "Fine. The results help us decide.", "Fine. The results help us to decide."),
    ("synonym", "Fine. We can help them to plan.", "Fine. We can help them plan."),
    # optional commas
    ("intro-comma", "Fine. Last year we hired staff.", "Fine. Last year, we hired staff."),
    ("intro-comma", "Fine. In 2024, the board met.", "Fine. In 2024 the board met."),
    ("intro-comma", "Fine. Today we launch.", "Fine. Today, we launch."),
    ("clause-comma", "Fine. We met the team but they left.",
     "Fine. We met the team, but they left."),
    ("clause-comma", "Fine. We met the team, but they left.",
     "Fine. We met the team but they left."),
    ("synonym", "Fine. In the event that it rains, we stop.", "Fine. If it rains, we stop."),
    ("synonym", "Fine. Call us with regard to fees.", "Fine. Call us with respect to fees."),
]


@pytest.mark.parametrize("fam, text, expected", APPLY)
def test_rule_applies(fam, text, expected):
    assert expected in alternatives(text, fam)


REFUSE = [
    # contractions where the short form is wrong or ambiguous
    ("contraction", "Fine. They are."),                        # clause end
    ("contraction", "Fine. I know where it is and who has it."),
    ("contraction", "Fine. We know who they are today."),       # moved complement
    ("contraction", "Fine. The report I sent you is attached."),  # "you" is an object
    ("contraction", "Fine. Let us know if you need anything."),  # "allow us"
    ("contraction", "Fine. They let us use the room."),
    ("contraction", "Fine. Don't you think so?"),               # inverted question
    ("contraction", "Fine. Isn't it late?"),
    ("contraction", "Fine. It's decided: we go."),              # "it is" or "it has"?
    ("contraction", "Fine. We'd like that."),                   # "would" or "had"?
    ("contraction", "Fine. The company and it's staff agreed."),  # typo for "its"
    ("contraction", "Fine. We have a plan."),                   # "we've a plan" is not English here
    ("contraction", "Fine. We can not do that."),               # "can not" is not "cannot"
    ("contraction", "Fine. That is to say, we agree."),
    ("contraction", "Fine. It is its own reward."),
    ("contraction", "Fine. The will not to fail matters."),
    # number words
    ("number-word", "Fine. Page 3 results are due."),
    ("number-word", "Fine. Phase 3 teams start soon."),
    ("number-word", "Fine. We need 2-3 weeks."),
    ("number-word", "Fine. We need 3.5 hours."),
    ("number-word", "Fine. We need 3,000 units."),
    ("number-word", "Fine. We hired two or three contractors."),
    ("number-word", "Fine. The three-year plan starts now."),
    ("number-word", "Fine. It costs $3 billions."),
    ("number-word", "Fine. There are 4 pumping stations."),    # not a plural noun next
    ("number-word", "Fine. It was 3 pm."),
    ("number-word", "Three crews went out."),                  # sentence start
    ("number-word", "Fine. One of the two is late."),
    # serial comma: not a list, or an introductory phrase
    ("serial-comma", "Fine. In March, costs and revenue rose."),
    ("serial-comma", "Fine. However, staff and managers agreed."),
    ("serial-comma", "Fine. This year, costs and revenues rose."),
    ("serial-comma", "Fine. The next day, staff and managers met."),
    ("serial-comma", "Fine. When the audit ends, staff and managers meet."),
    ("serial-comma", "Fine. Having reviewed the plan, staff and managers agreed."),
    ("serial-comma", "Fine. Two weeks ago, staff and managers met."),
    ("serial-comma", "Fine. We need money, and they need time."),
    ("serial-comma", "Fine. We met on Monday, and the board agreed."),
    ("serial-comma", "Fine. He bought apples, pears and then left."),
    ("serial-comma", "Fine. She said 1, 2 and 3 were fine."),
    ("serial-comma", "Fine. Costs were 1,000 and 2,000."),
    # optional "that"
    ("optional-that", "Fine. We said that the other day."),    # "that" is a pronoun
    ("optional-that", "Fine. We said the word clearly."),      # a direct object
    ("optional-that", "Fine. We know the people who were there."),
    ("optional-that", "Fine. We found the files we were looking for."),
    ("optional-that", "Fine. We expected the plan to work."),
    ("optional-that", "Fine. The questions we expect most often are about bills."),
    ("optional-that", "Fine. It is the hope that the board will act."),
    ("optional-that", "Fine. We believe that is true."),
    # spelling
    ("spelling", "Fine. Give us a while to decide."),          # noun, not conjunction
    ("spelling", "Fine. It is worth while asking."),
    ("spelling", "Fine. We thank the Toward Tomorrow Fund."),  # a name mid-sentence
    ("spelling", "Toward Tomorrow Fund pays."),                # a title at sentence start
    ("spelling", "Fine. A learned colleague spoke."),          # adjective
    ("spelling", "Fine. Labour costs rose."),                  # perhaps the party
    ("spelling", "Fine. We organise the colour of the centre."),  # US/UK pairs would mix dialects
    # hyphenated compounds
    ("hyphen-compound", "Fine. We plan for the long term."),
    ("hyphen-compound", "Fine. In the long term plans will change."),
    ("hyphen-compound", "Fine. Patients at high risk are seen first."),
    ("hyphen-compound", "Fine. The cost effective from January is lower."),
    ("hyphen-compound", "Fine. Our view is long-term."),
    ("spelling", "Fine. The data set out below is final."),
    # synonyms
    ("synonym", "Fine. We talked about 40 proposals."),        # topic, not amount
    ("synonym", "Fine. The memo is about 3 projects."),
    ("synonym", "Fine. Each other team will help."),
    ("synonym", "Fine. It is not at all the case."),
    ("synonym", "Fine. The board met and all the same we went on."),
    ("synonym", "Fine. We need to start the engine."),         # start != begin here
    ("synonym", "Fine. We started the project last week."),
    ("synonym", "Fine. We need to buy time."),
    ("synonym", "Fine. We plan to buy the idea."),
    ("synonym", "Fine. Any help with the move is welcome."),   # noun
    ("synonym", "Fine. We have access to help with rent."),
    ("synonym", "Fine. We rely on today."),                    # stranded preposition
    ("synonym", "Fine. The proposal goes before the board."),  # "before" is a place here
    ("in-order-to", "Fine. Put the files in order to help us."),
    ("in-order-to", "Fine. The files are in order to start."),
    ("synonym", "Fine. In addition to the cost, there is risk."),
    ("synonym", "Fine. No one solution fits."),
    ("synonym", "Fine. It worked, though."),
    ("synonym", "Fine. Even though costs rose, we held."),
    ("synonym", "Fine. The team is regarding the plan as final."),
    ("synonym", "Fine. We met for a year."),
    ("synonym", "Fine. It was a year ago."),
    ("synonym", "Fine. This is so much more than we hoped."),
    ("synonym", "Fine. Some staff, for example purposes, wait."),
    ("synonym", "Fine. The help you get is free."),           # a noun
    ("synonym", "Fine. False starts in March hurt."),
    ("intro-comma", "Fine. However we do it, it works."),      # "in whatever way"
    ("intro-comma", "Fine. Finally we agreed."),               # "at last"
    ("intro-comma", "Fine. In March we hired."),               # a name: protected
    ("clause-comma", "Fine. We asked everyone but they declined."),
    ("clause-comma", "Fine. We hired all but the last one."),
    ("clause-comma", "Fine. Not cheap, but good."),
]


@pytest.mark.parametrize("fam, text", REFUSE)
def test_rule_refuses(fam, text):
    assert alternatives(text, fam) == []


def test_sites_have_the_lexical_shape():
    text = ("Fine. We do not believe that the three crews, the vans and the depot are "
            "ready toward the end of the year, and we'll review it about 2 weeks later.")
    tokens = tokenize(text)
    sites = sites_of(text)
    assert len(sites) >= 5
    for site in sites:
        assert site.channel is Channel.LEXICAL
        assert site.reader == "tokens"
        assert len(site.spans) == len(site.windows) == 1
        assert site.q >= 2 and all(len(v) == 1 for v in site.variants)
        ((s, e),), ((a, b),) = site.spans, site.windows
        assert site.variants[0][0] == text[s:e]
        assert 1 <= a <= b < len(tokens)
        assert tokens.ends[a - 1] <= s <= e <= tokens.starts[b]


def test_sites_are_ordered_disjoint_and_keep_an_anchor_between():
    text = "\n\n".join(t for _, t, *_ in APPLY)  # many sites close together
    tokens = tokenize(text)
    sites = sites_of(text)
    assert len(sites) > len(APPLY) // 2
    starts = [s.start for s in sites]
    assert starts == sorted(starts)
    for prev, nxt in zip(sites, sites[1:]):
        assert nxt.windows[0][0] >= prev.windows[0][1] + 1
    accepted = SiteSet(tokens)
    assert all(accepted.add(s) for s in sites)


def test_deterministic():
    text = "\n\n".join(t for _, t, *_ in APPLY)
    first = [s.to_json() for s in sites_of(text)]
    assert first == [s.to_json() for s in sites_of(text)]
    assert first == [s.to_json() for s in sites_of(str(text))]


@pytest.mark.parametrize("text", [
    'Fine. The director wrote: "We do not plan to move three crews toward the depot."',
    "Fine. See https://example.org/we-do-not-track/about-3-weeks for details.",
    "Fine. Write to do.not.reply@example.org about it.",
    "Fine. Run `we do not stop` at once.",
    "Fine. We met Ashcombe Toward Group.",
])
def test_protected_text_is_never_touched(text):
    protected = find_protected(text)
    for site in sites_of(text):
        ((s, e),) = site.spans
        assert not protected.overlaps(s, e), site
    # the quoted, linked or named words themselves carry no site
    assert all(site.kind != "spelling:toward" for site in sites_of(text))
    assert all(site.variants[0][0] != "do not" for site in sites_of(text))


def test_protected_quotation_refused_but_same_words_outside_accepted():
    text = 'Fine. We do not agree. She said "we do not agree" twice.'
    sites = [s for s in sites_of(text) if family(s) == "contraction"]
    assert [s.start for s in sites] == [text.index("do not")]


def test_capitalized_word_mid_sentence_is_a_name():
    assert alternatives("Fine. We met Nobody Else Ltd today.", "synonym") == []
    assert alternatives("Fine. We met the Among Trust.", "spelling") == []


def test_contraction_keeps_the_documents_apostrophe():
    curly = "Fine. We don’t agree, and we can’t wait. We do not plan to stay."
    assert "Fine. We don’t agree, and we can’t wait. We don’t plan to stay." in \
        alternatives(curly, "contraction")
    straight = "Fine. We don't agree. We do not plan to stay."
    assert "Fine. We don't agree. We don't plan to stay." in alternatives(straight, "contraction")


def test_insertion_sites_are_empty_spans():
    text = "Fine. We believe the plan is sound, cheap and quick."
    inserts = [s for s in sites_of(text) if s.spans[0][0] == s.spans[0][1]]
    assert {family(s) for s in inserts} == {"optional-that", "serial-comma"}
    for s in inserts:
        assert s.variants[0] == ("",)
        assert s.windows[0][0] == s.windows[0][1]


SAMPLE = """\
We do not expect the new billing system to go live before the end of the quarter. The \
vendor has confirmed that the data migration is on track, but we are still waiting for the \
final test results. In the meantime, the support team will continue to handle about 40 \
percent of requests by e-mail, and we will review the backlog toward the end of each week.

Based on the pilot, we believe the new workflow is far more cost-effective than the current \
one. Three regional offices took part, and each of them reported fewer errors, faster \
approvals, and better feedback from customers. However, it is clear that staff need more \
training. We will organize two workshops in March in order to help everyone learn the new \
tools, and we'll share the slides on the team website afterward.

Although the budget is tight, we don't think that the rollout should be delayed. Finance \
has agreed the extra cost can be absorbed this year. If you are planning leave during the \
launch, please let your manager know as soon as possible. For example, the Denver office \
cannot spare more than two analysts at once. We know that some teams are already \
stretched, and we are grateful for the work you have done so far.
"""

PLAIN = """\
Thank you all for attending the planning session on Thursday. This note summarizes what \
we agreed and what happens next. The finance team will send the revised forecast by \
Friday, and department heads should check it against their own figures. We are not \
changing the hiring freeze, but we will allow exceptions for roles that are critical to \
customer service. If you think a role qualifies, please send a short justification to \
your director. It is likely that travel will stay restricted until the second half of \
the year. Managers should keep meetings online where possible and combine trips when \
they cannot be avoided. We also discussed the office move. The new lease starts in \
October, and the facilities team has asked for volunteers to help with the planning. \
We don't have final floor plans yet, but each team will get roughly the same space as \
today. Finally, remember that the annual survey closes next week. It takes about ten \
minutes, and the results help us decide where to invest. We know everyone is busy, and \
we appreciate the effort that has gone into this quarter.
"""


def density(text: str) -> float:
    return 100 * len(sites_of(text)) / len(text.split())


def test_density_on_memo_prose():
    # Ordinary business prose carries several lexical sites per 100 words.
    assert density(SAMPLE) >= 6
    assert density(PLAIN) >= 6


def test_example_memo_sites_are_readable_and_disjoint():
    memo = Path(__file__).resolve().parents[2] / "examples" / "memo.md"
    if not memo.exists():
        pytest.skip("no example memo")
    base, _ = resolve(memo.read_text(encoding="utf-8"))
    tokens = tokenize(base)
    sites = sites_of(base)
    assert len(sites) >= 30
    accepted = SiteSet(tokens)
    assert all(accepted.add(s) for s in sites)
