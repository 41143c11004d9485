"""Which existing offer each row updates, and the rows that name the same offer twice.

A row matches by its code, else by its provider and title; the checks that need the rows
around it or the offers in the database (duplicates, ranges against the offer) live here.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import GRADE_MAX, GRADE_MIN, Offer
from .columns import COLUMNS, OFFER_M2M, normalize
from .report import shown


class OfferMatcher:
    """Matches rows, in file order, to the offers of their providers or of their codes.

    Loads the candidate offers with their relations in one go (``provider_ids``: the
    existing providers the rows name; of their offers only those a row's code or title can
    match) and remembers the row each code, title and offer was
    first seen in, to name it in a duplicate's problem.
    """

    def __init__(self, parsed, provider_ids):
        codes = [p.values["code"] for _r, p in parsed if p.values.get("code")]
        # The providers' offers as keys first: a national chain has thousands, of which a
        # file names a few; only those the rows' codes or titles can match are read whole.
        wanted_codes = {normalize(code) for code in codes}
        wanted_titles = {normalize(p.values["title"]) for _r, p in parsed if p.values.get("title")}
        keys = Offer.objects.filter(Q(provider__in=provider_ids) | Q(code__in=codes))
        matchable = [
            pk
            for pk, code, title in keys.values_list("pk", "code", "title").iterator(chunk_size=5000)
            if (code and normalize(code) in wanted_codes) or normalize(title) in wanted_titles
        ]
        candidates = (
            Offer.objects.filter(pk__in=matchable)
            .select_related("provider", "contact", "offer_type")
            .prefetch_related(*OFFER_M2M)
        )
        self.by_code, self.by_title = {}, {}
        for offer in candidates:
            if offer.code:
                self.by_code[normalize(offer.code)] = offer
            title_key = (offer.provider_id, normalize(offer.title))
            self.by_title.setdefault(title_key, []).append(offer)
        self.code_lines, self.title_lines, self.offer_lines = {}, {}, {}

    def match(self, parser, line, provider):
        """The offer the row updates, or None for a new offer; problems go to ``parser``.

        ``provider`` is the existing provider the row names, or None for a new one.
        """
        values = parser.values
        code = values.get("code", "")
        offer, duplicate_code = None, False
        if code:
            offer, duplicate_code = self._by_code(parser, line, provider, code)
        if offer is None and provider is not None and values.get("title"):
            offer = self._by_title(parser, provider, code)
        if values.get("provider") and values.get("title") and not code:
            title_key = (normalize(values["provider"]), normalize(values["title"]))
            self._seen(self.title_lines, title_key, parser, line, complain=True)
        if offer is not None:
            self._seen(self.offer_lines, offer.pk, parser, line, complain=not duplicate_code)
        return offer

    def _by_code(self, parser, line, provider, code):
        normalized = normalize(code)
        duplicate = normalized in self.code_lines
        if duplicate:
            parser.problem(
                "code",
                _("“%(value)s” is already used in row %(other)s")
                % {"value": shown(code), "other": self.code_lines[normalized]},
            )
        self.code_lines.setdefault(normalized, line)
        offer = self.by_code.get(normalized)
        if offer is not None and (provider is None or offer.provider_id != provider.pk):
            parser.problem(
                "code",
                _("“%(value)s” is the code of “%(title)s” of %(provider)s")
                % {"value": shown(code), "title": offer.title, "provider": offer.provider.name},
            )
            offer = None
        return offer, duplicate

    def _by_title(self, parser, provider, code):
        matches = self.by_title.get((provider.pk, normalize(parser.values["title"])), [])
        if code:
            # A row with a code may take over an offer without one, never another code's.
            matches = [m for m in matches if not m.code]
        if len(matches) > 1:
            parser.problem(
                "title", _("several offers of this provider have this title; add the code")
            )
            return None
        return matches[0] if matches else None

    @staticmethod
    def _seen(lines, key, parser, line, *, complain):
        if key in lines and complain:
            parser.problem(
                "title",
                _("the same offer is already in row %(other)s") % {"other": lines[key]},
            )
        lines.setdefault(key, line)


def check_ranges(parser, offer):
    """Grade and participant ranges, taking the offer's value for a column the file lacks."""
    values, cells = parser.values, parser.cells
    for low_key, high_key in (("grade_min", "grade_max"), ("participants_min", "participants_max")):
        if any(cells.get(k) and values.get(k) is None for k in (low_key, high_key)):
            continue  # a bad number is reported already
        low = values.get(low_key, getattr(offer, low_key, None))
        high = values.get(high_key, getattr(offer, high_key, None))
        if low_key == "grade_min":
            low = GRADE_MIN if low is None else low
            high = GRADE_MAX if high is None else high
        if low is not None and high is not None and low > high:
            parser.problem(
                high_key,
                _("%(high)s is lower than %(column)s %(low)s")
                % {"high": high, "low": low, "column": COLUMNS[low_key]},
            )
