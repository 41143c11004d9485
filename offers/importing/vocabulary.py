"""The taxonomies a row's cells name (regions, tracks, sectors, offer types, school forms,
MINT subjects), looked up the forgiving way people type them."""

from ..models import OfferType, Region, SchoolForm, Sector, Subject, Track
from .columns import normalize


class Vocabulary:
    """A taxonomy looked up by name, slug (and extra keys), case-insensitively."""

    def __init__(self, objects, *extra_keys):
        self.by_key = {}
        for obj in objects:
            keys = {obj.name, obj.slug, *(getattr(obj, k) for k in extra_keys)}
            for key in {normalize(key) for key in keys if key}:
                self.by_key.setdefault(key, []).append(obj)

    def find(self, value):
        return self.by_key.get(normalize(value), [])


def load_vocabularies():
    """Every taxonomy the cells may name, by the name ``RowParser`` asks for (six queries)."""
    return {
        "regions": Vocabulary(Region.objects.all(), "official_key"),
        "tracks": Vocabulary(Track.objects.all()),
        "sectors": Vocabulary(Sector.objects.select_related("track")),
        "offer_types": Vocabulary(OfferType.objects.all()),
        "school_forms": Vocabulary(SchoolForm.objects.all(), "short_name"),
        "subjects": Vocabulary(Subject.objects.all()),
    }
