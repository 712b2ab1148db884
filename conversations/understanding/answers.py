"""Short informal answers: yes, no, already, not yet, in progress, skip ("sdh", "blm", "lg diurus", "gak").

`classify_answer` decides on the *leading* phrase, after dropping greetings ("oh"), pronouns ("saya") and polite
address words ("pak", "bu", ...). A leading "belum" always means NOT_YET ("belum, tapi lagi diurus" too), and so
does any other "not having it" phrase ("tidak punya"). "sudah diurus/diajukan/..." is IN_PROGRESS unless an
un-negated "terbit/keluar/jadi/..." follows; "sudah, tapi belum terbit" is IN_PROGRESS. A yes/no word followed by a
more specific answer takes the specific one ("iya sudah" -> DONE, "ya belum" -> NOT_YET); contradictions ("iya
tidak", "sudah belum?") and replies that go on with a question word ("mau tanya", "ada apa?") give None.
(Pinned by tests/test_parsing.py.)
"""

from __future__ import annotations

import enum
import re

from conversations.understanding.words import REPEAT2_RE, WORD_RE, is_meaningless, normalize


class Answer(enum.StrEnum):
    """The meaning of a short informal reply."""

    YES = "yes"
    NO = "no"
    DONE = "done"
    NOT_YET = "not_yet"
    IN_PROGRESS = "in_progress"
    SKIP = "skip"


_YES_EMOJI = ("👍", "👌", "✅", "✔", "🆗", "🙆")
_NO_EMOJI = ("👎", "❌", "✖", "🙅", "⛔")

_ADDRESS_WORDS = frozenset(
    "pak bu bapak ibu bpk buk kak kakak ka kk mas mbak mba min admin gan agan juragan bang abang "
    "om sis bro bos boss dik dek adik neng teh tante".split()
)
_PRONOUNS = frozenset("saya sy aku aq gue gw gua kami kita".split())
_INTERJECTIONS = frozenset("oh o oo eh ah hmm hm em emm um umm wah wa nah".split())
_PARTICLES = frozenset("ya yah sih dong deh nih kok lho loh kah toh kan lah kali".split())
# Skipped before the leading phrase, and after it.
_LEADING_IGNORED = _ADDRESS_WORDS | _PRONOUNS | _INTERJECTIONS
_TAIL_IGNORED = _ADDRESS_WORDS | _PRONOUNS | _PARTICLES

_BELUM = ("belum", "blm", "blom", "belom", "blum", "blon", "durung", "dereng")
_SUDAH = ("sudah", "sdh", "sudh", "sdah", "suda", "udah", "udh", "uda", "udeh", "dah", "sampun")
_NEGATORS = (
    "tidak",
    "tdk",
    "tak",
    "gak",
    "ga",
    "gk",
    "g",
    "nggak",
    "ngga",
    "ngak",
    "nga",
    "enggak",
    "engga",
    "ndak",
    "nda",
    "kagak",
    "ora",
    "mboten",
)
# Negators that are glued to the next word in chat: "gatau", "gapunya", "gamau".
_GLUED_NEGATORS = ("ga", "gak", "gk", "g", "nggak", "ngga", "ngak", "ndak", "nda", "tdk")

_YES_WORDS = (
    "iya",
    "ya",
    "y",
    "yes",
    "ok",
    "oke",
    "okay",
    "okey",
    "okeh",
    "oks",
    "siap",
    "sip",
    "betul",
    "btl",
    "benar",
    "bener",
    "bnr",
    "boleh",
    "bole",
    "mau",
    "setuju",
    "yoi",
    "yup",
    "yups",
    "yap",
    "iye",
    "iyo",
    "inggih",
    "nggih",
    "hooh",
    "sure",
    "iy",
    "yy",
    "agree",
    "agreed",
)
_NO_WORDS = (*_NEGATORS, "no", "nope", "n", "bukan", "bkn", "ogah", "moh", "emoh")
_DONE_WORDS = (*_SUDAH, "ada", "punya", "memiliki", "terbit", "selesai", "beres", "done")
_IN_PROGRESS_WORDS = ("proses", "diproses", "diurus", "diajukan", "otw", "menunggu", "nunggu")
_SKIP_WORDS = (
    "lewati",
    "lewat",
    "lewatkan",
    "lompati",
    "skip",
    "next",
    "pass",
    "nanti",
    "ntar",
    "entar",
    "nnt",
    "ntr",
    "lupa",
    "entah",
    "entahlah",
)

