"""Competency questions of the Kazakhstan January 2022 dataset.

Every SPARQL file in ``datasets/kazakhstan-2022/queries/`` is run against the built graph and
its answer compared with the exact answer recorded below: a list when the query has ORDER BY
(the order is part of the answer), otherwise a set (and a row may not come back twice).
IRIs of the dataset are written as their local name (``toqaev``), IRIs of the ontology as
``kg:Name``, Wikidata items as ``wd:Q…``, literals as their lexical form and unbound
variables as ``None``. A query file without a recorded answer fails.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "datasets" / "kazakhstan-2022"
QUERIES = sorted((DATASET / "queries").glob("*.rq"))
BASE = "https://kgbuilder.example/kazakhstan-2022/"
NAMESPACES = (
    (BASE, ""),
    ("https://w3id.org/kgbuilder/ns#", "kg:"),
    ("http://www.wikidata.org/entity/", "wd:"),
)


@pytest.fixture(scope="module")
def kg():
    from kgbuilder import build

    return build(DATASET)


def _term(value):
    if value is None:
        return None
    if isinstance(value, URIRef):
        text = str(value)
        for namespace, prefix in NAMESPACES:
            if text.startswith(namespace):
                return prefix + text[len(namespace):]
        return text
    return str(value)


def _rows(result):
    return [tuple(_term(v) for v in row) for row in result]


def _is_ordered(sparql: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", sparql, re.IGNORECASE) is not None


EXPECTED: dict[str, list[tuple] | set[tuple]] = {
    '01-csto-members': [
        ('armenia', '2022-01-05', 'russia'),
        ('belarus', '2022-01-05', 'russia'),
        ('kazakhstan', '2022-01-05', 'russia'),
        ('kyrgyzstan', '2022-01-05', 'russia'),
        ('russia', '2022-01-05', 'russia'),
        ('tajikistan', '2022-01-05', 'russia'),
    ],
    '02-csto-chair-2022': {
        ('armenia', 'csto', '2022-01-01', '2022-12-31', 'month', 'month'),
    },
    '03-csto-deployment': {
        ('csto-peacekeeping-decision', 'csto', 'kazakhstan', 'a limited period', 'toqaev-appeal-to-csto', 'toqaev', 'due to the threat to the national security and sovereignty of the Republic of Kazakhstan, which arose as a result of external interference', 'pashinian'),
        ('csto-peacekeeping-decision', 'csto', 'kazakhstan', 'a limited period', 'toqaev-appeal-to-csto', 'toqaev', 'to help stabilize the country', 'pashinian'),
    },
    '04-posts-changed-2022-01-05': {
        ('abish-replaced', 'removed', 'abish', 'knb-first-deputy-chairman'),
        ('government-sacked', 'removed', 'mamin', 'prime-minister-of-kazakhstan'),
        ('knb-first-deputy-appointed', 'appointed', None, 'knb-first-deputy-chairman'),
        ('nazarbayev-removed', 'removed', 'nazarbayev', 'head-of-security-council'),
        ('smailov-appointed', 'appointed', 'smailov', 'prime-minister-of-kazakhstan'),
        (None, 'holds', 'toqaev', 'president-of-kazakhstan'),
    },
    '05-post-holders': [
        ('abish', 'knb-first-deputy-chairman', 'knb', None, '2022-01-05', None, None),
        ('mamin', 'prime-minister-of-kazakhstan', 'kazakhstan', None, '2022-01-05', None, None),
        ('nazarbayev', 'head-of-security-council', 'security-council', '2019-01-01', '2022-01-05', None, None),
        ('nazarbayev', 'president-of-kazakhstan', 'kazakhstan', None, '2019-12-31', None, None),
        ('pashinian', 'prime-minister-of-armenia', 'armenia', None, None, '2022-01-05', None),
        ('psaki', 'white-house-press-secretary', 'white-house', None, None, '2022-01-05', None),
        ('smailov', 'first-deputy-prime-minister-of-kazakhstan', 'kz-government', None, None, '2022-01-05', None),
        ('smailov', 'prime-minister-of-kazakhstan', 'kazakhstan', '2022-01-05', None, None, 'interim prime minister'),
        ('toqaev', 'president-of-kazakhstan', 'kazakhstan', '2019-01-01', None, None, None),
    ],
    '06-claims-by-actor': {
        ('communications-monitors', 'internet-blackout', 'kg:characterizedAs', 'national-scale', None, None),
        ('communications-monitors', 'monitors-report-blackout', 'kg:content', 'a "national-scale" Internet blackout', None, None),
        ('interior-ministry', 'almaty-detentions', 'kg:date', '2022-01-04', 'kg:Disputed', 'observers'),
        ('interior-ministry', 'almaty-detentions', 'kg:detained', '200', 'kg:Disputed', 'observers'),
        ('interior-ministry', 'almaty-detentions', 'kg:place', 'almaty', 'kg:Disputed', 'observers'),
        ('interior-ministry', 'almaty-detentions', 'kg:subEventOf', 'kazakhstan-unrest', 'kg:Disputed', 'observers'),
        ('interior-ministry', 'interior-ministry-casualty-figures', 'kg:about', 'national-guard', None, None),
        ('interior-ministry', 'interior-ministry-casualty-figures', 'kg:about', 'police', None, None),
        ('interior-ministry', 'interior-ministry-casualty-figures', 'kg:killed', '8', None, None),
        ('interior-ministry', 'interior-ministry-casualty-figures', 'kg:place', 'kazakhstan', None, None),
        ('interior-ministry', 'interior-ministry-casualty-figures', 'kg:subEventOf', 'kazakhstan-unrest', None, None),
        ('interior-ministry', 'interior-ministry-casualty-figures', 'kg:wounded', '317', None, None),
        ('kyrgyzstan', 'kyrgyzstan-follows-situation', 'kg:about', 'kazakhstan-unrest', None, None),
        ('kyrgyzstan', 'kyrgyzstan-follows-situation', 'kg:agent', 'kyrgyzstan', None, None),
        ('kyrgyzstan', 'kyrgyzstan-follows-situation', 'kg:content', 'following the situation "closely" and "anxiously"', None, None),
        ('netblocks', 'internet-blackout', 'kg:characterizedAs', 'nationwide', None, None),
        ('netblocks', 'netblocks-report-blackout', 'kg:content', 'a nationwide "blackout"', None, None),
        ('observers', 'almaty-detentions', 'kg:characterizedAs', 'the figure appears to be underestimated', None, None),
        ('pashinian', 'csto-peacekeeping-decision', 'kg:agent', 'csto', None, None),
        ('pashinian', 'csto-peacekeeping-decision', 'kg:duration', 'a limited period', None, None),
        ('pashinian', 'csto-peacekeeping-decision', 'kg:inResponseTo', 'toqaev-appeal-to-csto', None, None),
        ('pashinian', 'csto-peacekeeping-decision', 'kg:place', 'kazakhstan', None, None),
        ('pashinian', 'csto-peacekeeping-decision', 'kg:statedReason', 'due to the threat to the national security and sovereignty of the Republic of Kazakhstan, which arose as a result of external interference', None, None),
        ('pashinian', 'csto-peacekeeping-decision', 'kg:statedReason', 'to help stabilize the country', None, None),
        ('pashinian', 'csto-peacekeeping-decision', 'kg:target', 'kazakhstan', None, None),
        ('pashinian', 'pashinian-announcement', 'kg:content', 'the decision to deploy CSTO peacekeepers for a limited period had been taken in response to an appeal from Toqaev, due to the threat to the national security and sovereignty of the Republic of Kazakhstan, which arose as a result of external interference', None, None),
        ('protesters', 'government-sacked', 'kg:characterizedAs', "the removal of some officials wouldn't bring lasting results", None, None),
        ('psaki', 'psaki-statement', 'kg:content', 'protesters should be able to "express themselves peacefully"', None, None),
        ('psaki', 'psaki-statement', 'kg:content', 'the United States supports "calls for calm"', None, None),
        ('rferl-journalists', 'communications-deteriorate', 'kg:outcome', 'deteriorated markedly', None, None),
        ('rferl-journalists', 'communications-deteriorate', 'kg:place', 'kazakhstan', None, None),
        ('rferl-journalists', 'communications-deteriorate', 'kg:target', 'internet', None, None),
        ('rferl-journalists', 'communications-deteriorate', 'kg:target', 'telephone-services', None, None),
        ('rferl-journalists', 'rferl-journalists-report', 'kg:content', 'both Internet and telephone services had deteriorated markedly', None, None),
        ('russian-government', 'rferl', 'kg:designatedAs', 'undesirable organization', None, None),
        ('toqaev', 'kazakhstan-unrest', 'kg:characterizedAs', 'a terrorist threat', None, None),
        ('toqaev', 'kazakhstan-unrest', 'kg:characterizedAs', 'an attack on our citizens who are asking help them urgently', None, None),
        ('toqaev', 'kazakhstan-unrest', 'kg:characterizedAs', 'an undermining of the integrity of the state', None, None),
        ('toqaev', 'kazakhstan-unrest', 'kg:characterizedAs', 'no longer a threat', None, None),
        ('toqaev', 'terrorists-and-bandits', 'kg:characterizedAs', 'foreign-trained', None, None),
        ('toqaev', 'terrorists-seize-airport-claim', 'kg:agent', 'terrorists-and-bandits', None, None),
        ('toqaev', 'terrorists-seize-airport-claim', 'kg:count', '5', None, None),
        ('toqaev', 'terrorists-seize-airport-claim', 'kg:date', '2022-01-05', None, None),
        ('toqaev', 'terrorists-seize-airport-claim', 'kg:place', 'almaty', None, None),
        ('toqaev', 'terrorists-seize-airport-claim', 'kg:target', 'almaty-airport', None, None),
        ('toqaev', 'terrorists-seize-buildings-claim', 'kg:agent', 'terrorists-and-bandits', None, None),
        ('toqaev', 'terrorists-seize-buildings-claim', 'kg:place', 'kazakhstan', None, None),
        ('toqaev', 'terrorists-seize-buildings-claim', 'kg:target', 'buildings-and-infrastructure', None, None),
        ('toqaev', 'terrorists-seize-buildings-claim', 'kg:target', 'weapons', None, None),
        ('toqaev', 'toqaev-appeal-to-csto', 'kg:statedReason', 'a terrorist threat', None, None),
        ('toqaev', 'toqaev-second-televised-speech', 'kg:content', 'It is actually no longer a threat. It is an undermining of the integrity of the state. And, most importantly, it is an attack on our citizens who are asking help them urgently.', None, None),
        ('toqaev', 'toqaev-second-televised-speech', 'kg:content', 'They had taken control of the Almaty airport and five aircraft there, including foreign planes', None, None),
        ('toqaev', 'toqaev-second-televised-speech', 'kg:content', 'foreign-trained terrorists and bandits were seizing buildings, infrastructure, and weapons in Kazakh cities', None, None),
        ('uzbekistan', 'uzbekistan-follows-situation', 'kg:about', 'kazakhstan-unrest', None, None),
        ('uzbekistan', 'uzbekistan-follows-situation', 'kg:agent', 'uzbekistan', None, None),
        ('uzbekistan', 'uzbekistan-follows-situation', 'kg:content', 'following the situation "closely" and "anxiously"', None, None),
    },
    '07-claimants-summary': [
        ('toqaev', '18'),
        ('interior-ministry', '10'),
        ('pashinian', '8'),
        ('rferl-journalists', '5'),
        ('kyrgyzstan', '3'),
        ('uzbekistan', '3'),
        ('communications-monitors', '2'),
        ('netblocks', '2'),
        ('psaki', '2'),
        ('observers', '1'),
        ('protesters', '1'),
        ('russian-government', '1'),
    ],
    '08-unverified-and-disputed': {
        ('almaty-detentions', 'kg:Disputed', 'observers', 'observers say that number appears to be underestimated'),
        ('bodies-videos', 'kg:Unverified', None, 'RFE/RL could not independently verify the authenticity of the videos'),
        ('bodies-videos-circulate', 'kg:Unverified', None, 'RFE/RL could not independently verify the authenticity of the videos'),
        ('internet-blackout', 'kg:Unverified', None, 'Limits appeared to have been imposed on the Internet to limit the ability of demonstrators to mobilize'),
        ('messenger-apps-unavailable', 'kg:Unverified', None, 'Messenger apps Telegram, Signal, and WhatsApp were all said to be unavailable in Kazakhstan'),
        ('oral-detentions', 'kg:Unverified', None, 'Oral, where dozens of people were reportedly detained'),
        ('websites-blocked', 'kg:Unverified', None, "the website of RFE/RL's Kazakh Service and those of independent media that reported on the protests also appeared to be blocked"),
    },
    '09-almaty-events-in-order': [
        ('almaty-detentions', '2022-01-04', 'rferl-2022-01-05', 'According to the Interior Ministry, more than 200 people were detained during a previous night of unrest in Almaty and elsewhere'),
        ('almaty-airport-seized', '2022-01-05', 'rferl-2022-01-05', "the country's largest city, Almaty, where protesters also seized control of the airport"),
        ('almaty-arson', '2022-01-05', 'rferl-2022-01-05', "set fire on January 5 to a presidential residence and the mayor's office in the country's largest city, Almaty"),
        ('almaty-flights-suspended', '2022-01-05', 'rferl-2022-01-05', 'seized control of the airport, prompting the temporary suspension of all flights'),
        ('terrorists-seize-airport-claim', '2022-01-05', 'rferl-2022-01-05', 'They had taken control of the Almaty airport and five aircraft there, including foreign planes, the president said'),
        ('almaty-city-hall-stormed', None, 'rferl-2022-01-05', 'Video Shows Kazakh Protesters Storming Almaty City Hall'),
        ('almaty-security-forces-clash', None, 'rferl-2022-01-05', 'Kazakh Security Forces Clash With Anti-Government Protesters In Almaty'),
    ],
    '10-pashinian-to-nazarbayev': [
        ('announcement-decision-appeal-successor', 'pashinian-announcement', 'csto-peacekeeping-decision', 'toqaev-appeal-to-csto', 'toqaev'),
        ('post-state-chairs-alliance-member', 'prime-minister-of-armenia', 'armenia', 'csto', 'kazakhstan'),
    ],
    '11-casualties': {
        ('interior-ministry-casualty-figures', 'killed', '8', 'exact', 'police and national guard troops', 'kazakhstan', None, 'interior-ministry'),
        ('interior-ministry-casualty-figures', 'wounded', '317', 'exact', 'person', 'kazakhstan', None, 'interior-ministry'),
        ('zhanaozen-2011-crackdown', 'killed', '16', 'at-least', 'oil workers', 'zhanaozen', '2011-01-01', None),
    },
    '12-detentions': {
        ('almaty-detentions', '200', 'more-than', 'almaty', '2022-01-04', '"a previous night of unrest", resolved against the publication date 2022-01-05', 'interior-ministry', 'kg:Disputed', 'observers'),
        ('oral-detentions', '24', 'at-least', 'oral', '2022-01-05', 'reported with the protests continuing on the publication date 2022-01-05', None, 'kg:Unverified', None),
    },
    '13-who-did-what-2022-01-05': {
        ('abish-replaced', 'kg:Dismiss', 'toqaev', 'abish', None, None),
        ('almaty-airport-seized', 'kg:Seize', 'protesters', 'almaty-airport', 'almaty', None),
        ('almaty-arson', 'kg:DestroyProperty', 'protesters', 'almaty-mayors-office', 'almaty', None),
        ('almaty-arson', 'kg:DestroyProperty', 'protesters', 'presidential-residence-almaty', 'almaty', None),
        ('aqtau-protests', 'kg:Protest', 'protesters', None, 'aqtau', None),
        ('aqtobe-storming-attempt', 'kg:ViolentProtest', 'protesters', 'aqtobe-regional-government-building', 'aqtobe', None),
        ('aqtobe-tear-gas', 'kg:ViolentRepression', 'police', 'protesters', 'aqtobe', None),
        ('government-continues-duties', 'kg:Decide', 'toqaev', None, None, None),
        ('government-sacked', 'kg:Dismiss', 'toqaev', 'kz-government', None, None),
        ('government-sacked', 'kg:Dismiss', 'toqaev', 'mamin', None, None),
        ('knb-first-deputy-appointed', 'kg:Appoint', 'toqaev', None, None, None),
        ('nazarbayev-removed', 'kg:Dismiss', 'toqaev', 'nazarbayev', None, None),
        ('oral-protests', 'kg:Protest', 'protesters', None, 'oral', None),
        ('pashinian-announcement', 'kg:MakeStatement', 'pashinian', None, None, None),
        ('smailov-appointed', 'kg:Appoint', 'toqaev', 'smailov', None, None),
        ('state-of-emergency', 'kg:DeclareStateOfEmergency', 'toqaev', None, 'kazakhstan', None),
        ('terrorists-seize-airport-claim', 'kg:Seize', 'terrorists-and-bandits', 'almaty-airport', 'almaty', 'toqaev'),
        ('toqaev-second-televised-speech', 'kg:MakeStatement', 'toqaev', None, None, None),
        ('zhanaozen-protests', 'kg:Protest', 'protesters', None, 'zhanaozen', None),
    },
    '14-toqaev-on-2022-01-05': [
        ('abish-replaced', 'kg:Dismiss', 'Toqaev replaces Samat Abish as first deputy chairman of the KNB'),
        ('government-continues-duties', 'kg:Decide', 'Members of the government to continue their duties until a new cabinet is formed'),
        ('government-sacked', 'kg:Dismiss', 'Toqaev sacks the government of Prime Minister Mamin'),
        ('knb-first-deputy-appointed', 'kg:Appoint', 'Toqaev appoints a new first deputy chairman of the KNB'),
        ('nazarbayev-removed', 'kg:Dismiss', 'Toqaev removes Nazarbayev as head of the Security Council'),
        ('smailov-appointed', 'kg:Appoint', 'Smailov appointed interim prime minister'),
        ('state-of-emergency', 'kg:DeclareStateOfEmergency', 'Toqaev declares a nationwide state of emergency'),
        ('toqaev-second-televised-speech', 'kg:MakeStatement', "Toqaev's second televised speech of January 5"),
    ],
    '15-family-relations': {
        ('abish', 'kg:nephewOf', 'nazarbayev', None),
        ('abish', 'kg:relativeOf', 'nazarbayev', 'nephew'),
    },
    '16-places-in-regions': {
        ('almaty-province', 'event', 'nazarbayev-statue-toppled'),
        ('almaty-province', 'place', 'nazarbayev-statue'),
        ('almaty-province', 'place', 'taldyqorghan'),
        ('mangystau', 'event', 'mangystau-protests'),
        ('mangystau', 'event', 'price-cap-restored'),
    },
    '17-cyrillic-labels': [
        ('abish', 'Самат Әбіш', 'Самат Абиш'),
        ('almaty', 'Алматы', 'Алматы'),
        ('almaty-province', 'Алматы облысы', 'Алматинская область'),
        ('aqtau', 'Ақтау', 'Актау'),
        ('aqtobe', 'Ақтөбе', 'Актобе'),
        ('central-asia', 'Орталық Азия', 'Центральная Азия'),
        ('mamin', 'Асқар Мамин', 'Аскар Мамин'),
        ('mangystau', 'Маңғыстау облысы', 'Мангистауская область'),
        ('nazarbayev', 'Нұрсұлтан Назарбаев', 'Нурсултан Назарбаев'),
        ('oral', 'Орал', 'Уральск'),
        ('smailov', 'Әлихан Смайылов', 'Алихан Смаилов'),
        ('taldyqorghan', 'Талдықорған', 'Талдыкорган'),
        ('toqaev', 'Қасым-Жомарт Тоқаев', 'Касым-Жомарт Токаев'),
        ('zhanaozen', 'Жаңаөзен', 'Жанаозен'),
    ],
    '18-alias-lookup': {
        ('Aktau', 'aqtau'),
        ('Aktobe', 'aqtobe'),
        ('Askar Mamin', 'mamin'),
        ('Janaozen', 'zhanaozen'),
        ('KNB', 'knb'),
        ('Mangistau', 'mangystau'),
        ('Nazarbaev', 'nazarbayev'),
        ('Pashinyan', 'pashinian'),
        ('Taldykorgan', 'taldyqorghan'),
        ('Tokayev', 'toqaev'),
        ('Uralsk', 'oral'),
        ('Zhanaozen', 'zhanaozen'),
    },
    '19-background-facts': {
        ('nazarbayev', 'characterizedAs the last Soviet-era Communist Party boss still ruling an ex-Soviet state', '2019-12-31'),
        ('nazarbayev', 'holdsPost president-of-kazakhstan', '2019-12-31'),
        ('nazarbayev-rule', 'in power for three decades', None),
        ('nazarbayev-steps-down', 'Resign', '2019-01-01'),
        ('zhanaozen-2011-crackdown', 'ViolentRepression', '2011-01-01'),
        ('zhanaozen-2011-protest', 'Protest', '2011-01-01'),
    },
    '20-communications-restrictions': {
        ('communications-deteriorate', 'internet', 'deteriorated markedly', None, 'rferl-journalists'),
        ('communications-deteriorate', 'telephone-services', 'deteriorated markedly', None, 'rferl-journalists'),
        ('internet-blackout', 'internet', None, 'kg:Unverified', None),
        ('messenger-apps-unavailable', 'signal', None, 'kg:Unverified', None),
        ('messenger-apps-unavailable', 'telegram', None, 'kg:Unverified', None),
        ('messenger-apps-unavailable', 'whatsapp', None, 'kg:Unverified', None),
        ('websites-blocked', 'independent-media-websites', None, 'kg:Unverified', None),
        ('websites-blocked', 'rferl-kazakh-website', None, 'kg:Unverified', None),
    },
    '21-price-cap': {
        ('lpg-price-cap', 'lpg', 'mangystau', '0.11', 'USD per liter', 'kz-government'),
        ('lpg-price-cap', 'lpg', 'mangystau', '50', 'KZT per liter', 'kz-government'),
    },
    '22-events-by-cameo': [
        ('010', 'kg:MakeStatement', '4'),
        ('010', 'kg:MonitorSituation', '2'),
        ('010', 'kg:Report', '4'),
        ('02', 'kg:Appeal', '2'),
        ('0234', 'kg:AppealForPeacekeeping', '1'),
        ('074', 'kg:ProvidePeacekeeping', '1'),
        ('10', 'kg:Demand', '2'),
        ('14', 'kg:Protest', '6'),
        ('145', 'kg:ViolentProtest', '3'),
        ('1712', 'kg:DestroyProperty', '2'),
        ('1721', 'kg:RestrictCommunications', '4'),
        ('1724', 'kg:DeclareStateOfEmergency', '1'),
        ('173', 'kg:Arrest', '2'),
        ('175', 'kg:ViolentRepression', '3'),
        ('19', 'kg:Clash', '2'),
        ('192', 'kg:Seize', '3'),
    ],
    '23-evidence-for-a-fact': {
        ('head-of-security-council', '2019-01-01', '2022-01-05', 'rferl-2022-01-05', 'Nazarbayev had retained wide authority through the post since stepping down in 2019'),
        ('head-of-security-council', '2019-01-01', '2022-01-05', 'rferl-2022-01-05', "Toqaev also removed his predecessor, 81-year-old Nursultan Nazarbayev, from the powerful post of head of the country's Security Council"),
    },
    '24-appeals': {
        ('toqaev-appeal-to-csto', 'kg:AppealForPeacekeeping', 'toqaev', 'csto', 'to assist Kazakhstan in responding to what he called a terrorist threat'),
        ('un-urges-restraint', 'kg:Appeal', 'united-nations', 'all-parties', 'exercise restraint, refrain from violence, and promote dialogue'),
        ('un-urges-restraint', 'kg:Appeal', 'united-nations', 'kazakh-authorities', 'exercise restraint, refrain from violence, and promote dialogue'),
        ('us-urges-restraint', 'kg:Appeal', 'united-states', 'kazakh-authorities', 'restraint'),
    },
    '25-relative-dates': {
        ('abish-replaced', '2022-01-05', 'day', 'not dated in its paragraph; reported together with the replacement of the prime minister on 2022-01-05'),
        ('almaty-detentions', '2022-01-04', 'day', '"a previous night of unrest", resolved against the publication date 2022-01-05'),
        ('aqtau-protests', '2022-01-05', 'day', '"continued": ongoing on the publication date 2022-01-05'),
        ('kazakhstan-unrest', '2022-01-01', 'month', "from the protests' outbreak on 2022-01-02 to the publication date 2022-01-05"),
        ('knb-first-deputy-appointed', '2022-01-05', 'day', 'not dated in its paragraph; reported together with the replacement of the prime minister on 2022-01-05'),
        ('mangystau-protests', '2022-01-02', 'day', '"three days ago", resolved against the publication date 2022-01-05'),
        ('oral-detentions', '2022-01-05', 'day', 'reported with the protests continuing on the publication date 2022-01-05'),
        ('oral-protests', '2022-01-05', 'day', '"continued": ongoing on the publication date 2022-01-05'),
        ('terrorists-seize-airport-claim', '2022-01-05', 'day', "as of Toqaev's second televised speech on January 5"),
        ('zhanaozen-protests', '2022-01-05', 'day', '"continued": ongoing on the publication date 2022-01-05'),
    },
    '26-kazakh-state-bodies': {
        ('interior-ministry', None, None),
        ('kazakh-authorities', None, None),
        ('knb', None, None),
        ('kz-government', 'mamin', '2022-01-05'),
        ('parliament', None, None),
        ('security-council', 'nazarbayev', '2022-01-05'),
    },
    '27-foreign-reactions': {
        ('kyrgyzstan-follows-situation', 'kg:MonitorSituation', 'kyrgyzstan', 'following the situation "closely" and "anxiously"', 'kyrgyzstan'),
        ('psaki-statement', 'kg:MakeStatement', 'psaki', 'protesters should be able to "express themselves peacefully"', 'psaki'),
        ('psaki-statement', 'kg:MakeStatement', 'psaki', 'the United States supports "calls for calm"', 'psaki'),
        ('un-urges-restraint', 'kg:Appeal', 'united-nations', 'exercise restraint, refrain from violence, and promote dialogue', None),
        ('us-urges-restraint', 'kg:Appeal', 'united-states', 'restraint', None),
        ('uzbekistan-follows-situation', 'kg:MonitorSituation', 'uzbekistan', 'following the situation "closely" and "anxiously"', 'uzbekistan'),
    },
    '28-causes': {
        ('almaty-flights-suspended', 'kg:causedBy', 'almaty-airport-seized'),
        ('aqtobe-tear-gas', 'kg:inResponseTo', 'aqtobe-storming-attempt'),
        ('csto-peacekeeping-decision', 'kg:inResponseTo', 'toqaev-appeal-to-csto'),
        ('kazakhstan-unrest', 'kg:causedBy', 'lpg-price-hike'),
        ('mangystau-protests', 'kg:causedBy', 'lpg-price-hike'),
        ('zhanaozen-2011-crackdown', 'kg:inResponseTo', 'zhanaozen-2011-protest'),
    },
    '29-protester-demands': {
        ('demand-dissolve-parliament', 'aqtau', 'parliament', 'the dissolution of parliament', "the removal of some officials wouldn't bring lasting results"),
        ('demand-dissolve-parliament', 'zhanaozen', 'parliament', 'the dissolution of parliament', "the removal of some officials wouldn't bring lasting results"),
        ('demand-limit-presidential-powers', 'aqtau', 'president-of-kazakhstan', 'new limits to presidential powers', "the removal of some officials wouldn't bring lasting results"),
        ('demand-limit-presidential-powers', 'zhanaozen', 'president-of-kazakhstan', 'new limits to presidential powers', "the removal of some officials wouldn't bring lasting results"),
    },
    '30-designations': {
        ('rferl', 'undesirable organization', 'russian-government', 'RFE/RL has been declared an "undesirable organization" by the Russian government.'),
    },
    '31-airport-fact-vs-claim': {
        ('almaty-airport-seized', 'kg:Seize', 'protesters', None, 'reported'),
        ('almaty-flights-suspended', 'kg:Suspend', None, None, 'reported'),
        ('terrorists-seize-airport-claim', 'kg:Seize', 'terrorists-and-bandits', '5', 'claimed by toqaev'),
    },
    '32-media-and-monitors': {
        ('afp', 'news-agency-reporting', 'kazakhstan-unrest'),
        ('communications-monitors', 'monitors-report-blackout', 'internet-blackout'),
        ('dpa', 'news-agency-reporting', 'kazakhstan-unrest'),
        ('netblocks', 'netblocks-report-blackout', 'internet-blackout'),
        ('reuters', 'news-agency-reporting', 'kazakhstan-unrest'),
        ('rferl-journalists', 'rferl-journalists-report', 'communications-deteriorate'),
    },
    '33-wikidata-links': {
        ('almaty', 'wd:Q35493'),
        ('armenia', 'wd:Q399'),
        ('belarus', 'wd:Q184'),
        ('kazakhstan', 'wd:Q232'),
        ('kyrgyzstan', 'wd:Q813'),
        ('russia', 'wd:Q159'),
        ('tajikistan', 'wd:Q863'),
        ('united-nations', 'wd:Q1065'),
        ('united-states', 'wd:Q30'),
        ('uzbekistan', 'wd:Q265'),
    },
    '34-nazarbayev-profile': {
        ('age', '81'),
        ('characterized as', 'retained wide authority through the post of head of the Security Council'),
        ('characterized as', 'the last Soviet-era Communist Party boss still ruling an ex-Soviet state'),
        ('depicted by', 'nazarbayev-statue'),
        ('protest action', 'nazarbayev-statue-toppled'),
        ('protest action', 'protesters-blame-nazarbayev'),
    },
    '35-where-the-unrest-happened': [
        ('almaty', '5'),
        ('aqtau', '3'),
        ('kazakhstan', '3'),
        ('zhanaozen', '3'),
        ('aqtobe', '2'),
        ('oral', '2'),
        ('mangystau', '1'),
        ('taldyqorghan', '1'),
    ],
}


def test_there_are_at_least_25_competency_questions():
    assert len(QUERIES) >= 25


def test_every_recorded_answer_has_a_query_file():
    assert sorted(EXPECTED) == sorted(q.stem for q in QUERIES)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_states_its_question(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Question: ") and first.rstrip().endswith("?"), first


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_competency_question(kg, path):
    if path.stem not in EXPECTED:
        pytest.fail(f"no expected answer recorded for {path.name}")
    sparql = path.read_text(encoding="utf-8")
    expected = EXPECTED[path.stem]
    rows = _rows(kg.query(sparql))
    assert rows, f"{path.name} returned no rows"
    if _is_ordered(sparql):
        assert isinstance(expected, list), f"{path.name} has ORDER BY: record the answer as a list"
        assert rows == expected
    else:
        assert isinstance(expected, set), f"{path.name} has no ORDER BY: record the answer as a set"
        duplicates = [row for row, n in Counter(rows).items() if n > 1]
        assert not duplicates, f"{path.name} returned rows twice: {duplicates}"
        assert set(rows) == expected