_PROGRESS_PREFIXES = ("lagi", "lg", "lgi", "sedang", "sdg", "sedng", "masih", "msh")
_PROGRESS_VERBS = (
    "diurus",
    "urus",
    "ngurus",
    "mengurus",
    "proses",
    "diproses",
    "mengajukan",
    "diajukan",
    "ngajuin",
    "diajuin",
    "daftar",
    "mendaftar",
    "didaftarkan",
    "nunggu",
    "menunggu",
    "tunggu",
)
# Words that turn a leading "sudah" into "being processed": "sudah diurus" is not "issued".
_PROCESS_AFTER_SUDAH = frozenset(
    "diurus urus ngurus mengurus diproses proses ajukan mengajukan diajukan ngajuin diajuin".split()
)
_COMPLETION_WORDS = frozenset(
    "terbit diterbitkan keluar jadi selesai beres rampung disetujui acc approve approved ada".split()
)
_COMPLETION_NEGATORS = frozenset((*_BELUM, *_NEGATORS))
_QUESTION_WORDS = frozenset(
    "apa apakah gimana gmn gmana bagaimana kenapa knp mengapa maksud maksudnya siapa kapan dimana "
    "mana berapa brp tanya nanya bertanya atau ato".split()
)


def _build_phrases() -> dict[tuple[str, ...], Answer | None]:
    """Build the phrase table; a None value marks a phrase that is explicitly not an answer."""
    phrases: dict[tuple[str, ...], Answer | None] = {}
    for answer, words in (
        (Answer.YES, _YES_WORDS),
        (Answer.NO, _NO_WORDS),
        (Answer.DONE, _DONE_WORDS),
        (Answer.NOT_YET, _BELUM),
        (Answer.IN_PROGRESS, _IN_PROGRESS_WORDS),
        (Answer.SKIP, _SKIP_WORDS),
    ):
        phrases.update({(word,): answer for word in words})
    by_object = {
        Answer.NOT_YET: ("ada", "punya", "memiliki", "pernah"),
        Answer.NO: ("mau", "usah", "perlu", "bisa", "jadi"),
        Answer.SKIP: ("tahu", "tau", "tw", "ingat", "inget", "yakin"),
        Answer.YES: ("masalah", "papa", "apa"),
        None: ("paham", "ngerti", "mengerti", "jelas"),
    }
    for answer, objects in by_object.items():
        for negator in _NEGATORS:
            phrases.update({(negator, obj): answer for obj in objects})
        for negator in _GLUED_NEGATORS:
            phrases.update({(negator + obj,): answer for obj in objects})
    for negator in _NEGATORS:
        phrases[(negator, "apa", "apa")] = Answer.YES
    for prefix in _PROGRESS_PREFIXES:
        phrases.update({(prefix, verb): Answer.IN_PROGRESS for verb in _PROGRESS_VERBS})
        phrases[(prefix, "dalam", "proses")] = Answer.IN_PROGRESS
    for first, second in (
        ("on", "process"),
        ("on", "proses"),
        ("on", "progress"),
        ("in", "progress"),
        ("in", "process"),
        ("dalam", "proses"),
        ("sedang", "berjalan"),
    ):
        phrases[(first, second)] = Answer.IN_PROGRESS
    for word in ("tahu", "tau", "yakin", "ingat", "inget"):
        phrases[("kurang", word)] = Answer.SKIP
    phrases[("lain", "kali")] = Answer.SKIP
    for word in _BELUM:  # "masih belum", "not yet"
        phrases[("masih", word)] = Answer.NOT_YET
        phrases[("msh", word)] = Answer.NOT_YET
    phrases[("not", "yet")] = Answer.NOT_YET
    phrases[("dont", "know")] = phrases[("don", "t", "know")] = Answer.SKIP
    phrases.update({("gpp",): Answer.YES, ("gtau",): Answer.SKIP, ("gatahu",): Answer.SKIP})
    for word in ("paham", "jelas", "ngerti", "mengerti"):
        phrases[("kurang", word)] = None
    return phrases


_PHRASES = _build_phrases()
_MAX_PHRASE = max(len(key) for key in _PHRASES)
_VOCABULARY = (
    frozenset(word for key in _PHRASES for word in key)
    | _LEADING_IGNORED
    | _TAIL_IGNORED
    | _QUESTION_WORDS
    | _PROCESS_AFTER_SUDAH
    | _COMPLETION_WORDS
)


def _canonical(token: str) -> str:
    """Return the token, or its doubled-letter-free spelling when only that is known ("sipp" -> "sip")."""
    if token in _VOCABULARY:
        return token
    squeezed = REPEAT2_RE.sub(r"\1", token)
    return squeezed if squeezed in _VOCABULARY else token


def _skip(tokens: list[str], i: int, ignored: frozenset[str]) -> int:
    """Return the index of the first token at or after i that is not in `ignored`."""
    while i < len(tokens) and tokens[i] in ignored:
        i += 1
    return i


def _match_phrase(tokens: list[str], i: int) -> tuple[Answer | None, int] | None:
    """Match the longest known phrase at tokens[i]; return (meaning, end index) or None."""
    for size in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
        key = tuple(tokens[i : i + size])
        if key in _PHRASES:
            return _PHRASES[key], i + size
    return None


def _completions(tokens: list[str]) -> tuple[bool, bool]:
    """Tell whether tokens contain an affirmed and/or a negated completion word ("terbit", "belum keluar")."""
    affirmed = negated = False
    for k, token in enumerate(tokens):
        if token in _COMPLETION_WORDS:
            if _COMPLETION_NEGATORS.intersection(tokens[max(0, k - 2) : k]):
                negated = True
            else:
                affirmed = True
    return affirmed, negated


def _classify_from(tokens: list[str], i: int) -> Answer | None:
    """Classify the reply whose leading phrase starts at tokens[i]."""
    match = _match_phrase(tokens, i)
    if match is None:
        return None
    answer, end = match
    if answer is None or answer is Answer.NOT_YET or tokens[i] in _BELUM:
        return answer
    j = _skip(tokens, end, _TAIL_IGNORED)
    following = tokens[j] if j < len(tokens) else None
    if following in _QUESTION_WORDS:
        return None
    follow = _match_phrase(tokens, j)
    follow_answer = follow[0] if follow else None
    if answer in (Answer.YES, Answer.NO):
        if follow is None or follow_answer == answer:
            return answer
        if follow_answer in (None, Answer.YES, Answer.NO):
            return None  # "iya tidak", "ya kurang paham"
        return _classify_from(tokens, j)
    if answer is Answer.DONE:
        affirmed, negated = _completions(tokens[j:])
        if tokens[i] in _SUDAH and following in _PROCESS_AFTER_SUDAH:
            affirmed, _ = _completions(tokens[j + 1 :])
            return Answer.DONE if affirmed else Answer.IN_PROGRESS
        if follow is not None and follow_answer in (None, Answer.NO, Answer.NOT_YET):
            return None  # "sudah belum?", "sudah tidak ada"
        if follow_answer is Answer.IN_PROGRESS or negated:
            return Answer.IN_PROGRESS
    return answer


def classify_answer(text: str) -> Answer | None:
    """Map an informal reply to an Answer, or None when it is not one."""
    if is_meaningless(text):
        yes = any(emoji in text for emoji in _YES_EMOJI)
        no = any(emoji in text for emoji in _NO_EMOJI)
        return Answer.YES if yes and not no else Answer.NO if no and not yes else None
    tokens = [_canonical(token) for token in WORD_RE.findall(normalize(text))]
    return _classify_from(tokens, _skip(tokens, 0, _LEADING_IGNORED))


# --------------------------------------------------------------------------------------------
# "That's all" and answers that carry their content ("iya, keripik balado")
# --------------------------------------------------------------------------------------------

_FAMILIAR = frozenset("nak nduk le dik dek".split())
_FILLER = _ADDRESS_WORDS | _PRONOUNS | _INTERJECTIONS | _PARTICLES | _FAMILIAR
_ONLY = frozenset("saja aja sj aj doang thok tok".split())
_ALL = frozenset("semua semuanya smua smw".split())
_ENOUGH = frozenset("cukup ckp segitu segitu2 itu".split())
_MORE = frozenset("lagi lg".split())
_CLOSURE_WORDS = _FILLER | _ONLY | _ALL | _ENOUGH | _MORE | frozenset((*_SUDAH, *_NEGATORS, "ada", "yg", "yang"))
_CLOSURE_PHRASES = (("thats", "all"), ("that", "s", "all"), ("no", "more"), ("nothing", "else"), ("that", "is", "all"))


def says_no_more(text: str) -> bool:
    """True for "that's all" to an "anything else?" question ("sudah itu saja", "itu aja", "cukup", "udah semua")."""
    tokens = [token for token in WORD_RE.findall(normalize(text)) if token not in _FILLER]
    if not tokens:
        return False
    if tuple(tokens) in _CLOSURE_PHRASES or tokens == ["selesai"] or tokens == ["udahan"]:
        return True
    if not set(tokens) <= _CLOSURE_WORDS:
        return False
    words = set(tokens)
    only = "itu" in words and bool(words & (_ONLY | _ALL))  # "itu saja", "itu aja", "itu semua"
    enough = bool(words & {"cukup", "ckp", "segitu"})
    everything = bool(words & _ALL) and bool(words & set(_SUDAH))  # "udah semua"
    none_left = bool(words & set(_NEGATORS)) and "ada" in words and bool(words & _MORE)  # "gak ada lagi"
    return only or enough or everything or none_left


_LEADING_TOKEN_RE = re.compile(r"[^\W_]+|[^\w\s]")


def split_leading_answer(text: str) -> tuple[Answer | None, str]:
    """Split "iya, ikut sentra keripik X" into (YES, "ikut sentra keripik X"): a leading short answer and the rest."""
    spans = [(m.group(0), m.end()) for m in _LEADING_TOKEN_RE.finditer(text)]
    end = 0
    seen_answer = False
    for token, stop in spans:
        word = normalize(token) if token[0].isalnum() else token
        if not word or not word[0].isalnum():
            end = stop
            continue
        if word in _FILLER or (word,) in _PHRASES:
            seen_answer = seen_answer or (word,) in _PHRASES
            end = stop
            continue
        break
    else:
        end = len(text)
    head, rest = text[:end], text[end:].strip(" ,.;:!-\n\t")
    return (classify_answer(head) if seen_answer else None), rest
